import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedConfig } from "../config/profiles";
import type { PlatformContext } from "../core/types";
import { DataLake } from "../lake/DataLake";
import { Network } from "../network/Network";
import { SecurityFoundation } from "../security/SecurityFoundation";
import { KafkaCluster } from "../streaming/KafkaCluster";
import { Warehouse } from "../warehouse/Warehouse";
import { contextFromConfig } from "./context";

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
      this.warehouse = new Warehouse(`${name}-warehouse`, { ...refs, domains: cfg.domains, config: cfg.warehouse, logRetentionDays: cfg.safety.logRetentionDays }, { parent: this });
    }
    if (cfg.streaming.enabled) {
      this.kafka = new KafkaCluster(`${name}-kafka`, { ...refs, config: cfg.streaming }, { parent: this });
    }

    this.registerOutputs({ vpcId: this.network.vpcId, warehouseEndpoint: this.warehouse?.endpoint, kafkaBootstrapBrokers: this.kafka?.bootstrapBrokers });
  }
}
