import { doc, PolicyDocument, Statement } from "../core/iam";
import type { WarehouseEngine } from "../warehouse/config";

// Plain values and documents BiAccess is built from; tests call these directly.

export function workgroupName(prefix: string, group: string): string {
  return `${prefix}-${group}`;
}

export interface WorkgroupInput {
  readonly accountId: string;
  readonly resultsBucket: string;
  readonly resultsKeyArn: string;
  readonly group: string;
  readonly engineVersion: string;
  readonly bytesScannedCutoffPerQueryGb: number;
}

/**
 * A workgroup's settings, enforced: clients cannot pick another result location, turn encryption off or lift the
 * scan limit. Results land under the group's own prefix, encrypted with the results bucket's key, and only in a
 * bucket this account owns (a typo cannot ship results to someone else's bucket).
 */
export function workgroupConfiguration(input: WorkgroupInput) {
  return {
    enforceWorkgroupConfiguration: true,
    publishCloudwatchMetricsEnabled: true,
    requesterPaysEnabled: false,
    bytesScannedCutoffPerQuery: Math.round(input.bytesScannedCutoffPerQueryGb * 1e9),
    engineVersion: { selectedEngineVersion: input.engineVersion },
    resultConfiguration: {
      outputLocation: `s3://${input.resultsBucket}/${input.group}/`,
      expectedBucketOwner: input.accountId,
      encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: input.resultsKeyArn },
    },
  };
}

export interface ConsumerInput {
  readonly region: string;
  readonly accountId: string;
  readonly workgroups: readonly { readonly name: string; readonly group: string }[];
  readonly resultsBucketArn: string;
  readonly resultsKeyArn: string;
  /** The BI warehouse login's secret, when this persona may read it. */
  readonly secret?: { readonly arn: string; readonly keyArn: string };
}

const ATHENA_QUERY = [
  "athena:StartQueryExecution",
  "athena:StopQueryExecution",
  "athena:GetQueryExecution",
  "athena:GetQueryResults",
  "athena:GetQueryResultsStream",
  "athena:BatchGetQueryExecution",
  "athena:ListQueryExecutions",
  "athena:GetWorkGroup",
  "athena:CreateNamedQuery",
  "athena:GetNamedQuery",
  "athena:BatchGetNamedQuery",
  "athena:ListNamedQueries",
  "athena:DeleteNamedQuery",
];
const ATHENA_CATALOG = [
  "athena:ListWorkGroups",
  "athena:ListDataCatalogs",
  "athena:GetDataCatalog",
  "athena:ListDatabases",
  "athena:GetDatabase",
  "athena:ListTableMetadata",
  "athena:GetTableMetadata",
  "athena:ListEngineVersions",
];

/**
 * What one persona needs to query through its workgroups: the workgroups themselves, read and write of their
 * result prefixes (Athena writes results with the caller's permissions) with the results key used only through
 * S3 for that bucket, and, for the personas listed, the BI login's secret through Secrets Manager only.
 */
export function consumerPolicy(input: ConsumerInput): PolicyDocument {
  const results = input.workgroups.map((w) => `${input.resultsBucketArn}/${w.group}/*`);
  const statements: Statement[] = [
    {
      Sid: "AthenaQueries",
      Effect: "Allow",
      Action: ATHENA_QUERY,
      Resource: input.workgroups.map((w) => `arn:aws:athena:${input.region}:${input.accountId}:workgroup/${w.name}`),
    },
    { Sid: "AthenaCatalog", Effect: "Allow", Action: ATHENA_CATALOG, Resource: "*" },
    // Athena asks for the results bucket's location; that request carries no s3:prefix, hence its own statement.
    { Sid: "ResultsLocation", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: input.resultsBucketArn },
    {
      Sid: "ResultsList",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: input.resultsBucketArn,
      Condition: { StringLike: { "s3:prefix": input.workgroups.flatMap((w) => [`${w.group}/`, `${w.group}/*`]) } },
    },
    {
      Sid: "Results",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      Resource: results,
    },
    {
      Sid: "ResultsKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: input.resultsKeyArn,
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${input.region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [input.resultsBucketArn, `${input.resultsBucketArn}/*`] },
      },
    },
    // DescribeKey carries no encryption context, so it is scoped by the calling service alone.
    {
      Sid: "ResultsKeyDescribe",
      Effect: "Allow",
      Action: "kms:DescribeKey",
      Resource: input.resultsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${input.region}.amazonaws.com` } },
    },
  ];
  if (input.secret) {
    statements.push(
      {
        Sid: "WarehouseLogin",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: input.secret.arn,
      },
      {
        Sid: "WarehouseLoginKey",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: input.secret.keyArn,
        Condition: {
          StringEquals: {
            "kms:ViaService": `secretsmanager.${input.region}.amazonaws.com`,
            "kms:EncryptionContext:SecretARN": input.secret.arn,
          },
        },
      },
    );
  }
  return doc(...statements);
}

// ---------------------------------------------------------------------------------------------------------------
// Connections for BI tools

/** JDBC URL of the warehouse with certificate verification on (both engines accept only TLS). */
export function warehouseJdbcUrl(engine: WarehouseEngine, host: string, port: number, database: string): string {
  return engine === "redshift-serverless"
    ? `jdbc:redshift://${host}:${port}/${database}?ssl=true&sslmode=verify-full`
    : `jdbc:postgresql://${host}:${port}/${database}?sslmode=verify-full`;
}

export interface QueryEngineEndpoint {
  readonly engine: "trino" | "presto";
  /** The internal load balancer's (or in-cluster service's) host name. */
  readonly host: string;
  readonly port: number;
  readonly authentication: "password" | "oauth2";
  /** Catalog a connection opens by default. @default "lake" */
  readonly catalog?: string;
  /** The listener speaks TLS. @default true */
  readonly tls?: boolean;
}

/**
 * The query engine's internal load balancer as BI tools reach it: 443 with TLS (Presto always; Trino when the
 * listener has a certificate), otherwise plain HTTP on 80, which only dev allows.
 */
export function queryEngineEndpoint<H>(
  q: {
    readonly engine: "trino" | "presto";
    readonly authentication: { readonly type: "password" | "oauth2" };
    readonly loadBalancer: { readonly certificateArn?: string };
  },
  host: H,
): { engine: "trino" | "presto"; host: H; port: number; tls: boolean; authentication: "password" | "oauth2" } {
  const tls = q.engine === "presto" || q.loadBalancer.certificateArn !== undefined;
  return { engine: q.engine, host, port: tls ? 443 : 80, tls, authentication: q.authentication.type };
}

/**
 * JDBC URL and login instructions for the query engine. The endpoint is internal (VPC only) and TLS; password
 * logins need TLS by design, OAuth 2 logins open the browser through the driver's external authentication.
 */
export function queryEngineConnection(e: QueryEngineEndpoint): { jdbcUrl: string; auth: string } {
  const base = `jdbc:${e.engine}://${e.host}:${e.port}/${e.catalog ?? "lake"}?SSL=${e.tls ?? true}`;
  return e.authentication === "oauth2"
    ? {
        jdbcUrl: `${base}&externalAuthentication=true`,
        auth: "OAuth 2: the driver opens the identity provider's login in a browser",
      }
    : {
        jdbcUrl: base,
        auth: "user name and password of the query engine (its groups decide analyst or engineer access)",
      };
}

/** JDBC URL of an Athena workgroup (Athena JDBC 3.x); credentials come from the default AWS chain (the persona role). */
export function athenaJdbcUrl(region: string, workgroup: string): string {
  return `jdbc:athena://Region=${region};WorkGroup=${workgroup};CredentialsProvider=DefaultChain`;
}
