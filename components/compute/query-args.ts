import type * as pulumi from "@pulumi/pulumi";
import type { QueryEngineConfig } from "./config";
import type { ComputeWorkloadArgs } from "./eks";

/** The warehouse, as its component exposes it. Credentials: a Secrets Manager secret with `username` and `password`. */
export interface WarehouseRef {
  readonly engine: "redshift-serverless" | "aurora-postgresql";
  readonly endpoint: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly database: pulumi.Input<string>;
  readonly secretArn: pulumi.Input<string>;
  /** Key that encrypts the secret. @default the platform's confidential key */
  readonly secretKeyArn?: pulumi.Input<string>;
}

/** Kafka (MSK with IAM authentication), as its component exposes it. */
export interface KafkaRef {
  readonly clusterArn: pulumi.Input<string>;
  /** SASL/IAM bootstrap brokers (port 9098). */
  readonly bootstrapBrokers: pulumi.Input<string>;
  readonly topics: readonly string[];
}

export interface QueryEngineArgs extends ComputeWorkloadArgs {
  /** `platform.compute.queryEngine`, resolved. */
  readonly config: QueryEngineConfig;
  /** Adds the `warehouse` catalog. */
  readonly warehouse?: WarehouseRef;
  /** Adds the `kafka` catalog over these topics. */
  readonly kafka?: KafkaRef;
  /**
   * Installs the External Secrets operator that syncs credentials from Secrets Manager. Turn off on a cluster that
   * already runs it (its controller then needs `secretsPolicy`). @default true
   */
  readonly installExternalSecrets?: boolean;
}
