import type * as pulumi from "@pulumi/pulumi";
import type { ComputeWorkloadArgs, KubernetesTarget } from "../compute/eks";
import { QueryEngine } from "../compute/QueryEngine";
import { SparkOperator } from "../compute/SparkOperator";
import type { ResolvedConfig } from "../config/profiles";
import type { PlatformContext, SecurityRefs } from "../core/types";
import type { DataLake } from "../lake/DataLake";
import type { KafkaCluster } from "../streaming/KafkaCluster";
import type { Warehouse } from "../warehouse/Warehouse";

/** What the platform's Kubernetes workloads attach to, from the components declared before them. */
export interface WorkloadParts {
  readonly ctx: PlatformContext;
  readonly security: SecurityRefs;
  readonly accountId: pulumi.Input<string>;
  readonly kubernetes: KubernetesTarget;
  readonly lake: DataLake;
  readonly kafka?: KafkaCluster;
  readonly warehouse?: Warehouse;
  /** The query engine's own warehouse login. */
  readonly queryEngineSecretArn?: pulumi.Input<string>;
  readonly alertsTopicArn: pulumi.Input<string>;
}

/**
 * Spark (jobs, streaming applications) and the query engine on the platform's cluster, children of `parent`
 * (the platform) as they always were, so their URNs do not change.
 */
export function declareWorkloads(
  name: string,
  cfg: ResolvedConfig,
  parts: WorkloadParts,
  parent: pulumi.ComponentResource,
): { spark?: SparkOperator; queryEngine?: QueryEngine } {
  const compute = cfg.compute;
  if (!compute) return {};
  const { lake, kafka, warehouse } = parts;
  const common: ComputeWorkloadArgs = {
    ctx: parts.ctx,
    security: parts.security,
    accountId: parts.accountId,
    kubernetes: parts.kubernetes,
    domains: cfg.domains,
    vpcCidr: cfg.network.cidr,
    lake: {
      zones: lake.zones,
      restricted: lake.restricted,
      databases: lake.databases,
      accessLogBucketName: lake.accessLogBucketName,
    },
  };
  const streams = kafka && {
    kafka,
    tableZone: (domain: string, table: string) =>
      cfg.datasets.find((d) => d.domain === domain && d.name === table)?.zone ?? "curated",
    alertsTopicArn: parts.alertsTopicArn,
  };
  const spark =
    compute.spark && new SparkOperator(`${name}-spark`, { ...common, config: compute.spark, streams }, { parent });
  const queryEngine =
    compute.queryEngine &&
    new QueryEngine(
      `${name}-query`,
      {
        ...common,
        config: compute.queryEngine,
        kafka: kafka && {
          clusterArn: kafka.clusterArn,
          bootstrapBrokers: kafka.bootstrapBrokers,
          topics: cfg.streaming.topics.map((t) => t.name),
        },
        warehouse:
          warehouse && parts.queryEngineSecretArn
            ? {
                engine: warehouse.engine,
                endpoint: warehouse.endpoint,
                port: warehouse.port,
                database: warehouse.database,
                secretArn: parts.queryEngineSecretArn,
              }
            : undefined,
      },
      { parent },
    );
  return { spark, queryEngine };
}
