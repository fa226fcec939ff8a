import { z } from "zod";
import type { Environment } from "../core/types";
import { ARN, At, cidr, definedOnly, INSTANCE_TYPE } from "./config-fields";
import { EKS_ADDON_VERSIONS, EksAddonName, KUBERNETES_VERSION } from "./versions";

// `platform.compute.cluster`: where Kubernetes comes from (an EKS cluster the platform manages, or one you bring),
// its node groups and autoscaler.

/** How the deployer reaches the cluster's API; see `deployerAccess`. */
export const DEPLOYER_ACCESS = ["runner", "public-endpoint"] as const;
export type DeployerAccess = (typeof DEPLOYER_ACCESS)[number];
export const RUNNER_COMPUTE_TYPES = ["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"] as const;

export interface RunnerConfig {
  readonly computeType: (typeof RUNNER_COMPUTE_TYPES)[number];
  readonly timeoutMinutes: number;
}

export const nodeGroupSchema = z.strictObject({
  /** Turn off a group the profile defines. @default true */
  enabled: z.boolean().optional(),
  capacityType: z.enum(["on-demand", "spot"], { message: "must be on-demand | spot" }).optional(),
  instanceTypes: z
    .array(z.string().regex(INSTANCE_TYPE, { message: "must be an EC2 instance type such as m6i.xlarge" }))
    .min(1)
    .optional(),
  minSize: z.number().int().min(0).max(100).optional(),
  maxSize: z.number().int().min(1).max(100).optional(),
  desiredSize: z.number().int().min(0).max(100).optional(),
  diskSizeGiB: z.number().int().min(20).max(1000).optional(),
  /** Taints the group so that only Spark executors land on it. */
  dedicatedTo: z.enum(["spark-executors"], { message: "must be spark-executors" }).optional(),
});

/** A duration as the cluster autoscaler's flags take it. */
const DURATION = /^\d+(s|m|h)$/;
const duration = z.string().regex(DURATION, { message: "must be a duration such as 90s, 10m or 1h" });

export const autoscalerSchema = z.strictObject({
  /** The Kubernetes Cluster Autoscaler scales the managed node groups between their minSize and maxSize. @default true */
  enabled: z.boolean().optional(),
  /** How long a node must stay underused before it is removed. @default dev 2m, staging 10m, prod 15m */
  scaleDownUnneededTime: duration.optional(),
  /** How long after a scale-up before scale-down is considered again. @default dev 2m, else 10m */
  scaleDownDelayAfterAdd: duration.optional(),
  /** Requested share of a node's CPU and memory under which it is a scale-down candidate. @default 0.5 */
  scaleDownUtilizationThreshold: z
    .number()
    .min(0.1, { message: "must be between 0.1 and 0.9" })
    .max(0.9, { message: "must be between 0.1 and 0.9" })
    .optional(),
  /** Autoscaler pods; more than one is an elected leader plus warm standbys. @default prod 2, else 1 */
  replicas: z.number().int().min(1).max(3).optional(),
});

export const eksClusterSchema = z.strictObject({
  mode: z.literal("eks"),
  /** Kubernetes minor version. Bump together with EKS_ADDON_VERSIONS. */
  version: z
    .string()
    .regex(/^1\.\d{2}$/, { message: "must be a Kubernetes minor version such as 1.33" })
    .optional(),
  /**
   * How `pulumi up` reaches the private API: `runner`, a CodeBuild project in the private subnets that the cluster
   * security group admits on 443 (docs/deployment.md); `public-endpoint`, the API endpoint opened to
   * `publicAccessCidrs` (dev and staging only). @default runner
   */
  deployerAccess: z.enum(DEPLOYER_ACCESS, { message: "must be runner | public-endpoint" }).optional(),
  /** Same as `deployerAccess: public-endpoint` (kept for existing stacks). Never in prod. @default false */
  endpointPublicAccess: z.boolean().optional(),
  publicAccessCidrs: z.array(cidr).optional(),
  /** The deploy runner (`deployerAccess: runner`). */
  runner: z
    .strictObject({
      /** CodeBuild compute type. @default BUILD_GENERAL1_SMALL (3 GB, 2 vCPU: the workload layer's `pulumi up`) */
      computeType: z
        .enum(RUNNER_COMPUTE_TYPES, { message: `must be one of ${RUNNER_COMPUTE_TYPES.join(" | ")}` })
        .optional(),
      /** A build's time limit. @default 60 */
      timeoutMinutes: z.number().int().min(10).max(480).optional(),
    })
    .optional(),
  /** IAM role ARNs that administer the cluster through access entries. @default [] */
  adminRoleArns: z.array(z.string().regex(ARN, { message: "must be an IAM role ARN" })).optional(),
  logRetentionDays: z.number().int().min(1).max(3653).optional(),
  addonVersions: z
    .strictObject(
      Object.fromEntries(
        Object.keys(EKS_ADDON_VERSIONS).map((k) => [
          k,
          z
            .string()
            .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, {
              message: "must be an EKS add-on build such as v1.19.6-eksbuild.7",
            })
            .optional(),
        ]),
      ) as Record<EksAddonName, z.ZodOptional<z.ZodString>>,
    )
    .optional(),
  nodeGroups: z
    .record(
      z
        .string()
        .regex(/^[a-z][a-z0-9-]{1,30}$/, { message: "node group names are lower-case letters, digits and '-'" }),
      nodeGroupSchema,
    )
    .optional(),
  autoscaler: autoscalerSchema.optional(),
});

export const existingClusterSchema = z.strictObject({
  mode: z.literal("existing"),
  /** Kubeconfig contents; set it as a secret (`pulumi config set --secret`). Omitted: the ambient kubeconfig. */
  kubeconfig: z.string().min(20, { message: "must be the kubeconfig's contents" }).optional(),
  context: z.string().min(1).optional(),
});

export const clusterSchema = z.discriminatedUnion("mode", [eksClusterSchema, existingClusterSchema], {
  message: "mode must be eks | existing",
});

export interface NodeGroupConfig {
  readonly capacityType: "on-demand" | "spot";
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly diskSizeGiB: number;
  readonly dedicatedTo?: "spark-executors";
}

export interface AutoscalerConfig {
  readonly enabled: boolean;
  readonly scaleDownUnneededTime: string;
  readonly scaleDownDelayAfterAdd: string;
  readonly scaleDownUtilizationThreshold: number;
  readonly replicas: number;
}

export interface EksClusterConfig {
  readonly mode: "eks";
  readonly version: string;
  readonly deployerAccess: DeployerAccess;
  readonly endpointPublicAccess: boolean;
  readonly publicAccessCidrs: readonly string[];
  readonly runner: RunnerConfig;
  readonly adminRoleArns: readonly string[];
  readonly logRetentionDays: number;
  readonly addonVersions: Record<EksAddonName, string>;
  readonly nodeGroups: Readonly<Record<string, NodeGroupConfig>>;
  readonly autoscaler: AutoscalerConfig;
}

export interface ExistingClusterConfig {
  readonly mode: "existing";
  readonly kubeconfig?: string;
  readonly context?: string;
}

export type ClusterProfile = Omit<
  EksClusterConfig,
  | "mode"
  | "version"
  | "addonVersions"
  | "adminRoleArns"
  | "publicAccessCidrs"
  | "endpointPublicAccess"
  | "deployerAccess"
  | "runner"
>;

const SPOT_TYPES = ["m6i.xlarge", "m6a.xlarge", "m5.xlarge", "m5a.xlarge"];

/**
 * dev: small on-demand system group plus a spot group that only Spark executors use, short retention. staging:
 * production shape at half size. prod: a system node per AZ, a year of control-plane logs.
 */
export const CLUSTER_PROFILES: Record<Environment, ClusterProfile> = {
  dev: {
    logRetentionDays: 7,
    nodeGroups: {
      system: {
        capacityType: "on-demand",
        instanceTypes: ["m6i.xlarge"],
        minSize: 2,
        maxSize: 3,
        desiredSize: 2,
        diskSizeGiB: 50,
      },
      "spark-spot": {
        capacityType: "spot",
        instanceTypes: SPOT_TYPES,
        minSize: 0,
        maxSize: 6,
        desiredSize: 0,
        diskSizeGiB: 100,
        dedicatedTo: "spark-executors",
      },
    },
    // Dev pays for idle spot nodes by the minute: give them back two minutes after the last executor leaves.
    autoscaler: {
      enabled: true,
      scaleDownUnneededTime: "2m",
      scaleDownDelayAfterAdd: "2m",
      scaleDownUtilizationThreshold: 0.5,
      replicas: 1,
    },
  },
  staging: {
    logRetentionDays: 30,
    nodeGroups: {
      system: {
        capacityType: "on-demand",
        instanceTypes: ["m6i.2xlarge"],
        minSize: 2,
        maxSize: 6,
        desiredSize: 2,
        diskSizeGiB: 100,
      },
    },
    autoscaler: {
      enabled: true,
      scaleDownUnneededTime: "10m",
      scaleDownDelayAfterAdd: "10m",
      scaleDownUtilizationThreshold: 0.5,
      replicas: 1,
    },
  },
  prod: {
    logRetentionDays: 365,
    nodeGroups: {
      system: {
        capacityType: "on-demand",
        instanceTypes: ["m6i.2xlarge", "m6a.2xlarge"],
        minSize: 3,
        maxSize: 12,
        desiredSize: 3,
        diskSizeGiB: 100,
      },
    },
    // Slower to give back in prod: a node removed during a lull is a node the next query burst waits for. A standby
    // replica takes over leadership when the node under the leader is drained.
    autoscaler: {
      enabled: true,
      scaleDownUnneededTime: "15m",
      scaleDownDelayAfterAdd: "10m",
      scaleDownUtilizationThreshold: 0.5,
      replicas: 2,
    },
  },
};

const NEW_GROUP_DEFAULTS = {
  capacityType: "on-demand",
  minSize: 0,
  maxSize: 3,
  desiredSize: 0,
  diskSizeGiB: 100,
} as const;

function resolveNodeGroups(
  profile: ClusterProfile["nodeGroups"],
  user: Record<string, z.output<typeof nodeGroupSchema>> = {},
): Record<string, NodeGroupConfig> {
  const names = [...new Set([...Object.keys(profile), ...Object.keys(user)])];
  const groups: Record<string, NodeGroupConfig> = {};
  for (const name of names) {
    const { enabled, ...patch } = user[name] ?? {};
    if (enabled === false) continue;
    const base = profile[name] ?? { ...NEW_GROUP_DEFAULTS, instanceTypes: [] };
    groups[name] = { ...base, ...patch };
  }
  return groups;
}

export type ClusterParsed = z.output<typeof clusterSchema>;
export type ClusterConfig = EksClusterConfig | ExistingClusterConfig;

/** Profile defaults under the user's values; no cluster section is an EKS cluster the platform manages. */
export function resolveCluster(parsed: ClusterParsed | undefined, environment: Environment): ClusterConfig {
  const profile = CLUSTER_PROFILES[environment];
  const c = parsed ?? { mode: "eks" as const };
  if (c.mode === "existing") return c;
  const deployerAccess = c.deployerAccess ?? (c.endpointPublicAccess ? "public-endpoint" : "runner");
  return {
    mode: "eks",
    version: c.version ?? KUBERNETES_VERSION,
    deployerAccess,
    endpointPublicAccess: deployerAccess === "public-endpoint",
    runner: { computeType: "BUILD_GENERAL1_SMALL", timeoutMinutes: 60, ...definedOnly(c.runner ?? {}) },
    publicAccessCidrs: c.publicAccessCidrs ?? [],
    adminRoleArns: c.adminRoleArns ?? [],
    logRetentionDays: c.logRetentionDays ?? profile.logRetentionDays,
    addonVersions: { ...EKS_ADDON_VERSIONS, ...definedOnly(c.addonVersions ?? {}) },
    nodeGroups: resolveNodeGroups(profile.nodeGroups, c.nodeGroups),
    autoscaler: { ...profile.autoscaler, ...definedOnly(c.autoscaler ?? {}) },
  };
}

/** Rules over the resolved cluster: a private endpoint in prod, sane node groups, a node per AZ in prod. */
export function clusterProblems(
  cluster: ClusterConfig,
  ctx: { readonly environment: Environment; readonly azCount: number },
  at: At,
  parsed?: ClusterParsed,
): void {
  if (cluster.mode !== "eks") return;
  const written = parsed?.mode === "eks" ? parsed : undefined;
  if (written?.deployerAccess === "runner" && written.endpointPublicAccess === true)
    at(
      "cluster.endpointPublicAccess",
      "contradicts deployerAccess: runner (a runner needs no public endpoint); remove it",
    );
  if (cluster.endpointPublicAccess && ctx.environment === "prod")
    at(
      written?.deployerAccess ? "cluster.deployerAccess" : "cluster.endpointPublicAccess",
      "is refused in prod: the API endpoint stays private; deploy the workload layer from the runner (deployerAccess: runner)",
    );
  if (cluster.endpointPublicAccess && written?.runner)
    at("cluster.runner", "has no effect with deployerAccess: public-endpoint (no runner is created); remove it");
  if (cluster.endpointPublicAccess && cluster.publicAccessCidrs.length === 0)
    at("cluster.publicAccessCidrs", "must list the CIDRs allowed to reach the public endpoint");
  if (!cluster.endpointPublicAccess && cluster.publicAccessCidrs.length > 0)
    at("cluster.publicAccessCidrs", "has no effect without endpointPublicAccess: true; remove it");
  const groups = Object.entries(cluster.nodeGroups);
  for (const [name, g] of groups) {
    const path = `cluster.nodeGroups.${name}`;
    if (g.instanceTypes.length === 0)
      at(`${path}.instanceTypes`, "is required for a node group the profile does not define");
    if (!(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize))
      at(path, `needs minSize <= desiredSize <= maxSize (got ${g.minSize}, ${g.desiredSize}, ${g.maxSize})`);
    if (g.capacityType === "spot" && g.instanceTypes.length < 2)
      at(
        `${path}.instanceTypes`,
        "spot groups need at least two instance types so one reclaimed pool does not starve the group",
      );
  }
  if (!cluster.autoscaler.enabled) {
    for (const [name, g] of groups) {
      if (g.desiredSize === 0)
        at(
          `cluster.nodeGroups.${name}.desiredSize`,
          "is 0 and nothing adds nodes with cluster.autoscaler.enabled: false; give it nodes or keep the autoscaler",
        );
    }
  }
  const general = groups.filter(([, g]) => g.capacityType === "on-demand" && !g.dedicatedTo);
  if (general.length === 0)
    at(
      "cluster.nodeGroups",
      "needs at least one on-demand group without dedicatedTo for system pods, operators and Spark drivers",
    );
  if (ctx.environment === "prod" && general.every(([, g]) => g.minSize < ctx.azCount)) {
    at(
      "cluster.nodeGroups",
      `needs an on-demand group with minSize >= ${ctx.azCount} in prod so every AZ keeps a node`,
    );
  }
}
