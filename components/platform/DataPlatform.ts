import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeployRunner } from "../compute/DeployRunner";
import { KubernetesCluster } from "../compute/KubernetesCluster";
import type { QueryEngine } from "../compute/QueryEngine";
import type { SparkOperator } from "../compute/SparkOperator";
import type { ResolvedConfig } from "../config/profiles";
import type { PlatformContext } from "../core/types";
import { CdcSource } from "../dataflow/CdcSource";
import { CdcLoad } from "../dataflow/CdcLoad";
import { BiAccess, biWarehouse, biWarehouseLogins } from "../bi/BiAccess";
import { queryEngineEndpoint } from "../bi/documents";
import type { PolicyStatement } from "../functions/types";
import { Ingestion } from "../dataflow/Ingestion";
import { zoneFor } from "../ingestion/types";
import { DataLake } from "../lake/DataLake";
import { DatasetCatalog } from "../datasets/DatasetCatalog";
import { qualityRules } from "../core/quality";
import { catalogArgs } from "./catalog";
import { Network } from "../network/Network";
import { Monitoring } from "../observability/Monitoring";
import { CostControls } from "../cost/CostControls";
import { AccessModel } from "../security/AccessModel";
import { SecurityFoundation } from "../security/SecurityFoundation";
import { KafkaCluster } from "../streaming/KafkaCluster";
import { declareStreams } from "../dataflow/streams";
import type { StreamProcessor } from "../dataflow/StreamProcessor";
import type { TopicDelivery } from "../dataflow/TopicDelivery";
import { WAREHOUSE_CLASSIFICATION } from "../warehouse/documents";
import { Warehouse } from "../warehouse/Warehouse";
import { contextFromConfig } from "./context";
import { declareWorkloads } from "./workloads";
import { copySources } from "./copy";
import { deliveryTable, INGESTION_LOGIN, lakeRefs, PIPELINE_LOGIN, QUERY_ENGINE_LOGIN, warehouseRefs } from "./refs";

export { INGESTION_LOGIN, lakeRefs, PIPELINE_LOGIN, QUERY_ENGINE_LOGIN, warehouseRefs } from "./refs";

export interface DataPlatformArgs {
  /** A validated config (see `loadPlatformConfig`); the component never re-validates. */
  readonly config: ResolvedConfig;
  /**
   * `all`: the whole platform in one stack. `foundation`: everything that needs no Kubernetes API (the cluster
   * included, its objects not), for the layered deployment (docs/deployment.md); PlatformWorkloads is the rest.
   * @default all
   */
  readonly layer?: "all" | "foundation";
}

/**
 * The whole platform for one environment, composed from a validated config: network, security foundation and
 * lake first; every later capability attaches to the same context, network refs and keys.
 */
export class DataPlatform extends pulumi.ComponentResource {
  readonly ctx: PlatformContext;
  /** The account deployed into (the deploying identity's). */
  readonly accountId: pulumi.Output<string>;
  readonly security: SecurityFoundation;
  readonly network: Network;
  readonly lake: DataLake;
  /** Absent when `warehouse.enabled` is false. */
  readonly warehouse?: Warehouse;
  /** Absent when `streaming.enabled` is false. */
  readonly kafka?: KafkaCluster;
  /** Alerts topic, alarms and dashboard of the environment. */
  readonly monitoring: Monitoring;
  /** Budgets of the environment and its domains, and the cost anomaly monitor, alerting the same topic. */
  readonly cost: CostControls;
  /** Sources, pipelines and backfills from `sources` and `pipelines`. */
  readonly ingestion: Ingestion;
  /** Raw tables of the sources and the declared datasets. */
  readonly catalog: DatasetCatalog;
  /** Topics delivered into the lake by Firehose. */
  readonly deliveries: Record<string, TopicDelivery> = {};
  /** Functions triggered by topics. */
  readonly processors: Record<string, StreamProcessor> = {};
  /** `cdc` sources: DMS replications into the raw zone. */
  readonly cdc: Record<string, CdcSource> = {};
  /** Scheduled merges of the `cdc` sources' changes into warehouse staging (Redshift). */
  readonly cdcLoads: Record<string, CdcLoad> = {};
  /** Present with a `compute` section: the EKS cluster, or the provider of the cluster you bring. */
  readonly kubernetes?: KubernetesCluster;
  /** Present with an EKS cluster and `deployerAccess: runner`: the in-VPC deployer of the workload layer. */
  readonly runner?: DeployRunner;
  /** Present with `compute.spark`. */
  readonly spark?: SparkOperator;
  /** Present with `compute.queryEngine`. */
  readonly queryEngine?: QueryEngine;
  readonly access: AccessModel;
  readonly bi: BiAccess;

  constructor(name: string, args: DataPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:platform:DataPlatform", name, {}, opts);
    const cfg = args.config;
    const foundationOnly = args.layer === "foundation";
    const ctx = (this.ctx = contextFromConfig(cfg));
    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    const deployer = aws.iam.getSessionContextOutput({ arn: caller.arn }, { parent: this });
    this.accountId = caller.accountId;

    this.security = new SecurityFoundation(
      `${name}-security`,
      {
        ctx,
        accountId: caller.accountId,
        deployerArn: deployer.issuerArn,
        keyDeletionWindowDays: cfg.security.keyDeletionWindowDays,
      },
      { parent: this },
    );
    const { keyArns, permissionsBoundaryArn } = this.security;

    this.network = new Network(
      `${name}-network`,
      cfg.network.existing
        ? {
            ctx,
            existing: cfg.network.existing,
            gatewayEndpointRouteTableIds: cfg.network.existing.privateRouteTableIds,
            interfaceEndpoints: cfg.network.interfaceEndpoints,
          }
        : {
            ctx,
            cidr: cfg.network.cidr,
            availabilityZones: cfg.network.availabilityZones,
            natGateways: cfg.network.natGateways,
            interfaceEndpoints: cfg.network.interfaceEndpoints,
            flowLogRetentionDays: cfg.network.flowLogRetentionDays,
            logKeyArn: keyArns.internal,
            permissionsBoundaryArn,
          },
      { parent: this },
    );

    const cluster = cfg.compute?.cluster;
    if (cluster?.mode === "eks" && cluster.deployerAccess === "runner") {
      this.runner = new DeployRunner(
        `${name}-runner`,
        {
          ctx,
          network: this.network,
          security: this.security,
          accountId: caller.accountId,
          clusterName: `${ctx.prefix}-eks`,
          config: cluster.runner,
          logRetentionDays: cfg.safety.logRetentionDays,
        },
        { parent: this },
      );
    }

    this.lake = new DataLake(
      `${name}-lake`,
      {
        ctx,
        security: this.security,
        accountId: caller.accountId,
        deployerArn: deployer.issuerArn,
        domains: cfg.domains,
        ...cfg.lake,
        // The runner grants the workload layer's pods their tables, which takes a Lake Formation admin.
        ...(this.runner ? { lakeFormationAdmins: [...(cfg.lake.lakeFormationAdmins ?? []), this.runner.roleArn] } : {}),
      },
      { parent: this },
    );

    const refs = { ctx, network: this.network, security: this.security };
    const lake = lakeRefs(this.lake, cfg.domains);
    // Every cdc source is merged into warehouse staging on a schedule: Redshift copies the changes itself through its
    // namespace's COPY role; on Aurora, which cannot read Parquet, the load function reads them (docs/cdc.md).
    const cdcLoads = cfg.warehouse.enabled ? cfg.ingestion.cdc : [];
    // Loaders, pipelines and CDC loads use the warehouse from ingestion; they sign in as the ingestion login.
    const ingestionUsesWarehouse =
      cfg.ingestion.sources.some((s) => s.kind === "object-events") ||
      cfg.ingestion.pipelines.length > 0 ||
      cdcLoads.length > 0;
    if (cfg.warehouse.enabled) {
      // The query engine, BI, the loaders and the pipelines each sign in as their own login, never as the admin.
      const logins = [
        ...(cfg.compute?.queryEngine ? [QUERY_ENGINE_LOGIN] : []),
        ...biWarehouseLogins(cfg.bi),
        ...(ingestionUsesWarehouse ? [INGESTION_LOGIN] : []),
        ...(cfg.ingestion.pipelines.length > 0 ? [PIPELINE_LOGIN] : []),
      ];
      this.warehouse = new Warehouse(
        `${name}-warehouse`,
        {
          ...refs,
          domains: cfg.domains,
          config: cfg.warehouse,
          logRetentionDays: cfg.safety.logRetentionDays,
          logins,
          copyFrom: copySources(cfg, lake),
        },
        { parent: this },
      );
    }
    if (cfg.streaming.enabled) {
      this.kafka = new KafkaCluster(`${name}-kafka`, { ...refs, config: cfg.streaming }, { parent: this });
    }

    this.monitoring = new Monitoring(
      `${name}-monitoring`,
      {
        ctx,
        accountId: caller.accountId,
        deployerArn: deployer.issuerArn,
        config: cfg.ingestion.monitoring,
        keyDeletionWindowDays: cfg.security.keyDeletionWindowDays,
      },
      { parent: this },
    );
    this.cost = new CostControls(
      `${name}-cost`,
      {
        ctx,
        platform: cfg.name,
        accountId: caller.accountId,
        config: cfg.cost,
        alertsTopicArn: this.monitoring.topicArn,
      },
      { parent: this },
    );
    this.ingestion = new Ingestion(
      `${name}-ingestion`,
      {
        ...refs,
        lake: lakeRefs(this.lake, cfg.domains),
        config: cfg.ingestion,
        domains: cfg.domains,
        operations: this.monitoring.operations,
        warehouse:
          this.warehouse && ingestionUsesWarehouse
            ? warehouseRefs(this.warehouse, this.security.keyArns[WAREHOUSE_CLASSIFICATION])
            : undefined,
        kafka: this.kafka && {
          bootstrapBrokers: this.kafka.bootstrapBrokers,
          produceStatements: (topic) =>
            this.kafka!.topicPolicies.apply((t) => t[topic].produce.Statement as PolicyStatement[]),
        }, // identity statements: Action + Resource, no Principal
        logRetentionDays: cfg.safety.logRetentionDays,
        datasets: cfg.datasets
          .filter((d) => d.zone === "analytics")
          .map((d) => ({
            domain: d.domain,
            name: d.name,
            columns: d.columns.map((c) => ({ name: c.name, type: c.type })),
            quality: qualityRules(d.quality, d.freshnessHours),
            steward: d.steward,
            freshnessHours: d.freshnessHours,
          })),
      },
      { parent: this },
    );
    for (const src of cfg.ingestion.cdc) {
      this.cdc[src.name] = new CdcSource(
        `${name}-cdc-${src.name}`,
        {
          ...refs,
          accountId: caller.accountId,
          raw: zoneFor(lake, "raw", src.domain),
          source: src,
          alertsTopicArn: this.monitoring.topicArn,
        },
        { parent: this },
      );
      if (this.warehouse && cdcLoads.includes(src))
        this.cdcLoads[src.name] = new CdcLoad(
          `${name}-cdc-load-${src.name}`,
          {
            ...refs,
            source: src,
            raw: zoneFor(lake, "raw", src.domain),
            warehouse: warehouseRefs(this.warehouse, keyArns[WAREHOUSE_CLASSIFICATION]),
            logRetentionDays: cfg.safety.logRetentionDays,
          },
          { parent: this },
        );
    }
    // People roles and Lake Formation grants (after the lake's LF settings exist), then BI on top of them.
    this.access = new AccessModel(
      `${name}-access`,
      {
        ctx,
        accountId: caller.accountId,
        permissionsBoundaryArn,
        lake: this.lake,
        domains: cfg.domains,
        config: cfg.access,
      },
      { parent: this, dependsOn: [this.lake] },
    );
    // Tables after the LF-tags exist: classified columns and the optimizers' grant use them.
    this.catalog = new DatasetCatalog(
      `${name}-catalog`,
      catalogArgs(ctx, cfg, {
        accountId: caller.accountId,
        permissionsBoundaryArn,
        lfTagKeys: this.access.lfTagKeys,
        lake: this.lake,
        alertsTopicArn: this.monitoring.topicArn,
      }),
      { parent: this, dependsOn: [this.access] },
    );
    if (this.kafka)
      ({ deliveries: this.deliveries, processors: this.processors } = declareStreams(
        name,
        {
          ctx,
          accountId: caller.accountId,
          security: this.security,
          cluster: this.kafka,
          streaming: cfg.streaming,
          lake,
          alertsTopicArn: this.monitoring.topicArn,
          logRetentionDays: cfg.safety.logRetentionDays,
          table: (domain, table) => deliveryTable(this.lake, this.catalog, cfg, domain, table),
        },
        this,
      ));
    // Alarms need the watched resources, which need the topic first (state machines alert through it).
    const targets = this.ingestion.targets;
    const warehouseQueues = (this.warehouse?.deadLetterQueueNames ?? []).map((queueName, i) => ({
      label: `warehouse-schedule-${i}`,
      queueName,
    }));
    const functions = [
      ...Object.entries(this.processors).map(([n, p]) => [`processor-${n}`, p.fn] as const),
      ...Object.entries(this.cdcLoads).map(([n, l]) => [`cdc-load-${n}`, l.fn] as const),
    ];
    this.monitoring.watch({
      ...targets,
      functions: [
        ...(targets.functions ?? []),
        ...functions.map(([label, fn]) => ({ label, functionName: fn.functionName })),
      ],
      deadLetterQueues: [
        ...(targets.deadLetterQueues ?? []),
        ...warehouseQueues,
        ...functions.map(([label, fn]) => ({ label, queueName: fn.deadLetterQueue!.name })),
      ],
    });

    if (cfg.compute) {
      const accountId = caller.accountId;
      this.kubernetes = new KubernetesCluster(
        `${name}-k8s`,
        {
          ...refs,
          accountId,
          config: cfg.compute.cluster,
          deployerRoleArn: deployer.issuerArn,
          runner: this.runner && { roleArn: this.runner.roleArn, securityGroupId: this.runner.securityGroupId },
          kubernetesObjects: !foundationOnly,
        },
        { parent: this },
      );
    }
    if (cfg.compute && this.kubernetes?.target) {
      ({ spark: this.spark, queryEngine: this.queryEngine } = declareWorkloads(
        name,
        cfg,
        {
          ctx,
          security: this.security,
          accountId: caller.accountId,
          kubernetes: this.kubernetes.target,
          lake: this.lake,
          kafka: this.kafka,
          warehouse: this.warehouse,
          queryEngineSecretArn: this.warehouse?.loginSecretArns[QUERY_ENGINE_LOGIN.name],
          alertsTopicArn: this.monitoring.topicArn,
        },
        this,
      ));
    }
    // BI on top of the people roles and grants.
    this.bi = new BiAccess(
      `${name}-bi`,
      {
        ctx,
        accountId: caller.accountId,
        // Superset runs on the cluster: in the workload layer when the platform is layered.
        config: foundationOnly ? { ...cfg.bi, superset: { ...cfg.bi.superset, enabled: false } } : cfg.bi,
        personas: this.access.roles,
        secretKeyArn: keyArns.confidential,
        queryResults: {
          bucketName: this.lake.queryResultsBucketName,
          bucketArn: this.lake.queryResultsBucketArn,
          keyArn: this.lake.queryResultsKeyArn,
        },
        warehouse: this.warehouse && biWarehouse(this.warehouse, cfg.bi, keyArns[WAREHOUSE_CLASSIFICATION]),
        queryEngine:
          this.queryEngine &&
          cfg.compute?.queryEngine &&
          queryEngineEndpoint(cfg.compute.queryEngine, this.queryEngine.loadBalancerHostname),
        // Superset's pods run on the cluster's nodes, which carry the compute workload group.
        superset: this.kubernetes?.provider && {
          provider: this.kubernetes.provider,
          network: {
            vpcId: this.network.vpcId,
            privateSubnetIds: this.network.privateSubnetIds,
            clientSecurityGroupId: this.network.workloadSecurityGroupIds.compute,
          },
        },
      },
      { parent: this },
    );

    this.registerOutputs({
      vpcId: this.network.vpcId,
      warehouseEndpoint: this.warehouse?.endpoint,
      kafkaBootstrapBrokers: this.kafka?.bootstrapBrokers,
      alertsTopicArn: this.monitoring.topicArn,
    });
  }
}
