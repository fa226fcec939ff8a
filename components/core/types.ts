import * as pulumi from "@pulumi/pulumi";

/** The three environment profiles. Each fills the config defaults (see components/config/profiles.ts). */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Data classifications, least to most sensitive. Each has its own KMS key. */
export const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** Lake zones, in the order data flows through them. */
export const ZONES = ["raw", "curated", "analytics"] as const;
export type Zone = (typeof ZONES)[number];

/** Tag keys the platform puts on every taggable resource; policies read these exact keys. */
export const TAG = {
  environment: "environment",
  owner: "owner",
  costCenter: "cost-center",
  managedBy: "managed-by",
  platform: "platform",
  dataDomain: "data-domain",
  dataClassification: "data-classification",
  steward: "data-steward",
} as const;

export type Tags = Record<string, string>;

/**
 * What every platform component receives from DataPlatform (or from a platform team's own program):
 * naming, the environment profile's safety switches, and the governance tag set.
 */
export interface PlatformContext {
  /** Prefix for physical names, e.g. `acme-data-prod`. Lower-case, hyphenated. */
  readonly prefix: string;
  readonly environment: Environment;
  readonly region: string;
  /** Base governance tags: environment, owner, cost-center, managed-by, platform. */
  readonly tags: Tags;
  /** Marks stateful resources `protect` (prod). */
  readonly protect: boolean;
  /** Keeps stateful resources in the cloud when removed from the program (staging, prod). */
  readonly retainOnDelete: boolean;
  /** Allows emptying buckets and skipping final snapshots on destroy (dev only). */
  readonly allowDestroyData: boolean;
}

/** Network facts other components attach to. */
export interface NetworkRefs {
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<string>[];
  readonly publicSubnetIds: pulumi.Input<string>[];
  /** How many AZs the private subnets span. */
  readonly azCount: number;
  /**
   * Egress-only security groups that workloads attach to; data stores admit these, never CIDRs.
   * `ingestion`: serverless functions; `compute`: Kubernetes nodes and pods; `bi`: BI tools and the query engine's clients.
   */
  readonly workloadSecurityGroupIds: Record<WorkloadKind, pulumi.Input<string>>;
}

export const WORKLOAD_KINDS = ["ingestion", "compute", "bi"] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** The KMS keys per classification and the permissions boundary every role carries. */
export interface SecurityRefs {
  readonly keyArns: Record<Classification, pulumi.Output<string>>;
  readonly permissionsBoundaryArn: pulumi.Output<string>;
}
