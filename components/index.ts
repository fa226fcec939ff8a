// Public entry point of the library: every component, its args, and the config loader.
export * from "./core/types";
export * from "./core/tags";
export * from "./core/iam";
export * from "./config";
export { SecurityFoundation, SecurityFoundationArgs } from "./security/SecurityFoundation";
export * from "./security/documents";
export { Network, NetworkArgs } from "./network/Network";
export { planSubnets } from "./network/subnets";
export { SecureBucket, SecureBucketArgs } from "./lake/SecureBucket";
export { DataLake, DataLakeArgs, ZoneRefs, glueDatabaseName, DEFAULT_ZONE_CLASSIFICATIONS } from "./lake/DataLake";
export * from "./lake/documents";
export {
  AccessModel,
  AccessModelArgs,
  AccessLakeRefs,
  PersonaRole,
  ServiceGrant,
  PERSONA_TAG,
} from "./security/AccessModel";
export * from "./security/config";
export * from "./security/personas";
export * from "./security/lake-formation";
export {
  BiAccess,
  BiAccessArgs,
  BiConnections,
  BiWarehouse,
  BI_READER_ROLE,
  biWarehouse,
  biWarehouseLogins,
} from "./bi/BiAccess";
export * from "./bi/config";
export * from "./bi/documents";
export { supersetValues, datasourcesYaml, SUPERSET_REPO } from "./bi/superset";
export {
  DataPlatform,
  DataPlatformArgs,
  lakeRefs,
  warehouseRefs,
  INGESTION_LOGIN,
  PIPELINE_LOGIN,
} from "./platform/DataPlatform";
export { contextFromConfig } from "./platform/context";
export { PlatformWorkloads, PlatformWorkloadsArgs } from "./platform/PlatformWorkloads";
export {
  LAYERS,
  Layer,
  FoundationOutputs,
  FoundationSecrets,
  WORKLOAD_INPUTS,
  WORKLOAD_SECRETS,
  configDigest,
  foundationOutputs,
  layerOf,
} from "./platform/layers";
export * from "./cost/config";
export {
  CostControls,
  CostControlsArgs,
  COST_ALLOCATION_TAGS,
  budgetArgs,
  anomalyMonitorSpecification,
} from "./cost/CostControls";
export * from "./warehouse";
export * from "./streaming";
export * from "./functions";
export * from "./dataflow";
