import type { Statement } from "../core/iam";
import { Classification, WORKLOAD_KINDS, WorkloadKind } from "../core/types";
import type { PolicyStatement } from "../functions/types";
import type { WarehouseEngine } from "./config";
import type { LoginRef } from "./logins";
import { Script, scriptsChecksum } from "./scripts";

// Plain values and documents the Warehouse component is built from; tests call these directly.

export const WAREHOUSE_PORT: Record<WarehouseEngine, number> = {
  "redshift-serverless": 5439,
  "aurora-postgresql": 5432,
};

/** Workloads admitted on the database port: the platform's compute, ingestion and BI groups, nothing else. */
export const WAREHOUSE_CLIENTS: readonly WorkloadKind[] = WORKLOAD_KINDS;

/** The warehouse is shared by every BI user and encrypted with the confidential key. */
export const WAREHOUSE_CLASSIFICATION: Classification = "confidential";

/**
 * Domains that get a marts schema. Restricted data never enters the shared warehouse: it stays in the lake's
 * restricted bucket, behind the restricted key and its clearance tag.
 */
export function martsDomains(domains: readonly { name: string; classification: Classification }[]): string[] {
  return domains.filter((d) => d.classification !== "restricted").map((d) => d.name);
}

/**
 * Workgroup parameters. `require_ssl` and user-activity logging are the point; the rest are the service defaults,
 * listed because the API returns the full set and a partial list would show a diff on every run.
 * (Keys are the API's snake_case names.)
 */
export function redshiftConfigParameters(): { parameterKey: string; parameterValue: string }[] {
  return Object.entries({
    require_ssl: "true",
    enable_user_activity_logging: "true",
    use_fips_ssl: "false",
    auto_mv: "true",
    datestyle: "ISO, MDY",
    enable_case_sensitive_identifier: "false",
    query_group: "default",
    search_path: "$user, public",
    max_query_execution_time: "14400",
  }).map(([parameterKey, parameterValue]) => ({ parameterKey, parameterValue }));
}

/** Everything Redshift Serverless can export: connections, user changes, and every query before it runs. */
export const REDSHIFT_LOG_EXPORTS = ["connectionlog", "userlog", "useractivitylog"] as const;

/**
 * Cluster parameters: TLS only (`rds.force_ssl`), TLS 1.2 at least, and an audit trail of connections,
 * schema changes and grants (pgaudit; not reads, which would flood the log with every dashboard query).
 */
export function auroraClusterParameters(): {
  name: string;
  value: string;
  applyMethod: "immediate" | "pending-reboot";
}[] {
  return [
    { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
    { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "immediate" },
    { name: "shared_preload_libraries", value: "pg_stat_statements,pgaudit", applyMethod: "pending-reboot" },
    { name: "pgaudit.log", value: "ddl,role", applyMethod: "immediate" },
    { name: "log_connections", value: "1", applyMethod: "immediate" },
    { name: "log_disconnections", value: "1", applyMethod: "immediate" },
  ];
}

export function auroraParameterFamily(engineVersion: string): string {
  return `aurora-postgresql${engineVersion.split(".")[0]}`;
}

export interface BootstrapRefs {
  readonly engine: WarehouseEngine;
  readonly region: string;
  readonly secretArn: string;
  readonly keyArn: string;
  /** Secrets of the service logins whose passwords the bootstrap sets. @default [] */
  readonly loginSecretArns?: readonly string[];
  /** Redshift only: the workgroup the Data API runs statements on. */
  readonly workgroupArn?: string;
}

/**
 * What the bootstrap function may do beyond PlatformFunction's basics: read the admin secret (and decrypt it,
 * only through Secrets Manager) and, for Redshift, run statements through the Data API on this workgroup only.
 */
export function bootstrapStatements(r: BootstrapRefs): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadAdminSecret",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: r.secretArn,
    },
    ...(r.loginSecretArns?.length
      ? [
          {
            Sid: "ReadLoginSecrets",
            Effect: "Allow" as const,
            Action: "secretsmanager:GetSecretValue",
            Resource: [...r.loginSecretArns],
          },
        ]
      : []),
    {
      Sid: "DecryptAdminSecret",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: r.keyArn,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${r.region}.amazonaws.com` } },
    },
  ];
  if (r.engine === "redshift-serverless") {
    if (!r.workgroupArn) throw new Error("bootstrapStatements: redshift-serverless needs the workgroup ARN");
    statements.push(
      {
        Sid: "RunStatements",
        Effect: "Allow",
        Action: ["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement"],
        Resource: r.workgroupArn,
      },
      {
        // Statement ids have no ARN; the condition limits reading results to statements this role submitted.
        Sid: "ReadOwnStatements",
        Effect: "Allow",
        Action: [
          "redshift-data:DescribeStatement",
          "redshift-data:GetStatementResult",
          "redshift-data:CancelStatement",
        ],
        Resource: "*",
        Condition: { StringEquals: { "redshift-data:statement-owner-iam-userid": "${aws:userid}" } },
      },
    );
  }
  return statements;
}

/** The Invocation payload: the rendered scripts travel with it, so the function runs exactly what was reviewed. */
export function bootstrapInput(
  engine: WarehouseEngine,
  scripts: readonly Script[],
  logins: readonly LoginRef[] = [],
): string {
  return JSON.stringify({ engine, checksum: scriptsChecksum(scripts), scripts, logins });
}

export const SNAPSHOT_TARGET = "arn:aws:scheduler:::aws-sdk:redshiftserverless:createSnapshot";

/**
 * Input of the daily snapshot schedule. The scheduler replaces `<aws.scheduler.execution-id>` with a unique id,
 * so every run creates a new snapshot, kept `retentionDays` days.
 */
export function snapshotScheduleInput(namespaceName: string, retentionDays: number): string {
  return JSON.stringify({
    NamespaceName: namespaceName,
    SnapshotName: `${namespaceName}-<aws.scheduler.execution-id>`,
    RetentionPeriod: retentionDays,
  });
}

/** The schedule's role may snapshot this namespace and nothing else. */
export function snapshotRoleStatements(namespaceArn: string): Statement[] {
  const [, partition, , region, account] = namespaceArn.split(":");
  return [
    {
      Sid: "SnapshotThisNamespace",
      Effect: "Allow",
      Action: "redshift-serverless:CreateSnapshot",
      Resource: [namespaceArn, `arn:${partition}:redshift-serverless:${region}:${account}:snapshot/*`],
    },
  ];
}

/** The account id in an ARN (the fifth field). */
export function accountOf(arn: string): string {
  return arn.split(":")[4];
}
