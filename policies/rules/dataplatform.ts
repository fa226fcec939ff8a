// Rules no generic scanner has: they know the platform's data domains, classifications and keys.
import type { PolicyResource } from "@pulumi/policy";
import { TAG } from "../../components/core/types";
import { ALWAYS, DEV_PROFILE, PlatformRule, PROD_PROFILE, resourceRule, stackRule, tagsOf } from "./define";
import { bucketOfUri, GLUE } from "./catalog";
import { classificationOf, ENCRYPTION_KEY_INPUTS, KEY_USER_TYPES, keyHolder, keyRefs, keyResolver, KMS } from "./graph";
import { isWorkloadLayer, S3 } from "./util";
import { stackIndex } from "./stack-index";

export const DATA = {
  redshiftWorkgroup: "aws:redshiftserverless/workgroup:Workgroup",
  rdsCluster: "aws:rds/cluster:Cluster",
  rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  rdsInstance: "aws:rds/instance:Instance",
  mskCluster: "aws:msk/cluster:Cluster",
  mskServerless: "aws:msk/serverlessCluster:ServerlessCluster",
  dynamoTable: "aws:dynamodb/table:Table",
  eksCluster: "aws:eks/cluster:Cluster",
  eksNodeGroup: "aws:eks/nodeGroup:NodeGroup",
  secret: "aws:secretsmanager/secret:Secret",
  kinesisStream: "aws:kinesis/stream:Stream",
} as const;

/** Domain value for platform-wide data (query results, the warehouse's shared schemas): owned by the platform owner. */
export const SHARED_DOMAIN = "shared";
const OWNER_TAG = "data-owner";
const STEWARD_TAG = TAG.steward;

/** Every type the domain rule looks at: whatever can carry a data-domain tag. */
const DOMAIN_TYPES = [
  S3.bucket,
  GLUE.database,
  ...Object.keys(ENCRYPTION_KEY_INPUTS).filter((t) => t !== S3.bucket),
  DATA.mskServerless,
];

/** A resource shared by several domains lists them separated by '.', e.g. the restricted bucket's `people.payroll`. */
const domainsOf = (r: PolicyResource): string[] =>
  (tagsOf(r.props)[TAG.dataDomain] ?? "").split(".").filter((d) => d && d !== SHARED_DOMAIN);

/** Sizes that keep dev cheap; a dev stack above them is a prod-sized mistake. */
export const DEV_CAPS = {
  mskInstanceTypes: ["kafka.t3.small", "kafka.m5.large", "kafka.m7g.large"],
  mskBrokers: 3,
  rdsInstanceClass: /^db\.(serverless|t3\.|t4g\.)/,
  auroraMaxAcu: 8,
  nodeSizes: ["nano", "micro", "small", "medium", "large", "xlarge"],
  nodeGroupMaxSize: 10,
  redshiftBaseRpu: 32,
  redshiftMaxRpu: 64,
} as const;
const ACCELERATED = /^(p|g|inf|trn|dl|f|vt)\d/;

type StatefulCheck = (r: PolicyResource) => string[];
/**
 * What "cannot lose data" means per stateful type, besides `protect`. Types with a module of their own are judged
 * there, not twice: buckets (s3-prod-no-force-destroy), the warehouse's namespace and Aurora cluster (warehouse-*),
 * DynamoDB point-in-time recovery (dynamodb-point-in-time-recovery).
 */
const STATEFUL: Readonly<Record<string, StatefulCheck>> = {
  [KMS.key]: () => [],
  [GLUE.database]: () => [],
  [DATA.mskCluster]: () => [],
  [DATA.mskServerless]: () => [],
  [DATA.kinesisStream]: () => [],
  [DATA.dynamoTable]: (r) => (r.props.deletionProtectionEnabled === true ? [] : ["deletion protection is off"]),
  [DATA.rdsInstance]: (r) => rdsChecks(r),
  [DATA.eksCluster]: (r) => (r.props.deletionProtection === true ? [] : ["deletion protection is off"]),
  [DATA.secret]: (r) => (r.props.recoveryWindowInDays === 0 ? ["is deleted without a recovery window"] : []),
};
/** A deleted secret stays restorable for its recovery window, which is its safety net; `protect` is not required. */
const RECOVERABLE_WITHOUT_PROTECT: readonly string[] = [DATA.secret];

function rdsChecks(r: PolicyResource): string[] {
  const out: string[] = [];
  if (r.props.deletionProtection !== true) out.push("deletion protection is off");
  if (r.props.skipFinalSnapshot === true) out.push("skips the final snapshot");
  else if (!r.props.finalSnapshotIdentifier) out.push("names no final snapshot");
  if ((r.props.backupRetentionPeriod ?? 1) < 7)
    out.push(`keeps backups ${r.props.backupRetentionPeriod ?? 1} day(s), not 7 or more`);
  return out;
}

export const dataPlatformRules: PlatformRule[] = [
  stackRule({
    name: "data-domain-owned",
    description:
      "Every data-domain a resource is tagged with has an owner and a steward: some resource of that domain (the lake's Glue databases) carries data-owner and data-steward tags. 'shared' is the platform's own.",
    remediation:
      "Declare the domain under platform.domains with owner and steward; the lake then tags its Glue databases with them.",
    group: "governance",
    resourceTypes: DOMAIN_TYPES,
    enforcement: ALWAYS,
    validate(resources, report) {
      const owned = new Set(
        resources.filter((r) => tagsOf(r.props)[OWNER_TAG] && tagsOf(r.props)[STEWARD_TAG]).flatMap(domainsOf),
      );
      // The domains' databases are the foundation's; the workload layer is built from the same config.
      if (owned.size === 0 && isWorkloadLayer(resources)) return;
      for (const r of resources) {
        const orphans = domainsOf(r).filter((d) => !owned.has(d));
        if (orphans.length > 0)
          report(`'${r.name}' belongs to domain ${orphans.join(", ")}, which has no owner and steward`, r.urn);
      }
    },
  }),
  stackRule({
    name: "data-key-matches-classification",
    description:
      "Every classified data store (bucket, warehouse, topic, queue, table, secret, log group…) that names a KMS key names the stack's key of exactly its data-classification.",
    remediation:
      "Pass security.keyArns[<the data's classification>] as the store's key (SecureBucket kmsKeyArn, kmsKeyId, …).",
    group: "security",
    resourceTypes: [...Object.keys(ENCRYPTION_KEY_INPUTS), S3.sse, KMS.key, KMS.alias],
    enforcement: ALWAYS,
    validate(resources, report) {
      const resolve = keyResolver(resources);
      const keysElsewhere = isWorkloadLayer(resources) && stackIndex(resources).ofType(KMS.key).length === 0;
      for (const r of stackIndex(resources)
        .ofType(...Object.keys(ENCRYPTION_KEY_INPUTS))
        .filter(classificationOf)) {
        const c = classificationOf(r);
        // A store without any customer-managed key is its type's encryption rule's finding (s3-kms-encryption,
        // warehouse-kms-cmk, msk-kms-cmk, logs-kms-encrypted, secrets-kms-cmk, …); here the key must be the right one.
        for (const ref of keyRefs(r, resources)) {
          const key = resolve(ref, keyHolder(r, resources));
          if (!key && keysElsewhere) continue;
          if (!key)
            report(
              `'${r.name}' uses key '${ref}', which this stack does not declare, so its classification cannot be checked`,
              r.urn,
            );
          else if (classificationOf(key) !== c)
            report(
              `'${r.name}' is classified ${c} but encrypted with the ${classificationOf(key) ?? "unclassified"} key '${key.name}'`,
              r.urn,
            );
        }
      }
    },
  }),
  stackRule({
    name: "kms-restricted-key-only-restricted-data",
    description:
      "The restricted key encrypts restricted data only: anything else under it would become unreadable to the people cleared for it and readable only with clearance.",
    remediation:
      "Encrypt the resource with its own classification's key, or tag it restricted if it holds restricted data.",
    group: "security",
    resourceTypes: [...KEY_USER_TYPES, KMS.key],
    enforcement: ALWAYS,
    validate(resources, report) {
      const resolve = keyResolver(resources);
      for (const r of stackIndex(resources).ofType(...KEY_USER_TYPES)) {
        for (const ref of keyRefs(r, resources)) {
          const key = resolve(ref, keyHolder(r, resources));
          if (key && classificationOf(key) === "restricted" && classificationOf(r) !== "restricted") {
            report(
              `'${r.name}' (${classificationOf(r) ?? "unclassified"}) is encrypted with the restricted key`,
              r.urn,
            );
          }
        }
      }
    },
  }),
  stackRule({
    name: "data-restricted-in-restricted-zone",
    description:
      "Restricted Glue databases live in a bucket encrypted with the restricted key; restricted data never shares a zone bucket with less sensitive data.",
    remediation:
      "Classify the domain restricted in config: DataLake then places its databases under the restricted bucket.",
    group: "security",
    resourceTypes: [GLUE.database, S3.bucket, S3.sse, KMS.key],
    enforcement: ALWAYS,
    validate(resources, report) {
      const resolve = keyResolver(resources);
      const buckets = new Map(
        stackIndex(resources)
          .ofType(S3.bucket)
          .map((b) => [b.props.bucket as string, b]),
      );
      for (const db of resources.filter((r) => r.type === GLUE.database && classificationOf(r) === "restricted")) {
        const name = bucketOfUri(db.props.locationUri);
        const bucket = name ? buckets.get(name) : undefined;
        if (!bucket) {
          report(
            `restricted database '${db.name}' lives outside the stack's buckets (${db.props.locationUri ?? "no location"})`,
            db.urn,
          );
          continue;
        }
        const keys = keyRefs(bucket, resources).map((ref) => resolve(ref, keyHolder(bucket, resources)));
        if (!keys.some((k) => k && classificationOf(k) === "restricted"))
          report(
            `restricted database '${db.name}' lives in '${name}', which is not encrypted with the restricted key`,
            db.urn,
          );
      }
    },
  }),
  stackRule({
    name: "data-prod-stateful-protected",
    description:
      "In prod, every other stateful resource (keys, Glue databases, Kafka, streams, tables, RDS instances, EKS, secrets) is marked protect and keeps its own safety net: deletion protection, final snapshot, backups, a secret's recovery window.",
    remediation:
      "Pass { protect: ctx.protect, retainOnDelete: ctx.retainOnDelete } and set the type's deletion-protection inputs from the prod profile.",
    group: "reliability",
    resourceTypes: Object.keys(STATEFUL),
    enforcement: PROD_PROFILE,
    validate(resources, report) {
      // A table whose items all expire (TTL: idempotency keys, dedup windows) is a cache: replacing it loses nothing lasting.
      const cache = (r: PolicyResource) => r.type === DATA.dynamoTable && r.props.ttl?.enabled === true;
      for (const r of resources.filter((x) => STATEFUL[x.type] && !cache(x))) {
        const unprotected = !r.opts.protect && !RECOVERABLE_WITHOUT_PROTECT.includes(r.type);
        const problems = [...(unprotected ? ["is not marked protect"] : []), ...STATEFUL[r.type](r)];
        if (problems.length > 0) report(`'${r.name}' ${problems.join("; ")}`, r.urn);
      }
    },
  }),
  resourceRule({
    name: "cost-dev-msk-size",
    description: `Dev Kafka uses small brokers (${DEV_CAPS.mskInstanceTypes.join(", ")}) and at most ${DEV_CAPS.mskBrokers} of them.`,
    remediation: "Use the dev profile's Kafka size, or MSK Serverless.",
    group: "cost",
    resourceTypes: [DATA.mskCluster],
    enforcement: DEV_PROFILE,
    validate(r, report) {
      const type = r.props.brokerNodeGroupInfo?.instanceType as string | undefined;
      if (type && !(DEV_CAPS.mskInstanceTypes as readonly string[]).includes(type)) report(`brokers are ${type}`);
      if ((r.props.numberOfBrokerNodes ?? 0) > DEV_CAPS.mskBrokers) report(`${r.props.numberOfBrokerNodes} brokers`);
    },
  }),
  resourceRule({
    name: "cost-dev-rds-size",
    description: `Dev databases are burstable or serverless (at most ${DEV_CAPS.auroraMaxAcu} ACU).`,
    remediation: "Use db.serverless with a small maximum, or a db.t4g class, in dev.",
    group: "cost",
    resourceTypes: [DATA.rdsCluster, DATA.rdsClusterInstance, DATA.rdsInstance],
    enforcement: DEV_PROFILE,
    validate(r, report) {
      const cls = r.props.instanceClass as string | undefined;
      if (cls && !DEV_CAPS.rdsInstanceClass.test(cls)) report(`instance class ${cls}`);
      const max = r.props.serverlessv2ScalingConfiguration?.maxCapacity as number | undefined;
      if (max !== undefined && max > DEV_CAPS.auroraMaxAcu) report(`scales to ${max} ACU`);
    },
  }),
  resourceRule({
    name: "cost-dev-eks-node-size",
    description: `Dev node groups use instances up to xlarge, no accelerated (GPU) families, and at most ${DEV_CAPS.nodeGroupMaxSize} nodes.`,
    remediation: "Use the dev profile's node groups; put large or GPU work in staging.",
    group: "cost",
    resourceTypes: [DATA.eksNodeGroup],
    enforcement: DEV_PROFILE,
    validate(r, report) {
      for (const type of (r.props.instanceTypes ?? []) as string[]) {
        const [family, size] = type.split(".");
        if (ACCELERATED.test(family)) report(`${type} is an accelerated instance`);
        else if (!(DEV_CAPS.nodeSizes as readonly string[]).includes(size)) report(`${type} is larger than xlarge`);
      }
      const max = r.props.scalingConfig?.maxSize as number | undefined;
      if (max !== undefined && max > DEV_CAPS.nodeGroupMaxSize) report(`scales to ${max} nodes`);
    },
  }),
  resourceRule({
    name: "cost-dev-redshift-capacity",
    description: `Dev Redshift Serverless runs at most ${DEV_CAPS.redshiftBaseRpu} base RPU and scales to at most ${DEV_CAPS.redshiftMaxRpu}.`,
    remediation: "Use the dev profile's warehouse.redshift capacity (8 base, 32 max).",
    group: "cost",
    resourceTypes: [DATA.redshiftWorkgroup],
    enforcement: DEV_PROFILE,
    validate(r, report) {
      if ((r.props.baseCapacity ?? 0) > DEV_CAPS.redshiftBaseRpu) report(`base capacity ${r.props.baseCapacity} RPU`);
      if ((r.props.maxCapacity ?? 0) > DEV_CAPS.redshiftMaxRpu) report(`maximum capacity ${r.props.maxCapacity} RPU`);
    },
  }),
];
