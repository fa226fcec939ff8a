import { accessRules } from "./access";
import { baselineComputeRules } from "./baseline-compute";
import { baselineDataRules } from "./baseline-data";
import { catalogRules } from "./catalog";
import { cdcRules } from "./cdc";
import { changeRules } from "./changes";
import { costRules } from "./cost";
import { firehoseRules } from "./firehose";
import { processingRules } from "./processing";
import { dataPlatformRules } from "./dataplatform";
import { datasetRules } from "./datasets";
import type { PlatformRule } from "./define";
import { deliveryRules } from "./delivery";
import { deployerAccessRules } from "./deployer-access";
import { governanceRules } from "./governance";
import { iamRules } from "./iam";
import { iamValidityRules } from "./iam-validity";
import { ingestionRules } from "./ingestion";
import { kmsRules } from "./kms";
import { kubernetesRules } from "./kubernetes";
import { logRules } from "./logs";
import { networkRules } from "./network";
import { podSecurityRules } from "./pod-security";
import { secretRules } from "./secrets";
import { securityRules } from "./security";
import { serviceRules } from "./services";
import { bucketPolicyRules, storageRules } from "./storage";
import { streamingRules } from "./streaming";
import { warehouseRules } from "./warehouse";
import { workloadRules } from "./workloads";

export * from "./define";

/** The governance pack's own modules, in catalogue order (component modules append theirs to allRules). */
export const governancePack: readonly PlatformRule[] = [
  ...storageRules,
  ...bucketPolicyRules,
  ...securityRules,
  ...kmsRules,
  ...iamRules,
  ...governanceRules,
  ...dataPlatformRules,
  ...networkRules,
  ...logRules,
  ...secretRules,
  ...catalogRules,
  ...serviceRules,
  ...workloadRules,
  ...deliveryRules,
];

/** Every rule of the pack, in catalogue order. The PolicyPack, the offline plan and the tests all use this list. */
export const allRules: readonly PlatformRule[] = [
  ...governancePack,
  ...warehouseRules,
  ...streamingRules,
  ...kubernetesRules,
  ...deployerAccessRules,
  ...accessRules,
  ...ingestionRules,
  ...cdcRules,
  ...firehoseRules,
  ...processingRules,
  ...iamValidityRules,
  ...baselineComputeRules,
  ...baselineDataRules,
  ...podSecurityRules,
  ...datasetRules,
  ...costRules,
  ...changeRules,
];
