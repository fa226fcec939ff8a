import * as k8s from "../compute/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { queryEngineEndpoint } from "../bi/documents";
import { createSuperset } from "../bi/superset";
import type { ComputeWorkloadArgs, KubernetesTarget } from "../compute/eks";
import { eksKubeconfig, spotScheduling } from "../compute/eks";
import type { LakeAccess } from "../compute/identity";
import { autoscalerRelease } from "../compute/KubernetesCluster";
import { QueryEngine } from "../compute/QueryEngine";
import { SparkOperator } from "../compute/SparkOperator";
import type { ResolvedConfig } from "../config/profiles";
import { CLASSIFICATIONS, ZONES, type Classification, type SecurityRefs } from "../core/types";
import { contextFromConfig } from "./context";
import { configDigest, type FoundationOutputs, type FoundationSecrets, zoneClassification } from "./layers";

export interface PlatformWorkloadsArgs {
  /** The same validated config the foundation stack was built from (checked against its digest). */
  readonly config: ResolvedConfig;
  /** The foundation stack's `workloadInputs` output (`StackReference.requireOutput`). */
  readonly foundation: pulumi.Input<FoundationOutputs>;
  /** The foundation stack's `workloadSecrets` output. */
  readonly secrets: pulumi.Input<FoundationSecrets>;
}

/**
 * The workload layer of a layered deployment: everything that goes through the Kubernetes API (the Cluster
 * Autoscaler's release, Spark, the query engine, Superset), on the cluster the foundation stack created, deployed
 * from its in-VPC runner. The same components as the single-stack platform, given the foundation's outputs.
 */
export class PlatformWorkloads extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  readonly spark?: SparkOperator;
  readonly queryEngine?: QueryEngine;

  constructor(name: string, args: PlatformWorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:platform:PlatformWorkloads", name, {}, opts);
    const cfg = args.config;
    const cluster = cfg.compute?.cluster;
    if (cluster?.mode !== "eks")
      throw new Error("the workload layer needs platform.compute.cluster.mode: eks (the foundation's cluster)");
    const ctx = contextFromConfig(cfg);
    const f = pulumi.output(args.foundation);
    const pick = <T>(fn: (o: FoundationOutputs) => T): pulumi.Output<T> => f.apply(fn);
    const digest = configDigest(cfg);

    // Every Kubernetes object goes through this provider, so a foundation built from another config stops the run
    // before the first object.
    const kubeconfig = f.apply((o) => {
      if (o.configDigest !== digest)
        throw new Error(
          `the foundation stack was built from another platform config (digest ${o.configDigest}, this stack ${digest}); deploy both layers from the same stack config`,
        );
      return eksKubeconfig(o.cluster.name, o.cluster.endpoint, o.cluster.certificateAuthority, ctx.region);
    });
    // Named as in the single-stack platform (`<name>-k8s` cluster, its `-k8s` provider and `-autoscaler` release).
    this.provider = new k8s.Provider(`${name}-k8s-k8s`, { kubeconfig: pulumi.secret(kubeconfig) }, { parent: this });
    const spotGroup = Object.entries(cluster.nodeGroups).find(([, g]) => g.dedicatedTo === "spark-executors");
    const target: KubernetesTarget = {
      provider: this.provider,
      eks: { clusterName: pick((o) => o.cluster.name), clusterArn: pick((o) => o.cluster.arn) },
      spotExecutors: spotGroup ? spotScheduling(spotGroup[0]) : undefined,
    };
    if (cluster.autoscaler.enabled)
      autoscalerRelease(
        `${name}-k8s-autoscaler`,
        { ctx, config: cluster, clusterName: `${ctx.prefix}-eks` },
        { parent: this, provider: this.provider },
      );

    const security: SecurityRefs = {
      keyArns: Object.fromEntries(CLASSIFICATIONS.map((c) => [c, pick((o) => o.keyArns[c])])) as Record<
        Classification,
        pulumi.Output<string>
      >,
      permissionsBoundaryArn: pick((o) => o.permissionsBoundaryArn),
    };
    const restricted = cfg.domains.some((d) => d.classification === "restricted");
    const lake: LakeAccess = {
      zones: Object.fromEntries(
        ZONES.map((z) => [
          z,
          {
            bucketName: pick((o) => o.lake.zones[z].bucketName),
            bucketArn: pick((o) => o.lake.zones[z].bucketArn),
            keyArn: pick((o) => o.lake.zones[z].keyArn),
            classification: zoneClassification(cfg, z),
          },
        ]),
      ) as unknown as LakeAccess["zones"],
      restricted: restricted
        ? {
            bucketName: pick((o) => o.lake.restricted!.bucketName),
            bucketArn: pick((o) => o.lake.restricted!.bucketArn),
            keyArn: pick((o) => o.lake.restricted!.keyArn),
            classification: "restricted",
          }
        : undefined,
      databases: Object.fromEntries(
        cfg.domains
          .flatMap((d) => ZONES.map((z) => `${d.name}_${z}`))
          .map((k) => [k, pick((o) => o.lake.databases[k])]),
      ),
      accessLogBucketName: pick((o) => o.lake.accessLogBucketName),
    };
    const common: ComputeWorkloadArgs = {
      ctx,
      security,
      accountId: pick((o) => o.accountId),
      kubernetes: target,
      domains: cfg.domains,
      vpcCidr: cfg.network.cidr,
      lake,
    };
    const p = { parent: this };
    const compute = cfg.compute!;
    if (compute.spark) {
      // As in the single stack: streaming applications read the platform's Kafka and alarm into its topic.
      const streams = cfg.streaming.enabled
        ? {
            kafka: {
              clusterArn: pick((o) => o.kafka!.clusterArn),
              bootstrapBrokers: pick((o) => o.kafka!.bootstrapBrokers),
            },
            tableZone: (domain: string, table: string) =>
              cfg.datasets.find((d) => d.domain === domain && d.name === table)?.zone ?? "curated",
            alertsTopicArn: pick((o) => o.alertsTopicArn),
          }
        : undefined;
      this.spark = new SparkOperator(`${name}-spark`, { ...common, config: compute.spark, streams }, p);
    }
    if (compute.queryEngine) {
      this.queryEngine = new QueryEngine(
        `${name}-query`,
        {
          ...common,
          config: compute.queryEngine,
          kafka: cfg.streaming.enabled
            ? {
                clusterArn: pick((o) => o.kafka!.clusterArn),
                bootstrapBrokers: pick((o) => o.kafka!.bootstrapBrokers),
                topics: cfg.streaming.topics.map((t) => t.name),
              }
            : undefined,
          warehouse: cfg.warehouse.enabled
            ? {
                engine: cfg.warehouse.engine,
                endpoint: pick((o) => o.warehouse!.endpoint),
                port: pick((o) => o.warehouse!.port),
                database: pick((o) => o.warehouse!.database),
                secretArn: pick((o) => o.warehouse!.queryEngineSecretArn!),
              }
            : undefined,
        },
        p,
      );
    }
    if (cfg.bi.superset.enabled) this.superset(name, cfg, f, pulumi.output(args.secrets));
    this.registerOutputs({});
  }

  private superset(
    name: string,
    cfg: ResolvedConfig,
    f: pulumi.Output<FoundationOutputs>,
    secrets: pulumi.Output<FoundationSecrets>,
  ): void {
    const ctx = contextFromConfig(cfg);
    const q = this.queryEngine;
    const qc = cfg.compute?.queryEngine;
    createSuperset(
      `${name}-bi-superset`,
      {
        ctx,
        config: cfg.bi.superset,
        provider: this.provider,
        keyArn: f.apply((o) => o.keyArns.confidential),
        network: {
          vpcId: f.apply((o) => o.vpcId),
          privateSubnetIds: f.apply((o) => o.privateSubnetIds),
          clientSecurityGroupId: f.apply((o) => o.computeSecurityGroupId),
        },
        datasources: pulumi.all([f, secrets, q?.loadBalancerHostname]).apply(([o, s, host]) => ({
          queryEngine: q && qc && host ? datasource(queryEngineEndpoint(qc, host)) : undefined,
          warehouse:
            o.warehouse?.biLogin && s.biLoginPassword
              ? {
                  engine: cfg.warehouse.engine,
                  host: o.warehouse.endpoint,
                  port: o.warehouse.port,
                  database: o.warehouse.database,
                  username: o.warehouse.biLogin.name,
                  password: s.biLoginPassword,
                }
              : undefined,
        })),
      },
      this,
    );
  }
}

const datasource = (e: { engine: "trino" | "presto"; host: string; port: number }) => ({
  engine: e.engine,
  host: e.host,
  port: e.port,
});
