import * as pulumi from "@pulumi/pulumi";
import { doc, PolicyDocument, Statement } from "../core/iam";
import type { Classification, Zone } from "../core/types";
import { glueDatabaseName } from "../lake/DataLake";
import { consumeStatements } from "../streaming/iam";

// IAM for pods: plain functions that build least-privilege documents from resolved ARNs (tests evaluate them with
// an IAM simulator), and one helper that turns a document into a role under the boundary plus a Pod Identity
// association.

/** One lake zone as the compute components need it (DataLake's `ZoneRefs`). */
export interface LakeZoneRef {
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
  readonly classification: Classification;
}

/** What Spark and the query engine read from the lake component. */
export interface LakeAccess {
  readonly zones: Record<Zone, LakeZoneRef>;
  /** The bucket of restricted domains (`DataLake.restricted`), laid out `<zone>/<domain>/`. */
  readonly restricted?: LakeZoneRef;
  /** Glue database names by `<domain>_<zone>` (`DataLake.databases`); present: Lake Formation grants are created. */
  readonly databases?: Record<string, pulumi.Input<string>>;
  /** Access logs of buckets this module creates go here (`DataLake.accessLogBucketName`). */
  readonly accessLogBucketName?: pulumi.Input<string>;
}

/** A zone with every ARN resolved. */
export interface ResolvedZone {
  readonly bucketArn: string;
  readonly keyArn: string;
}

export interface ResolvedLake {
  readonly zones: Record<Zone, ResolvedZone>;
  readonly restricted?: ResolvedZone;
}

export interface DomainRef {
  readonly name: string;
  readonly classification: Classification;
}

/** Where one domain's data of one zone lives: the DataLake layout (restricted domains in their own bucket). */
export function domainLocation(
  lake: ResolvedLake,
  domain: DomainRef,
  zone: Zone,
): { bucketArn: string; keyArn: string; prefix: string } {
  if (domain.classification === "restricted") {
    if (!lake.restricted)
      throw new Error(`domain '${domain.name}' is restricted but the lake has no restricted bucket`);
    return { ...lake.restricted, prefix: `${zone}/${domain.name}/` };
  }
  return { ...lake.zones[zone], prefix: `${domain.name}/` };
}

const S3_READ = ["s3:GetObject", "s3:GetObjectVersion"];
const S3_WRITE = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];
const KMS_READ = ["kms:Decrypt", "kms:DescribeKey"];
const KMS_WRITE = [
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
];
const GLUE_READ = [
  "glue:GetDatabase",
  "glue:GetTable",
  "glue:GetTables",
  "glue:GetTableVersions",
  "glue:GetPartition",
  "glue:GetPartitions",
  "glue:BatchGetPartition",
];
const GLUE_WRITE = [
  "glue:CreateTable",
  "glue:UpdateTable",
  "glue:DeleteTable",
  "glue:BatchDeleteTable",
  "glue:CreatePartition",
  "glue:BatchCreatePartition",
  "glue:UpdatePartition",
  "glue:BatchUpdatePartition",
  "glue:DeletePartition",
  "glue:BatchDeletePartition",
];

interface Location {
  readonly bucketArn: string;
  readonly keyArn: string;
  /** Key prefix; "" for the whole bucket. */
  readonly prefix: string;
}

/** S3 and KMS statements for reading some locations and writing others; keys are usable only through S3. */
export function s3Statements(
  sid: string,
  region: string,
  reads: readonly Location[],
  writes: readonly Location[],
): Statement[] {
  const all = [...reads, ...writes];
  if (all.length === 0) return [];
  const objects = (ls: readonly Location[]) => unique(ls.map((l) => `${l.bucketArn}/${l.prefix}*`));
  const statements: Statement[] = [];
  // ListBucket is per bucket; the prefix condition keeps a domain from listing its neighbours' keys.
  // GetBucketLocation carries no s3:prefix, so it cannot share that statement.
  const buckets = unique(all.map((l) => l.bucketArn));
  statements.push({ Sid: `${sid}Location`, Effect: "Allow", Action: "s3:GetBucketLocation", Resource: buckets });
  for (const bucketArn of buckets) {
    const prefixes = unique(all.filter((l) => l.bucketArn === bucketArn).map((l) => l.prefix));
    statements.push({
      Sid: `${sid}List${statements.length - 1}`,
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      ...(prefixes.includes("")
        ? {}
        : { Condition: { StringLike: { "s3:prefix": prefixes.flatMap((p) => [p, `${p}*`]) } } }),
    });
  }
  statements.push({ Sid: `${sid}Read`, Effect: "Allow", Action: S3_READ, Resource: objects(all) });
  if (writes.length > 0)
    statements.push({ Sid: `${sid}Write`, Effect: "Allow", Action: S3_WRITE, Resource: objects(writes) });
  const via = { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } };
  const writeKeys = unique(writes.map((l) => l.keyArn));
  const readOnlyKeys = unique(reads.map((l) => l.keyArn)).filter((k) => !writeKeys.includes(k));
  if (readOnlyKeys.length > 0)
    statements.push({
      Sid: `${sid}KeysRead`,
      Effect: "Allow",
      Action: KMS_READ,
      Resource: readOnlyKeys,
      Condition: via,
    });
  if (writeKeys.length > 0)
    statements.push({
      Sid: `${sid}KeysWrite`,
      Effect: "Allow",
      Action: KMS_WRITE,
      Resource: writeKeys,
      Condition: via,
    });
  return statements;
}

export interface GlueScope {
  readonly region: string;
  readonly accountId: string;
  readonly readDatabases: readonly string[];
  readonly writeDatabases: readonly string[];
}

/** Glue Data Catalog access to named databases and their tables only (Lake Formation still has to grant). */
export function glueStatements(sid: string, scope: GlueScope): Statement[] {
  const base = `arn:aws:glue:${scope.region}:${scope.accountId}`;
  const resources = (dbs: readonly string[]) => [
    `${base}:catalog`,
    ...dbs.flatMap((db) => [`${base}:database/${db}`, `${base}:table/${db}/*`]),
  ];
  const all = unique([...scope.readDatabases, ...scope.writeDatabases]);
  if (all.length === 0) return [];
  const statements: Statement[] = [
    // Listing databases needs the catalog and the database wildcard; Lake Formation filters what is returned.
    {
      Sid: `${sid}ListDatabases`,
      Effect: "Allow",
      Action: "glue:GetDatabases",
      Resource: [`${base}:catalog`, `${base}:database/*`],
    },
    { Sid: `${sid}Read`, Effect: "Allow", Action: GLUE_READ, Resource: resources(all) },
  ];
  if (scope.writeDatabases.length > 0)
    statements.push({
      Sid: `${sid}Write`,
      Effect: "Allow",
      Action: GLUE_WRITE,
      Resource: resources(scope.writeDatabases),
    });
  return statements;
}

export interface SparkDomainPolicyInput {
  readonly region: string;
  readonly accountId: string;
  readonly prefix: string;
  readonly lake: ResolvedLake;
  readonly domain: DomainRef;
  readonly reads: readonly Zone[];
  readonly writes: readonly Zone[];
  /** Where the domain's jobs write Spark event logs. */
  readonly eventLogs: Location;
  /** Topics the domain's streaming applications read, each in its own consumer group. @default none */
  readonly kafka?: { readonly clusterArn: string; readonly consumers: readonly { topic: string; group: string }[] };
}

/**
 * A domain's Spark identity: its own prefix in the zones its jobs read and write, those zones' keys (through S3
 * only), its Glue databases in those zones, and its event-log prefix. Nothing of other domains, nothing else.
 */
export function sparkDomainPolicy(input: SparkDomainPolicyInput): PolicyDocument {
  const { lake, domain } = input;
  const loc = (z: Zone) => domainLocation(lake, domain, z);
  const readOnly = input.reads.filter((z) => !input.writes.includes(z));
  const db = (z: Zone) => glueDatabaseName(input.prefix, domain.name, z);
  return doc(
    ...s3Statements("Lake", input.region, readOnly.map(loc), input.writes.map(loc)),
    ...s3Statements("EventLogs", input.region, [], [input.eventLogs]),
    ...glueStatements("Catalog", {
      region: input.region,
      accountId: input.accountId,
      readDatabases: readOnly.map(db),
      writeDatabases: input.writes.map(db),
    }),
    ...(input.kafka?.consumers ?? []).flatMap((c, i) =>
      consumeStatements(input.kafka!.clusterArn, c.topic, c.group).map((st) => ({ ...st, Sid: `Stream${i}${st.Sid}` })),
    ),
  );
}

/** The history server reads event logs and nothing else. */
export function historyServerPolicy(region: string, eventLogs: Location): PolicyDocument {
  return doc(...s3Statements("EventLogs", region, [eventLogs], []));
}

/** The zones the query engine serves: analysts and engineers never reach raw or restricted data through it. */
export const QUERY_ZONES: readonly Zone[] = ["curated", "analytics"];
/** Engineers may create tables (CTAS) in this zone only. */
export const QUERY_WRITE_ZONE: Zone = "analytics";

export interface QueryEnginePolicyInput {
  readonly region: string;
  readonly accountId: string;
  readonly prefix: string;
  readonly lake: ResolvedLake;
  /** Non-restricted domains: their curated and analytics databases are catalogued. */
  readonly domains: readonly DomainRef[];
  readonly exchange?: Location;
  readonly kafka?: { readonly clusterArn: string; readonly topics: readonly string[] };
}

/**
 * The query engine's identity: read curated and analytics, write analytics, the exchange bucket in prod, and
 * Kafka topics read-only. Raw and restricted are absent, so rules-file mistakes cannot expose them either.
 */
export function queryEnginePolicy(input: QueryEnginePolicyInput): PolicyDocument {
  const domains = input.domains.filter((d) => d.classification !== "restricted");
  const zone = (z: Zone): Location => ({ ...input.lake.zones[z], prefix: "" });
  const reads = QUERY_ZONES.filter((z) => z !== QUERY_WRITE_ZONE).map(zone);
  const db = (z: Zone) => domains.map((d) => glueDatabaseName(input.prefix, d.name, z));
  const statements: Statement[] = [
    ...s3Statements("Lake", input.region, reads, [zone(QUERY_WRITE_ZONE)]),
    ...glueStatements("Catalog", {
      region: input.region,
      accountId: input.accountId,
      readDatabases: QUERY_ZONES.filter((z) => z !== QUERY_WRITE_ZONE).flatMap(db),
      writeDatabases: db(QUERY_WRITE_ZONE),
    }),
  ];
  if (input.exchange) statements.push(...s3Statements("Exchange", input.region, [], [input.exchange]));
  if (input.kafka) statements.push(...kafkaReadStatements(input.kafka.clusterArn, input.kafka.topics));
  return doc(...statements);
}

/** MSK IAM: connect, describe and read the listed topics, with a consumer group per engine. */
export function kafkaReadStatements(clusterArn: string, topics: readonly string[]): Statement[] {
  // arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> → topic/<name>/<uuid>/<topic>
  const [head, tail] = clusterArn.split(":cluster/");
  return [
    {
      Sid: "KafkaConnect",
      Effect: "Allow",
      Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
      Resource: clusterArn,
    },
    {
      Sid: "KafkaTopics",
      Effect: "Allow",
      Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
      Resource: topics.map((t) => `${head}:topic/${tail}/${t}`),
    },
    {
      Sid: "KafkaGroups",
      Effect: "Allow",
      Action: ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
      Resource: `${head}:group/${tail}/query-engine-*`,
    },
  ];
}

/** Reading named Secrets Manager secrets, decrypting through Secrets Manager only. */
export function secretReadPolicy(
  region: string,
  secretArns: readonly string[],
  keyArns: readonly string[],
): PolicyDocument {
  return doc(
    {
      Sid: "ReadSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: unique(secretArns),
    },
    {
      Sid: "DecryptViaSecretsManager",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: unique(keyArns),
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
    },
  );
}

/**
 * Trust for EKS Pod Identity: only the Pod Identity service, only on behalf of this account's one cluster.
 * `sts:TagSession` lets the agent attach the namespace and service account as session tags.
 */
export function podIdentityTrust(accountId: string, clusterArn: string): PolicyDocument {
  return doc({
    Effect: "Allow",
    Principal: { Service: "pods.eks.amazonaws.com" },
    Action: ["sts:AssumeRole", "sts:TagSession"],
    Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnEquals: { "aws:SourceArn": clusterArn } },
  });
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
