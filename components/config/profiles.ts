import type { Classification, Environment, Zone } from "../core/types";
import { resolveIngestion, ResolvedIngestion } from "../dataflow/section";
import { ComputeConfig, resolveComputeConfig } from "../compute/config";
import { resolveStreamingConfig, StreamingConfig } from "../streaming/config";
import { resolveWarehouseConfig, WarehouseConfig } from "../warehouse/config";
import type { DomainConfig, PlatformParsed } from "./schema";
import { AccessConfig, resolveAccessConfig } from "../security/config";
import { BiConfig, resolveBiConfig } from "../bi/config";
import { ResolvedDataset, resolveDatasets } from "../datasets/config";
import { resolveCost, ResolvedCost } from "../cost/config";

/** The platform config after the environment profile filled every default. */
export interface ResolvedConfig {
  readonly name: string;
  readonly environment: Environment;
  readonly region: string;
  readonly governance: PlatformParsed["governance"];
  readonly domains: readonly DomainConfig[];
  readonly network: {
    readonly cidr: string;
    readonly azCount: 2 | 3;
    readonly availabilityZones: readonly string[];
    readonly natGateways: "single" | "per-az";
    readonly interfaceEndpoints: boolean;
    readonly flowLogRetentionDays: number;
    readonly existing?: NonNullable<NonNullable<PlatformParsed["network"]>["existing"]>;
  };
  readonly lake: {
    readonly zones: Record<Zone, { readonly classification: Classification }>;
    readonly forceDestroy: boolean;
    readonly rawInfrequentAccessAfterDays: number;
    readonly rawArchiveAfterDays: number;
    readonly noncurrentVersionExpirationDays: number;
    readonly accessLogExpirationDays: number;
    readonly queryResultExpirationDays: number;
    readonly lakeFormationAdmins: readonly string[];
  };
  readonly security: { readonly keyDeletionWindowDays: number };
  readonly warehouse: WarehouseConfig;
  readonly streaming: StreamingConfig;
  readonly ingestion: ResolvedIngestion;
  /** Every domain's declared datasets, flattened, with owner and steward from their domain. */
  readonly datasets: readonly ResolvedDataset[];
  /** Absent when the stack has no `compute` section. */
  readonly compute?: ComputeConfig;
  readonly access: AccessConfig;
  readonly bi: BiConfig;
  /** Budgets, anomaly alerts and the cost estimate's volume assumptions. */
  readonly cost: ResolvedCost;
  /** Profile switches that are not user-settable: they are what "prod cannot lose data" means. */
  readonly safety: {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly logRetentionDays: number;
  };
}

type Defaults = Omit<
  ResolvedConfig,
  | "name"
  | "environment"
  | "region"
  | "governance"
  | "domains"
  | "warehouse"
  | "streaming"
  | "compute"
  | "access"
  | "bi"
  | "cost"
  | "ingestion"
  | "datasets"
>;

const zones = {
  raw: { classification: "confidential" },
  curated: { classification: "internal" },
  analytics: { classification: "internal" },
} as const;

/**
 * dev is cheap (one NAT, 2 AZs, no interface endpoints, short retention, buckets emptied on destroy);
 * prod cannot lose data and survives an AZ (3 AZs, NAT per AZ, protect + retain, long retention).
 */
export const PROFILES: Record<Environment, Defaults> = {
  dev: {
    network: {
      cidr: "10.10.0.0/16",
      azCount: 2,
      availabilityZones: [],
      natGateways: "single",
      interfaceEndpoints: false,
      flowLogRetentionDays: 7,
    },
    lake: {
      zones,
      forceDestroy: true,
      rawInfrequentAccessAfterDays: 30,
      rawArchiveAfterDays: 90,
      noncurrentVersionExpirationDays: 7,
      accessLogExpirationDays: 30,
      queryResultExpirationDays: 7,
      lakeFormationAdmins: [],
    },
    security: { keyDeletionWindowDays: 7 },
    safety: { protect: false, retainOnDelete: false, logRetentionDays: 7 },
  },
  staging: {
    network: {
      cidr: "10.20.0.0/16",
      azCount: 2,
      availabilityZones: [],
      natGateways: "single",
      interfaceEndpoints: true,
      flowLogRetentionDays: 30,
    },
    lake: {
      zones,
      forceDestroy: false,
      rawInfrequentAccessAfterDays: 30,
      rawArchiveAfterDays: 90,
      noncurrentVersionExpirationDays: 30,
      accessLogExpirationDays: 90,
      queryResultExpirationDays: 30,
      lakeFormationAdmins: [],
    },
    security: { keyDeletionWindowDays: 30 },
    safety: { protect: false, retainOnDelete: true, logRetentionDays: 30 },
  },
  prod: {
    network: {
      cidr: "10.30.0.0/16",
      azCount: 3,
      availabilityZones: [],
      natGateways: "per-az",
      interfaceEndpoints: true,
      flowLogRetentionDays: 365,
    },
    lake: {
      zones,
      forceDestroy: false,
      rawInfrequentAccessAfterDays: 30,
      rawArchiveAfterDays: 180,
      noncurrentVersionExpirationDays: 90,
      accessLogExpirationDays: 365,
      queryResultExpirationDays: 30,
      lakeFormationAdmins: [],
    },
    security: { keyDeletionWindowDays: 30 },
    safety: { protect: true, retainOnDelete: true, logRetentionDays: 365 },
  },
};

/** Profile defaults under the user's values: the user wins field by field. */
/** Topic → the schema of the http source that publishes to it: a topic without its own schema inherits it. */
export function producerSchemas(sources: PlatformParsed["sources"]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of sources ?? []) if (s.kind === "http" && s.kafkaTopic) out[s.kafkaTopic] ??= s.schema;
  return out;
}

export function applyProfile(parsed: PlatformParsed, region: string): ResolvedConfig {
  const d = PROFILES[parsed.profile];
  const net = { ...d.network, ...parsed.network };
  const warehouse = resolveWarehouseConfig(parsed.warehouse, parsed.profile);
  // Redshift Serverless only deploys into subnets of 3 AZs. Subnets cost nothing (dev keeps its single NAT gateway),
  // so the profile's AZ count rises to 3 for it unless the user chose a count, in which case the cross-check explains.
  const needsThree =
    warehouse.enabled && warehouse.engine === "redshift-serverless" && parsed.network?.azCount === undefined;
  const azCount = net.existing
    ? (Math.min(net.existing.privateSubnetIds.length, 3) as 2 | 3)
    : needsThree
      ? 3
      : net.azCount;
  const availabilityZones =
    net.availabilityZones.length > 0
      ? net.availabilityZones
      : ["a", "b", "c"].slice(0, azCount).map((s) => `${region}${s}`);
  const userZones = parsed.lake?.zones ?? {};
  const lakeZones = Object.fromEntries(
    (Object.keys(d.lake.zones) as Zone[]).map((z) => [
      z,
      { classification: userZones[z]?.classification ?? d.lake.zones[z].classification },
    ]),
  ) as ResolvedConfig["lake"]["zones"];
  return {
    name: parsed.name,
    environment: parsed.profile,
    region,
    governance: parsed.governance,
    domains: parsed.domains,
    network: {
      ...net,
      cidr: net.existing?.cidr ?? net.cidr,
      azCount,
      availabilityZones,
      // An existing VPC usually has its endpoints (their private DNS names exist once per VPC): only when asked.
      interfaceEndpoints: net.existing ? (parsed.network?.interfaceEndpoints ?? false) : net.interfaceEndpoints,
    },
    lake: { ...d.lake, ...parsed.lake, zones: lakeZones },
    security: { ...d.security, ...parsed.security },
    warehouse,
    compute: parsed.compute && resolveComputeConfig(parsed.compute, parsed.profile),
    streaming: resolveStreamingConfig(
      parsed.streaming,
      parsed.profile,
      parsed.domains,
      producerSchemas(parsed.sources),
    ),
    ingestion: resolveIngestion(parsed, parsed.profile, parsed.domains, parsed.governance.owner),
    datasets: resolveDatasets(parsed.domains, parsed.pipelines ?? []),
    access: resolveAccessConfig(parsed.access, parsed.profile),
    bi: resolveBiConfig(parsed.bi, parsed.profile),
    cost: resolveCost(parsed.cost, parsed.profile, parsed.domains, parsed.sources ?? []),
    safety: d.safety,
  };
}
