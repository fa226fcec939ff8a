// The weakenings, each citing the Checkov check (CKV_AWS_*, CKV2_AWS_*, CKV_K8S_*) or AWS Security Hub control
// (Foundational Security Best Practices) it undoes, one module per domain. One template per property; expand()
// applies it to up to three instances of its type in the plan. Checkov IDs are those of its Terraform checks
// (checkov/terraform/checks in bridgecrewio/checkov), whose resources map one to one onto the Pulumi AWS provider's.
import type { Template } from "./model";
import { storageTemplates } from "./templates/storage";
import { identityTemplates } from "./templates/identity";
import { networkTemplates } from "./templates/network";
import { serverlessTemplates } from "./templates/serverless";
import { servicesTemplates } from "./templates/services";
import { workloadsTemplates } from "./templates/workloads";
import { chartsTemplates } from "./templates/charts";
import { streamsTemplates } from "./templates/streams";

export const templates: readonly Template[] = [
  ...storageTemplates,
  ...identityTemplates,
  ...networkTemplates,
  ...serverlessTemplates,
  ...servicesTemplates,
  ...workloadsTemplates,
  ...chartsTemplates,
  ...streamsTemplates,
];
