import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "../../components/config";
import {
  computeProblems,
  ComputeInput,
  parseComputeConfig,
  resolveComputeConfig,
} from "../../components/compute/config";
import { KubernetesCluster } from "../../components/compute/KubernetesCluster";
import { KubernetesTarget } from "../../components/compute/eks";
import { KafkaRef, QueryEngine, WarehouseRef } from "../../components/compute/QueryEngine";
import { SparkOperator } from "../../components/compute/SparkOperator";
import { DataPlatform } from "../../components/platform/DataPlatform";
import type { Program } from "../../tools/plan/run";

export const WAREHOUSE_SECRET =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-data-prod/warehouse/admin-AbCdEf";
export const KAFKA_CLUSTER =
  "arn:aws:kafka:eu-west-1:123456789012:cluster/acme-data-prod-kafka/11111111-2222-3333-4444-555555555555-s1";

export interface ProgramOptions {
  /** Pass a provider built here instead of KubernetesCluster (the programmatic bring-your-own path). */
  readonly ownProvider?: boolean;
  /** Stand-ins for the warehouse and Kafka components, to exercise their catalogs. */
  readonly warehouse?: boolean;
  readonly kafka?: boolean;
}

/**
 * The stack program with the compute module wired as DataPlatform wires it, but from a compute section the test
 * chooses (and with stand-ins for the warehouse and Kafka catalogs); everything else comes from the stack file.
 */
export function computeProgram(compute: ComputeInput, options: ProgramOptions = {}): Program {
  return async () => {
    const region = new pulumi.Config("aws").require("region");
    const config = loadPlatformConfig(new pulumi.Config("data-platform").getObject<unknown>("platform"), region);
    const parsed = parseComputeConfig(compute);
    if (!parsed.data) throw new Error(JSON.stringify(parsed.problems));
    const resolved = resolveComputeConfig(parsed.data, config.environment);
    const problems = computeProblems(parsed.data, resolved, {
      environment: config.environment,
      domains: config.domains,
      azCount: config.network.azCount,
    });
    if (problems.length > 0) throw new Error(JSON.stringify(problems));

    const platform = new DataPlatform(config.name, { config });
    const { ctx, network, security, lake } = platform;
    const deployer = aws.iam.getSessionContextOutput({ arn: aws.getCallerIdentityOutput().arn });
    let kubernetes: KubernetesTarget;
    let cluster: KubernetesCluster | undefined;
    if (options.ownProvider) {
      kubernetes = {
        provider: new k8s.Provider("my-cluster", { kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") }),
      };
    } else {
      cluster = new KubernetesCluster(`${config.name}-k8s`, {
        ctx,
        network,
        security,
        accountId: security.accountId,
        config: resolved.cluster,
        deployerRoleArn: deployer.issuerArn,
      });
      kubernetes = cluster.target!;
    }
    const lakeAccess = {
      zones: lake.zones,
      restricted: lake.restricted,
      databases: lake.databases,
      accessLogBucketName: lake.accessLogBucketName,
    };
    const outputs: Record<string, unknown> = { environment: config.environment };
    if (resolved.spark) {
      const spark = new SparkOperator(`${config.name}-spark`, {
        ctx,
        kubernetes,
        security,
        accountId: security.accountId,
        lake: lakeAccess,
        domains: config.domains,
        config: resolved.spark,
        vpcCidr: config.network.cidr,
      });
      outputs.sparkPolicies = spark.domainPolicies;
      outputs.sparkAdHoc = spark.adHocManifests;
    }
    if (resolved.queryEngine) {
      const warehouse: WarehouseRef | undefined = options.warehouse
        ? {
            engine: "aurora-postgresql",
            endpoint: "acme-data-prod-warehouse.cluster-abc.eu-west-1.rds.amazonaws.com",
            port: 5432,
            database: "analytics",
            secretArn: WAREHOUSE_SECRET,
          }
        : undefined;
      const kafka: KafkaRef | undefined = options.kafka
        ? { clusterArn: KAFKA_CLUSTER, bootstrapBrokers: "b-1.kafka:9098,b-2.kafka:9098", topics: ["orders", "clicks"] }
        : undefined;
      const engine = new QueryEngine(`${config.name}-query`, {
        ctx,
        kubernetes,
        security,
        accountId: security.accountId,
        lake: lakeAccess,
        domains: config.domains,
        config: resolved.queryEngine,
        vpcCidr: config.network.cidr,
        warehouse,
        kafka,
      });
      outputs.queryPolicy = engine.policy;
    }
    return outputs;
  };
}
