import { ALWAYS, PlatformRule, PROD_ONLY, resourceRule, SECURITY, stackRule } from "./define";
import { stackIndex } from "./stack-index";

// Rules for the relational warehouse, whichever engine runs it: Redshift Serverless (namespace + workgroup) or
// Aurora PostgreSQL (cluster + instances + cluster parameter group).

export const WAREHOUSE_TYPES = {
  namespace: "aws:redshiftserverless/namespace:Namespace",
  workgroup: "aws:redshiftserverless/workgroup:Workgroup",
  cluster: "aws:rds/cluster:Cluster",
  instance: "aws:rds/clusterInstance:ClusterInstance",
  parameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  schedule: "aws:scheduler/schedule:Schedule",
} as const;
const W = WAREHOUSE_TYPES;

/** Fewer days of backups than this cannot cover a week-end plus the time to notice. */
export const MIN_BACKUP_DAYS = 7;

/** A customer-managed key is named by its key ARN; aliases such as alias/aws/rds are AWS-managed keys. */
export const isKeyArn = (v: unknown): boolean =>
  typeof v === "string" && /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(v);

const params = (list: unknown, key: string, value: string, k = "name", v = "value") =>
  Array.isArray(list) && list.some((p: Record<string, unknown>) => p?.[k] === key && String(p?.[v]) === value);

export const warehouseRules: PlatformRule[] = [
  resourceRule({
    name: "warehouse-not-public",
    description:
      "The warehouse is reachable only from inside the VPC: no public endpoint on the workgroup or any instance.",
    remediation:
      "Set publiclyAccessible: false (the Warehouse component always does); reach the warehouse through the VPC.",
    group: "security",
    resourceTypes: [W.workgroup, W.instance],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.publiclyAccessible === true) report("is publicly accessible");
      if (r.type === W.workgroup && !(Array.isArray(r.props.subnetIds) && r.props.subnetIds.length > 0))
        report("names no subnets: it would run in the default VPC");
    },
  }),
  resourceRule({
    name: "warehouse-kms-cmk",
    description: "Warehouse storage is encrypted with one of the platform's customer-managed KMS keys.",
    remediation: "Pass the key ARN of the data's classification (kmsKeyId), with storageEncrypted: true on Aurora.",
    group: "security",
    resourceTypes: [W.namespace, W.cluster],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.type === W.cluster && r.props.storageEncrypted !== true) report("storage is not encrypted");
      if (!isKeyArn(r.props.kmsKeyId))
        report(`is not encrypted with a customer-managed key (kmsKeyId: ${r.props.kmsKeyId ?? "unset"})`);
    },
  }),
  stackRule({
    name: "warehouse-ssl-required",
    description: "The warehouse refuses unencrypted connections: require_ssl on Redshift, rds.force_ssl=1 on Aurora.",
    remediation:
      "Keep the Warehouse component's workgroup parameters / cluster parameter group; never attach the default parameter group.",
    group: "security",
    resourceTypes: [W.workgroup, W.cluster],
    enforcement: SECURITY,
    validate(resources, report) {
      for (const wg of stackIndex(resources).ofType(W.workgroup)) {
        if (!params(wg.props.configParameters, "require_ssl", "true", "parameterKey", "parameterValue"))
          report("require_ssl is not set to true", wg.urn);
      }
      for (const c of stackIndex(resources).ofType(W.cluster)) {
        const name = c.props.dbClusterParameterGroupName;
        const [group] = stackIndex(resources).withInput(W.parameterGroup, "name", name);
        if (!name || !group)
          report(
            "uses no parameter group of this program, so rds.force_ssl is off (the default group allows plaintext)",
            c.urn,
          );
        else if (!params(group.props.parameters, "rds.force_ssl", "1"))
          report(`parameter group '${name}' does not set rds.force_ssl=1`, c.urn);
      }
    },
  }),
  resourceRule({
    name: "warehouse-audit-logging",
    description:
      "The warehouse exports its audit logs: connections and user changes (Redshift), the PostgreSQL log (Aurora).",
    remediation:
      "Redshift: logExports [connectionlog, userlog, useractivitylog]. Aurora: enabledCloudwatchLogsExports [postgresql].",
    group: "security",
    resourceTypes: [W.namespace, W.cluster],
    enforcement: SECURITY,
    validate(r, report) {
      const exported = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
      if (r.type === W.namespace) {
        const missing = ["connectionlog", "userlog"].filter((l) => !exported(r.props.logExports).includes(l));
        if (missing.length) report(`does not export ${missing.join(", ")}`);
      } else if (!exported(r.props.enabledCloudwatchLogsExports).includes("postgresql")) {
        report("does not export the postgresql log");
      }
    },
  }),
  stackRule({
    name: "warehouse-backup-retention",
    description: `Prod warehouses keep backups at least ${MIN_BACKUP_DAYS} days: Aurora's backup retention, or a daily Redshift snapshot schedule.`,
    remediation: "Use the prod profile's backupRetentionDays / snapshotRetentionDays (35).",
    group: "reliability",
    resourceTypes: [W.cluster, W.namespace, W.schedule],
    enforcement: PROD_ONLY,
    validate(resources, report) {
      for (const c of stackIndex(resources).ofType(W.cluster)) {
        const days = Number(c.props.backupRetentionPeriod ?? 1);
        if (days < MIN_BACKUP_DAYS) report(`keeps backups ${days} day(s); at least ${MIN_BACKUP_DAYS} required`, c.urn);
      }
      const snapshotRetention = (name: unknown): number | undefined => {
        for (const s of resources.filter(
          (r) =>
            r.type === W.schedule && String(r.props.target?.arn ?? "").endsWith(":redshiftserverless:createSnapshot"),
        )) {
          try {
            const input = JSON.parse(String(s.props.target?.input)) as {
              NamespaceName?: string;
              RetentionPeriod?: number;
            };
            if (input.NamespaceName === name) return Number(input.RetentionPeriod ?? -1);
          } catch {
            continue;
          }
        }
        return undefined;
      };
      for (const ns of stackIndex(resources).ofType(W.namespace)) {
        const days = snapshotRetention(ns.props.namespaceName);
        if (days === undefined) report("has no scheduled snapshots (recovery points last 24 hours)", ns.urn);
        else if (days !== -1 && days < MIN_BACKUP_DAYS)
          report(`keeps snapshots ${days} day(s); at least ${MIN_BACKUP_DAYS} required`, ns.urn);
      }
    },
  }),
  resourceRule({
    name: "warehouse-deletion-protection",
    description: "Prod Aurora clusters cannot be deleted by an API call until deletion protection is turned off.",
    remediation: "Set deletionProtection: true (the Warehouse component does in prod).",
    group: "reliability",
    resourceTypes: [W.cluster],
    enforcement: PROD_ONLY,
    validate(r, report) {
      if (r.props.deletionProtection !== true) report("deletion protection is off");
    },
  }),
  resourceRule({
    name: "warehouse-final-snapshot",
    description: "Deleting a prod Aurora cluster leaves a final snapshot.",
    remediation: "Set skipFinalSnapshot: false with a finalSnapshotIdentifier (only dev may skip it).",
    group: "reliability",
    resourceTypes: [W.cluster],
    enforcement: PROD_ONLY,
    validate(r, report) {
      if (r.props.skipFinalSnapshot === true) report("skips the final snapshot");
      else if (!r.props.finalSnapshotIdentifier)
        report("has no finalSnapshotIdentifier, so deletion fails or leaves nothing");
    },
  }),
  resourceRule({
    name: "warehouse-protect",
    description:
      "Prod warehouse storage (Redshift namespace, Aurora cluster) is marked protect, so no `pulumi up` or `destroy` can delete it.",
    remediation: "Pass protect: ctx.protect (true in prod) on the namespace or cluster.",
    group: "reliability",
    resourceTypes: [W.namespace, W.cluster],
    enforcement: PROD_ONLY,
    validate(r, report) {
      if (r.opts.protect !== true) report("is not protected");
    },
  }),
];
