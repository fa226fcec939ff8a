import { accessRules } from "./access";
import type { PlatformRule } from "./define";
import { governanceRules } from "./governance";
import { ingestionRules } from "./ingestion";
import { securityRules } from "./security";
import { storageRules } from "./storage";
import { kubernetesRules } from "./kubernetes";
import { streamingRules } from "./streaming";
import { warehouseRules } from "./warehouse";

export * from "./define";

/** Every rule of the pack, in catalogue order. The PolicyPack, the offline plan and the tests all use this list. */
export const allRules: readonly PlatformRule[] = [...storageRules, ...securityRules, ...governanceRules, ...warehouseRules, ...streamingRules, ...kubernetesRules, ...accessRules, ...ingestionRules];
