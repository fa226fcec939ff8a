import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedConfig } from "../config/profiles";
import { CLASSIFICATIONS, ZONES, type Classification, type Zone } from "../core/types";
import { DEFAULT_ZONE_CLASSIFICATIONS } from "../lake/DataLake";
import { WAREHOUSE_CLASSIFICATION } from "../warehouse/documents";
import { QUERY_ENGINE_LOGIN, type DataPlatform } from "./DataPlatform";

// The layered deployment (docs/deployment.md): the foundation stack exports what the workload layer needs as one
// output, and the workload stack reads it back through a StackReference. Both sides share these types, so a renamed
// field breaks the workload plan in CI rather than a deployment.

/** `all`: one stack. `foundation`: no Kubernetes API. `workloads`: the Kubernetes API, from inside the VPC. */
export const LAYERS = ["all", "foundation", "workloads"] as const;
export type Layer = (typeof LAYERS)[number];

/** The foundation's stack output the workload layer reads (`workloadInputs`), plain values only. */
export interface FoundationOutputs {
  /** Digest of the resolved platform config: both layers must be built from the same one. */
  readonly configDigest: string;
  readonly accountId: string;
  readonly keyArns: Record<Classification, string>;
  readonly permissionsBoundaryArn: string;
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  /** The `compute` workload group: what the warehouse, Kafka and Superset's database admit. */
  readonly computeSecurityGroupId: string;
  readonly lake: {
    readonly zones: Record<Zone, { bucketName: string; bucketArn: string; keyArn: string }>;
    readonly restricted?: { bucketName: string; bucketArn: string; keyArn: string };
    readonly databases: Record<string, string>;
    readonly accessLogBucketName: string;
  };
  readonly cluster: { name: string; arn: string; endpoint: string; certificateAuthority: string };
  readonly kafka?: { clusterArn: string; bootstrapBrokers: string };
  /** The environment's alerts topic (streaming applications alarm into it). */
  readonly alertsTopicArn: string;
  readonly warehouse?: {
    endpoint: string;
    port: number;
    database: string;
    queryEngineSecretArn?: string;
    biLogin?: { name: string; secretArn: string; keyArn: string };
  };
}

/** The foundation's secret output (`workloadSecrets`): Superset signs in to the warehouse with the BI login. */
export interface FoundationSecrets {
  readonly biLoginPassword?: string;
}

export const WORKLOAD_INPUTS = "workloadInputs";
export const WORKLOAD_SECRETS = "workloadSecrets";

/** A digest of the resolved config; identical stack configs give identical digests. */
export function configDigest(config: ResolvedConfig): string {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex").slice(0, 32);
}

/** Reads `data-platform:layer`; anything else is a config error naming the key. */
export function layerOf(value: string | undefined): Layer {
  const layer = value ?? "all";
  if (!(LAYERS as readonly string[]).includes(layer))
    throw new Error(`data-platform:layer: must be ${LAYERS.join(" | ")} (got '${layer}')`);
  return layer as Layer;
}

export const zoneClassification = (config: ResolvedConfig, zone: Zone): Classification =>
  (config.lake.zones ?? DEFAULT_ZONE_CLASSIFICATIONS)[zone].classification;

/** What the foundation stack exports for the workload layer. */
export function foundationOutputs(
  platform: DataPlatform,
  config: ResolvedConfig,
): { inputs: pulumi.Output<FoundationOutputs>; secrets: pulumi.Output<FoundationSecrets> } {
  const { security, network, lake, kubernetes, kafka, warehouse } = platform;
  if (!kubernetes?.clusterName || !kubernetes.certificateAuthority)
    throw new Error("the foundation layer needs platform.compute.cluster.mode: eks (the workload layer's cluster)");
  const bi = config.bi.warehouseLogin;
  const biLogin =
    warehouse && bi.enabled
      ? {
          name: bi.username,
          secretArn: warehouse.loginSecretArns[bi.username],
          keyArn: security.keyArns[WAREHOUSE_CLASSIFICATION],
        }
      : undefined;
  const inputs = pulumi.output({
    configDigest: configDigest(config),
    accountId: platform.accountId,
    keyArns: Object.fromEntries(CLASSIFICATIONS.map((c) => [c, security.keyArns[c]])),
    permissionsBoundaryArn: security.permissionsBoundaryArn,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    computeSecurityGroupId: network.workloadSecurityGroupIds.compute,
    lake: {
      zones: Object.fromEntries(
        ZONES.map((z) => [
          z,
          { bucketName: lake.zones[z].bucketName, bucketArn: lake.zones[z].bucketArn, keyArn: lake.zones[z].keyArn },
        ]),
      ),
      restricted: lake.restricted && {
        bucketName: lake.restricted.bucketName,
        bucketArn: lake.restricted.bucketArn,
        keyArn: lake.restricted.keyArn,
      },
      databases: lake.databases,
      accessLogBucketName: lake.accessLogBucketName,
    },
    cluster: {
      name: kubernetes.clusterName,
      arn: kubernetes.clusterArn,
      endpoint: kubernetes.endpoint,
      certificateAuthority: kubernetes.certificateAuthority,
    },
    kafka: kafka && { clusterArn: kafka.clusterArn, bootstrapBrokers: kafka.bootstrapBrokers },
    alertsTopicArn: platform.monitoring.topicArn,
    warehouse: warehouse && {
      endpoint: warehouse.endpoint,
      port: warehouse.port,
      database: warehouse.database,
      queryEngineSecretArn: warehouse.loginSecretArns[QUERY_ENGINE_LOGIN.name],
      biLogin,
    },
  }) as unknown as pulumi.Output<FoundationOutputs>;
  const password = warehouse && bi.enabled ? warehouse.loginPasswords[bi.username] : undefined;
  const secrets = pulumi.secret(pulumi.output({ biLoginPassword: password })) as pulumi.Output<FoundationSecrets>;
  return { inputs, secrets };
}
