// Compute: Kubernetes (EKS or a cluster you bring), Spark with scheduled jobs, and a query engine.
export * from "./versions";
export * from "./images";
export * from "./config";
export * from "./k8s";
export * from "./identity";
export * from "./pod-identity";
export * from "./secrets";
export * from "./spark";
export * from "./query";
export * from "./autoscaler";
export { KubernetesCluster, KubernetesClusterArgs, autoscalerRelease } from "./KubernetesCluster";
export { DeployRunner, DeployRunnerArgs } from "./DeployRunner";
export * from "./runner";
export {
  KubernetesTarget,
  ComputeWorkloadArgs,
  SpotScheduling,
  spotScheduling,
  clusterSecurityArgs,
  clusterKeyPolicy,
  nodeGroupSpec,
  eksKubeconfig,
  CONTROL_PLANE_LOG_TYPES,
  VPC_CNI_CONFIGURATION,
} from "./eks";
export { SparkOperator, SparkOperatorArgs, domainScopes } from "./SparkOperator";
export { QueryEngine, QueryEngineArgs, WarehouseRef, KafkaRef } from "./QueryEngine";
