import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesCluster } from "../compute/KubernetesCluster";
import { QueryEngine } from "../compute/QueryEngine";
import { SparkOperator } from "../compute/SparkOperator";
import type { ResolvedConfig } from "../config/profiles";
import type { PlatformContext } from "../core/types";
import { BiAccess, biWarehouse, biWarehouseLogins } from "../bi/BiAccess";
import { queryEngineEndpoint } from "../bi/documents";
import { DataLake } from "../lake/DataLake";
import { Network } from "../network/Network";
import { AccessModel } from "../security/AccessModel";
import { SecurityFoundation } from "../security/SecurityFoundation";
import { KafkaCluster } from "../streaming/KafkaCluster";
import { WAREHOUSE_CLASSIFICATION } from "../warehouse/documents";
import type { WarehouseLogin } from "../warehouse/logins";
import { Warehouse } from "../warehouse/Warehouse";
import { contextFromConfig } from "./context";

/** The query engine's warehouse user: read-only, like every BI consumer. */
export const QUERY_ENGINE_LOGIN: WarehouseLogin = { name: "query_engine", role: "bi_reader", purpose: "the query engine's warehouse catalog" };

export interface DataPlatformArgs {
  /** A validated config (see `loadPlatformConfig`); the component never re-validates. */
  readonly config: ResolvedConfig;
}

/**
 * The whole platform for one environment, composed from a validated config: network, security foundation and
 * lake first; every later capability attaches to the same context, network refs and keys.
 */
export class DataPlatform extends pulumi.ComponentResource {
  readonly ctx: PlatformContext;
  readonly security: SecurityFoundation;
  readonly network: Network;
  readonly lake: DataLake;
  /** Absent when `warehouse.enabled` is false. */
  readonly warehouse?: Warehouse;
  /** Absent when `streaming.enabled` is false. */
  readonly kafka?: KafkaCluster;
  /** Present with a `compute` section: the EKS cluster, or the provider of the cluster you bring. */
  readonly kubernetes?: KubernetesCluster;
  /** Present with `compute.spark`. */
  readonly spark?: SparkOperator;
  /** Present with `compute.queryEngine`. */
  readonly queryEngine?: QueryEngine;
  readonly access: AccessModel;
  readonly bi: BiAccess;

  constructor(name: string, args: DataPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:platform:DataPlatform", name, {}, opts);
    const cfg = args.config;
    const ctx = (this.ctx = contextFromConfig(cfg));
    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    const deployer = aws.iam.getSessionContextOutput({ arn: caller.arn }, { parent: this });

    this.security = new SecurityFoundation(`${name}-security`, { ctx, accountId: caller.accountId, deployerArn: deployer.issuerArn, keyDeletionWindowDays: cfg.security.keyDeletionWindowDays }, { parent: this });
    const { keyArns, permissionsBoundaryArn } = this.security;

    this.network = new Network(`${name}-network`, {
      ctx,
      cidr: cfg.network.cidr,
      availabilityZones: cfg.network.availabilityZones,
      natGateways: cfg.network.natGateways,
      interfaceEndpoints: cfg.network.interfaceEndpoints,
      flowLogRetentionDays: cfg.network.flowLogRetentionDays,
      logKeyArn: keyArns.internal,
      permissionsBoundaryArn,
      existing: cfg.network.existing,
    }, { parent: this });

    this.lake = new DataLake(`${name}-lake`, {
      ctx,
      security: this.security,
      accountId: caller.accountId,
      deployerArn: deployer.issuerArn,
      domains: cfg.domains,
      ...cfg.lake,
    }, { parent: this });

    const refs = { ctx, network: this.network, security: this.security };
    if (cfg.warehouse.enabled) {
      // The query engine reads the marts through its own login, never the admin's.
      const logins = [...(cfg.compute?.queryEngine ? [QUERY_ENGINE_LOGIN] : []), ...biWarehouseLogins(cfg.bi)];
      this.warehouse = new Warehouse(`${name}-warehouse`, { ...refs, domains: cfg.domains, config: cfg.warehouse, logRetentionDays: cfg.safety.logRetentionDays, logins }, { parent: this });
    }
    if (cfg.streaming.enabled) {
      this.kafka = new KafkaCluster(`${name}-kafka`, { ...refs, config: cfg.streaming }, { parent: this });
    }

    if (cfg.compute) {
      const accountId = caller.accountId;
      this.kubernetes = new KubernetesCluster(`${name}-k8s`, { ...refs, accountId, config: cfg.compute.cluster, deployerRoleArn: deployer.issuerArn }, { parent: this });
      const common = {
        ctx, security: this.security, accountId, kubernetes: this.kubernetes.target, domains: cfg.domains, vpcCidr: cfg.network.cidr,
        lake: { zones: this.lake.zones, restricted: this.lake.restricted, databases: this.lake.databases, accessLogBucketName: this.lake.accessLogBucketName },
      };
      if (cfg.compute.spark) this.spark = new SparkOperator(`${name}-spark`, { ...common, config: cfg.compute.spark }, { parent: this });
      if (cfg.compute.queryEngine) {
        const kafka = this.kafka && { clusterArn: this.kafka.clusterArn, bootstrapBrokers: this.kafka.bootstrapBrokers, topics: cfg.streaming.topics.map((t) => t.name) };
        const w = this.warehouse;
        const warehouse = w && { engine: w.engine, endpoint: w.endpoint, port: w.port, database: w.database, secretArn: w.loginSecretArns[QUERY_ENGINE_LOGIN.name] };
        this.queryEngine = new QueryEngine(`${name}-query`, { ...common, config: cfg.compute.queryEngine, kafka, warehouse }, { parent: this });
      }
    }
    // People roles and Lake Formation grants (after the lake's LF settings exist), then BI on top of them.
    this.access = new AccessModel(`${name}-access`, { ctx, accountId: caller.accountId, permissionsBoundaryArn, lake: this.lake, domains: cfg.domains, config: cfg.access }, { parent: this, dependsOn: [this.lake] });
    this.bi = new BiAccess(`${name}-bi`, {
      ctx, accountId: caller.accountId, config: cfg.bi, personas: this.access.roles, secretKeyArn: keyArns.confidential,
      queryResults: { bucketName: this.lake.queryResultsBucketName, bucketArn: this.lake.queryResultsBucketArn, keyArn: this.lake.queryResultsKeyArn },
      warehouse: this.warehouse && biWarehouse(this.warehouse, cfg.bi, keyArns[WAREHOUSE_CLASSIFICATION]),
      queryEngine: this.queryEngine && cfg.compute?.queryEngine && queryEngineEndpoint(cfg.compute.queryEngine, this.queryEngine.loadBalancerHostname),
      // Superset's pods run on the cluster's nodes, which carry the compute workload group.
      superset: this.kubernetes && { provider: this.kubernetes.target.provider, network: { vpcId: this.network.vpcId, privateSubnetIds: this.network.privateSubnetIds, clientSecurityGroupId: this.network.workloadSecurityGroupIds.compute } },
    }, { parent: this });

    this.registerOutputs({ vpcId: this.network.vpcId, warehouseEndpoint: this.warehouse?.endpoint, kafkaBootstrapBrokers: this.kafka?.bootstrapBrokers });
  }
}
