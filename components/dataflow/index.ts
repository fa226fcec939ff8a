// Serverless ingestion, pipelines and monitoring: what DataPlatform wires in.
export * from "../ingestion/config";
export * from "../ingestion/validate-sources";
export * from "./section";
export * from "../ingestion/types";
export * from "../ingestion/keys";
export * from "../functions/statements";
export {
  IngestionSource,
  IngestionSourceArgs,
  SourceTargets,
  handlerConfig,
  objectCreatedPattern,
  tlsOnlyQueuePolicy,
  ACCESS_LOG_FORMAT,
} from "../ingestion/IngestionSource";
export { Ingestion, IngestionArgs } from "./Ingestion";
export { stagingDdl } from "../ingestion/records/staging";
export * from "../pipelines/config";
export * from "../pipelines/definitions";
export { Pipeline, PipelineArgs } from "../pipelines/Pipeline";
export { Backfill, BackfillArgs } from "../pipelines/Backfill";
export { stateMachineStatements } from "../pipelines/orchestration";
export * from "../observability/config";
export * from "../observability/metrics";
export * from "../observability/alarms";
export { dashboardBody, DashboardInput } from "../observability/dashboard";
export {
  Monitoring,
  MonitoringArgs,
  operationsKeyPolicy,
  alertsTopicPolicy,
  alarmArgs,
} from "../observability/Monitoring";
