import type { PolicyResource } from "@pulumi/policy";
import { ALWAYS, PlatformRule, PROD_PROFILE, resourceRule, stackRule } from "./define";
import { grants, keyHolder, keyRefs, keyResolver, KMS, LOG_GROUP, servicePrincipals } from "./graph";
import { parsePolicy } from "./util";
import { stackIndex } from "./stack-index";

/** Prod keeps a year of logs: audit and incident reviews look back that far. */
export const PROD_LOG_RETENTION_DAYS = 365;

export const logRules: PlatformRule[] = [
  resourceRule({
    name: "logs-retention-set",
    description: "Every log group expires its events (CloudWatch keeps them forever, and bills for them, by default).",
    remediation: "Set retentionInDays; the profiles give 7 (dev), 30 (staging) and 365 (prod).",
    group: "cost",
    resourceTypes: [LOG_GROUP],
    enforcement: ALWAYS,
    validate(r, report) {
      const days = r.props.retentionInDays as number | undefined;
      if (!days) report("keeps events forever (no retentionInDays)");
    },
  }),
  resourceRule({
    name: "logs-kms-encrypted",
    description:
      "Every log group is encrypted with a customer-managed KMS key: logs carry hostnames, queries and sometimes data.",
    remediation:
      "Set kmsKeyId to the internal (or the data's) classification key; create the group before the service that writes to it.",
    group: "security",
    resourceTypes: [LOG_GROUP],
    enforcement: ALWAYS,
    validate(r, report) {
      if (!r.props.kmsKeyId) report("is not encrypted with a customer-managed key");
    },
  }),
  resourceRule({
    name: "logs-prod-retention-year",
    description: `Prod log groups keep events at least ${PROD_LOG_RETENTION_DAYS} days.`,
    remediation: `Use the prod profile's retention (${PROD_LOG_RETENTION_DAYS} days) or longer.`,
    group: "governance",
    resourceTypes: [LOG_GROUP],
    enforcement: PROD_PROFILE,
    validate(r, report) {
      const days = r.props.retentionInDays as number | undefined;
      if (days && days < PROD_LOG_RETENTION_DAYS) report(`keeps events ${days} days, not ${PROD_LOG_RETENTION_DAYS}`);
    },
  }),
  stackRule({
    name: "logs-key-admits-logs-service",
    description:
      "A log group's KMS key lets the CloudWatch Logs service use it; otherwise creating the group fails at deploy time.",
    remediation:
      "Encrypt log groups with a key whose policy has the CloudWatchLogs statement (every key but restricted's in SecurityFoundation).",
    group: "reliability",
    resourceTypes: [LOG_GROUP, KMS.key, KMS.alias],
    enforcement: ALWAYS,
    validate(resources, report) {
      const resolve = keyResolver(resources);
      // Many groups share a key: each key's policy is read once.
      const admits = new Map<PolicyResource, boolean>();
      const admitsLogs = (key: PolicyResource) =>
        (parsePolicy(key.props.policy)?.Statement ?? []).some(
          (s) =>
            grants(s, "kms:GenerateDataKey") &&
            servicePrincipals(s).some((p) => /^logs\.[a-z0-9-]+\.amazonaws\.com$/.test(p)),
        );
      for (const group of stackIndex(resources).ofType(LOG_GROUP)) {
        for (const ref of keyRefs(group, resources)) {
          const key = resolve(ref, keyHolder(group, resources));
          if (!key) continue; // a key from outside the stack: its policy is not ours to read
          if (!admits.has(key)) admits.set(key, admitsLogs(key));
          if (!admits.get(key))
            report(
              `log group '${group.name}' uses key '${key.name}', whose policy does not admit CloudWatch Logs`,
              group.urn,
            );
        }
      }
    },
  }),
];
