// Hardening checks of the industry scanners (Checkov's AWS checks, AWS Security Hub's Foundational Security Best
// Practices) for data services, keys and policies, each citing the check it follows.
import { ALWAYS, PlatformRule, PROD_ONLY, resourceRule, SECURITY, stackRule } from "./define";
import { POLICY_DOCUMENT_TYPES, PolicyDoc, policyDocuments } from "./iam-reference/documents";
import { list } from "./util";
import { stackIndex } from "./stack-index";

const T = {
  msk: "aws:msk/cluster:Cluster",
  namespace: "aws:redshiftserverless/namespace:Namespace",
  workgroup: "aws:redshiftserverless/workgroup:Workgroup",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  table: "aws:dynamodb/table:Table",
  key: "aws:kms/key:Key",
  lfSettings: "aws:lakeformation/dataLakeSettings:DataLakeSettings",
  machine: "aws:sfn/stateMachine:StateMachine",
} as const;

/** Names Redshift creates by default, which every scanner of the internet tries first. */
const DEFAULT_ADMIN_NAMES = ["admin", "awsuser", "root", "master"];
const DEFAULT_DATABASE_NAMES = ["dev"];

/**
 * Actions that hand out credentials or decrypt secrets (Checkov CKV_AWS_107 "credentials exposure", CKV_AWS_108
 * "data exfiltration"): on "*" they reach every secret, key or role of the account.
 */
export const CREDENTIAL_ACTIONS: readonly string[] = [
  "kms:Decrypt",
  "secretsmanager:GetSecretValue",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "iam:CreateAccessKey",
  "iam:UpdateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:CreateServiceSpecificCredential",
  "iam:ResetServiceSpecificCredential",
  "ec2:GetPasswordData",
  "ecr:GetAuthorizationToken",
  "redshift:GetClusterCredentials",
  "redshift:GetClusterCredentialsWithIAM",
  "redshift-serverless:GetCredentials",
  "rds-db:Connect",
  "sts:GetFederationToken",
  "sso:GetRoleCredentials",
  "lightsail:GetInstanceAccessDetails",
  "lightsail:GetRelationalDatabaseMasterUserPassword",
];

const DOCUMENT_TYPES = new Set(POLICY_DOCUMENT_TYPES);

const actionRe = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^$()|[\]\\{}]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );

const params = (r: { props: Record<string, unknown> }) =>
  Object.fromEntries(
    (list(r.props.configParameters) as { parameterKey?: string; parameterValue?: string }[]).map((p) => [
      p.parameterKey,
      p.parameterValue,
    ]),
  );

/** The account most ARNs of the stack's policy documents name: the stack's own. */
function homeAccount(docs: readonly PolicyDoc[]): string | undefined {
  const counts = new Map<string, number>();
  const text = JSON.stringify(docs.map((d) => d.statements));
  for (const m of text.matchAll(/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/g))
    counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

const accountOfPrincipal = (p: string) =>
  /^(\d{12})$/.exec(p)?.[1] ?? /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(p)?.[1];

export const baselineDataRules: PlatformRule[] = [
  // Security Hub MSK.4, Checkov CKV_AWS_291.
  resourceRule({
    name: "msk-no-public-access",
    description: "Kafka brokers are not reachable from the internet (public access stays DISABLED).",
    remediation: "Set brokerNodeGroupInfo.connectivityInfo.publicAccess.type to DISABLED.",
    group: "security",
    resourceTypes: [T.msk],
    enforcement: ALWAYS,
    validate(r, report) {
      const type = r.props.brokerNodeGroupInfo?.connectivityInfo?.publicAccess?.type;
      if (type !== undefined && type !== "DISABLED") report(`public access is ${type}`);
    },
  }),
  // Security Hub Redshift.8 and Redshift.9 (RedshiftServerless.4/.5).
  resourceRule({
    name: "redshift-serverless-no-default-names",
    description: `The warehouse's admin user is not a default name (${DEFAULT_ADMIN_NAMES.join(", ")}) and its database is not 'dev'.`,
    remediation: "Set warehouse.adminUsername and the database name to names of your own.",
    group: "security",
    resourceTypes: [T.namespace],
    enforcement: SECURITY,
    validate(r, report) {
      const admin = r.props.adminUsername;
      const name = typeof admin === "string" ? admin : (admin as { value?: string } | undefined)?.value;
      if (name !== undefined && DEFAULT_ADMIN_NAMES.includes(String(name).toLowerCase()))
        report(`admin user is the default name '${name}'`);
      const db = r.props.dbName as string | undefined;
      if (db === undefined || DEFAULT_DATABASE_NAMES.includes(db.toLowerCase()))
        report(`database is the default '${db ?? "dev"}'`);
    },
  }),
  // Security Hub Redshift.7 / RedshiftServerless.1, Checkov CKV_AWS_321.
  resourceRule({
    name: "redshift-serverless-enhanced-vpc-routing",
    description:
      "Warehouse COPY and UNLOAD traffic goes through the VPC (enhanced VPC routing), where endpoints and flow logs see it.",
    remediation: "Set enhancedVpcRouting to true on the workgroup.",
    group: "security",
    resourceTypes: [T.workgroup],
    enforcement: SECURITY,
    validate(r, report) {
      if (r.props.enhancedVpcRouting !== true) report("enhanced VPC routing is off");
    },
  }),
  // Security Hub Redshift.13 / RedshiftServerless.6, Checkov CKV_AWS_87.
  stackRule({
    name: "redshift-serverless-user-activity-logging",
    description:
      "The warehouse logs every query (enable_user_activity_logging on the workgroup, useractivitylog exported by its namespace).",
    remediation: "Set enable_user_activity_logging=true and export useractivitylog (Warehouse does).",
    group: "security",
    resourceTypes: [T.workgroup, T.namespace],
    enforcement: SECURITY,
    validate(resources, report) {
      for (const wg of stackIndex(resources).ofType(T.workgroup)) {
        if (params(wg)["enable_user_activity_logging"] !== "true")
          report("enable_user_activity_logging is not true", wg.urn);
        const [ns] = stackIndex(resources).withInput(T.namespace, "namespaceName", wg.props.namespaceName);
        if (ns && !list(ns.props.logExports).includes("useractivitylog"))
          report("the namespace does not export useractivitylog", ns.urn);
      }
    },
  }),
  // Security Hub CloudWatch.15, Checkov CKV_AWS_319.
  resourceRule({
    name: "cloudwatch-alarm-actions",
    description: "Every alarm notifies someone: it has alarm actions and they are enabled.",
    remediation: "Send the alarm to the environment's alerts topic and leave actionsEnabled on.",
    group: "reliability",
    resourceTypes: [T.alarm, T.compositeAlarm],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.actionsEnabled === false) report("has its actions disabled");
      if (list(r.props.alarmActions).length === 0) report("has no alarm actions");
    },
  }),
  // Security Hub DynamoDB.6, Checkov CKV_AWS_165 family.
  resourceRule({
    name: "dynamodb-deletion-protection",
    description:
      "Prod tables, expiring ones included, have deletion protection: a TTL expires items, it does not make deleting the whole table harmless.",
    remediation: "Set deletionProtectionEnabled to true (the prod profile does for every table).",
    group: "reliability",
    resourceTypes: [T.table],
    enforcement: PROD_ONLY,
    validate(r, report) {
      if (r.props.deletionProtectionEnabled !== true) report("has no deletion protection");
    },
  }),
  // Security Hub KMS.3.
  resourceRule({
    name: "kms-key-enabled",
    description: "The platform's keys are enabled: data under a disabled key cannot be read or written.",
    remediation: "Set isEnabled to true (or leave it unset); schedule deletion instead of disabling a key for good.",
    group: "reliability",
    resourceTypes: [T.key],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.isEnabled === false) report("is disabled");
    },
  }),
  // Checkov CKV_AWS_107 and CKV_AWS_108.
  resourceRule({
    name: "iam-no-credential-actions-on-all",
    description: `No identity policy allows decrypting, reading secrets or issuing credentials on every resource ('*'): ${CREDENTIAL_ACTIONS.slice(0, 2).join(", ")}, …`,
    remediation: "Name the keys, secrets or parameters the workload reads.",
    group: "security",
    resourceTypes: ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"],
    enforcement: ALWAYS,
    validate(r, report) {
      for (const doc of policyDocuments(r.type, r.props).filter((d) => d.kind === "identity"))
        for (const s of doc.statements) {
          if (s.Effect !== "Allow" || !list(s.Resource).includes("*")) continue;
          // Every action on "*" (the boundary's ceiling, or an admin grant) is iam-no-wildcard-admin's finding.
          for (const a of list(s.Action).filter((x) => x !== "*")) {
            const re = actionRe(a);
            const hit = CREDENTIAL_ACTIONS.filter((c) => re.test(c));
            if (hit.length > 0) report(`${doc.path} allows ${a} on "*" (${hit.slice(0, 3).join(", ")})`);
          }
        }
    },
  }),
  // Checkov CKV_AWS_70 / CKV_AWS_168 family, Security Hub S3.6 / SQS / SNS cross-account access.
  stackRule({
    name: "resource-policy-no-other-accounts",
    description:
      "Bucket, queue, topic, key and secret policies grant nothing to principals of other accounts: data stays in the stack's account.",
    remediation:
      "Remove the other account's principal; share through Lake Formation or a role that account assumes with an external id.",
    group: "security",
    resourceTypes: POLICY_DOCUMENT_TYPES.filter((t) => !t.startsWith("aws:iam/")),
    enforcement: ALWAYS,
    validate(resources, report) {
      const withDocs = resources
        .filter((r) => DOCUMENT_TYPES.has(r.type))
        .map((r) => ({ r, docs: policyDocuments(r.type, r.props) }));
      const home = homeAccount(withDocs.flatMap((x) => x.docs));
      if (!home) return;
      for (const { r, docs } of withDocs) {
        if (r.type.startsWith("aws:iam/")) continue;
        for (const doc of docs.filter((d) => d.kind === "resource"))
          for (const s of doc.statements) {
            if (s.Effect !== "Allow" || !s.Principal || typeof s.Principal !== "object") continue;
            for (const p of list((s.Principal as { AWS?: string | string[] }).AWS)) {
              const account = accountOfPrincipal(p);
              if (account && account !== home) report(`${doc.path} grants account ${account}`, r.urn);
            }
          }
      }
    },
  }),
  // Lake Formation best practice; Security Hub has no control, Checkov none either: external engines bypass LF.
  resourceRule({
    name: "lakeformation-no-external-data-filtering",
    description:
      "Lake Formation does not let external engines filter data themselves (allowExternalDataFiltering): they would receive whole files and be trusted to apply column and row filters.",
    remediation: "Set allowExternalDataFiltering to false and leave the allow lists empty (DataLake does).",
    group: "security",
    resourceTypes: [T.lfSettings],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.allowExternalDataFiltering === true) report("allows external data filtering");
      if (r.props.allowFullTableExternalDataAccess === true) report("allows full-table external data access");
    },
  }),
  // Security Hub StepFunctions (customer-managed key), Checkov CKV_AWS_284 family.
  resourceRule({
    name: "sfn-cmk-encryption",
    description: "State machines encrypt their definitions and execution data with a customer-managed KMS key.",
    remediation: "Set encryptionConfiguration { type: CUSTOMER_MANAGED_KMS_KEY, kmsKeyId } (Backfill does).",
    group: "security",
    resourceTypes: [T.machine],
    enforcement: SECURITY,
    validate(r, report) {
      const enc = r.props.encryptionConfiguration as { type?: string; kmsKeyId?: string } | undefined;
      if (enc?.type !== "CUSTOMER_MANAGED_KMS_KEY" || !enc.kmsKeyId)
        report("is not encrypted with a customer-managed key");
    },
  }),
];
