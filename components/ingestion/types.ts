import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../functions/types";

// Defined by Monitoring, which sits below ingestion; exported here as well, where the other refs are.
export type { OperationsRefs } from "../observability/alarms";

/** One lake zone as ingestion uses it: where objects go and the key they are encrypted with. */
export interface LakeZoneRef {
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
  /**
   * Prefix before `<domain>/` inside the bucket: empty for the zone buckets, `raw/` or `analytics/` in the
   * restricted bucket that holds restricted domains' zones. @default ""
   */
  readonly root?: string;
}

/** The zones ingestion writes: `raw` for sources, `analytics` for published marts. */
export interface LakeRefs {
  readonly raw: LakeZoneRef;
  readonly analytics: LakeZoneRef;
  /** Per-domain zones that differ (restricted domains live in the restricted bucket). @default none */
  readonly domains?: Readonly<Record<string, { readonly raw?: LakeZoneRef; readonly analytics?: LakeZoneRef }>>;
}

/** Where a domain's data goes in a zone. */
export function zoneFor(lake: LakeRefs, zone: "raw" | "analytics", domain: string): LakeZoneRef {
  return lake.domains?.[domain]?.[zone] ?? lake[zone];
}

/**
 * The warehouse the loaders and pipeline steps connect to (in the VPC, as the ingestion security group, which the
 * warehouse must admit). Each secret holds `{"username","password"}` of a service login, never the admin's.
 */
export interface WarehouseRefs {
  readonly engine: "postgres" | "redshift";
  readonly host: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly database: pulumi.Input<string>;
  /** Login of the loaders, member of the `loader` group: creates and writes tables in `staging`. */
  readonly secretArn: pulumi.Input<string>;
  /** Login of the pipeline steps, member of `transformer`: reads staging, builds and reads the marts. @default secretArn */
  readonly transformerSecretArn?: pulumi.Input<string>;
  /** KMS key of the secrets, when customer-managed. @default none */
  readonly secretKeyArn?: pulumi.Input<string>;
  /**
   * Redshift: the role its COPY runs as, which reads the loaders' staging folders. With it, loaders stage and COPY;
   * without it they insert rows. @default none
   */
  readonly copyRoleArn?: pulumi.Input<string>;
}

/** Kafka for HTTP sources that also publish. */
export interface KafkaRefs {
  /** SASL/IAM bootstrap brokers, comma-separated. */
  readonly bootstrapBrokers: pulumi.Input<string>;
  /** IAM statements that let a role connect and produce to one topic (from the Kafka component). */
  produceStatements(topic: string): pulumi.Input<PolicyStatement[]>;
}

/** The shared idempotency table (created by `Ingestion`). */
export interface IdempotencyRefs {
  readonly tableName: pulumi.Input<string>;
  readonly tableArn: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
}

/** The login a function signs in with: loaders as `loader`, pipeline steps as `transformer`. */
export function warehouseSecretArn(wh: WarehouseRefs, group: "loader" | "transformer"): pulumi.Input<string> {
  return group === "transformer" ? (wh.transformerSecretArn ?? wh.secretArn) : wh.secretArn;
}

/** Connection settings the loaders and pipeline steps read; the password stays in the secret. */
export function warehouseEnv(wh: WarehouseRefs, group: "loader" | "transformer"): Record<string, pulumi.Input<string>> {
  return {
    WAREHOUSE_ENGINE: wh.engine,
    WAREHOUSE_HOST: wh.host,
    WAREHOUSE_PORT: pulumi.output(wh.port).apply(String),
    WAREHOUSE_DATABASE: wh.database,
    WAREHOUSE_SECRET_ARN: warehouseSecretArn(wh, group),
    // PostgreSQL: act as the group, so the tables a function creates belong to the group and its grants apply.
    WAREHOUSE_GROUP: group,
    // Node 20+ Lambda runtimes load the RDS/Redshift CA bundle only when asked; TLS is verified against it.
    NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
  };
}
