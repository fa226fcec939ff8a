import { z } from "zod";
import type { Problem } from "../config/load";
import { Environment, ZONES, Zone } from "../core/types";
import { isPinnedImage } from "./images";
import { EKS_ADDON_VERSIONS, EksAddonName, KUBERNETES_VERSION } from "./versions";

// The `platform.compute` section of a stack file: where Kubernetes comes from, Spark and its scheduled jobs, and the
// query engine. Objects are strict (an unknown key is a typo); optional fields are filled by COMPUTE_PROFILES.

export const COMPUTE_ROOT = "platform.compute";

const K8S_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
const DOMAIN = /^[a-z][a-z0-9_]{1,30}$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** Kubernetes quantities as the platform writes them: plain cores or millicores, memory in Mi/Gi. */
const CPU = /^(\d+|\d+m)$/;
const K8S_MEMORY = /^\d+(Mi|Gi)$/;
/** Spark's own memory syntax (`spark.driver.memory`). */
const SPARK_MEMORY = /^\d+[mg]$/;

/** A cron schedule as the Spark operator's parser accepts it: five fields, or a descriptor. */
export function isCronSchedule(value: string): boolean {
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(value)) return true;
  if (/^@every \d+(ms|s|m|h)$/.test(value)) return true;
  const fields = value.trim().split(/\s+/);
  const field = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
  const named = /^[A-Za-z]{3}(-[A-Za-z]{3})?(,[A-Za-z]{3}(-[A-Za-z]{3})?)*$/;
  return fields.length === 5 && fields.every((f, i) => field.test(f) || ((i === 3 || i === 4) && named.test(f)));
}

/** An IPv4 CIDR with valid octets; `0.0.0.0/0` is refused because "allowed CIDRs" must be an allow-list. */
export function isAllowListCidr(value: string): boolean {
  const m = CIDR.exec(value);
  if (!m) return false;
  const prefix = Number(m[5]);
  return m.slice(1, 5).every((o) => Number(o) <= 255) && prefix >= 8 && prefix <= 32;
}

const cidr = z.string().refine(isAllowListCidr, {
  message: "must be an IPv4 CIDR with a prefix of /8 to /32 (0.0.0.0/0 is not an allow-list)",
});
const k8sName = (what: string) =>
  z
    .string()
    .regex(K8S_NAME, { message: `must be a ${what}: lower-case letters, digits and '-', at most 40 characters` });
const image = z
  .string()
  .refine(isPinnedImage, { message: "must be pinned: repository:tag (not 'latest') or repository@sha256:<digest>" });
const zone = z.enum(ZONES, { message: `must be one of ${ZONES.join(" | ")}` });

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
  /** Public API endpoint (with allowed CIDRs). Never in prod. @default false */
  endpointPublicAccess: z.boolean().optional(),
  publicAccessCidrs: z.array(cidr).optional(),
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

const resources = z.strictObject({
  cores: z.number().int().min(1).max(64).optional(),
  memory: z.string().regex(SPARK_MEMORY, { message: "must be Spark memory such as 2g or 512m" }).optional(),
});

/** Spark settings the platform owns: identities, event logs, scheduling. A job overriding them could escape its boundary. */
export const RESERVED_SPARK_CONF = [
  /^spark\.kubernetes\./,
  /^spark\.eventLog\./,
  /^spark\.hadoop\.fs\.s3a\.(aws\.credentials|assumed\.role|access\.key|secret\.key)/,
  /^spark\.master$/,
];

export const sparkJobSchema = z.strictObject({
  name: k8sName("job name"),
  /** Owning data domain: the job runs as that domain's service account and can reach only its data. */
  domain: z.string().regex(DOMAIN, { message: "must be a domain name declared under platform.domains" }),
  schedule: z
    .string()
    .refine(isCronSchedule, { message: "must be a 5-field cron expression or a descriptor such as @daily" }),
  /** IANA time zone of the schedule. @default "UTC" */
  timeZone: z
    .string()
    .regex(/^(UTC|[A-Za-z_]+\/[A-Za-z_]+(\/[A-Za-z_]+)?)$/, {
      message: "must be UTC or an IANA zone such as Europe/Paris",
    })
    .optional(),
  /** @default spark.image */
  image: image.optional(),
  /** @default Python */
  type: z.enum(["Python", "Scala", "Java"], { message: "must be Python | Scala | Java" }).optional(),
  mainApplicationFile: z.string().regex(/^(s3a|local):\/\/\S+$/, { message: "must be an s3a:// or local:// URI" }),
  mainClass: z
    .string()
    .regex(/^[A-Za-z_][\w.$]*$/, { message: "must be a fully qualified class name" })
    .optional(),
  arguments: z.array(z.string()).optional(),
  sparkConf: z.record(z.string(), z.string()).optional(),
  driver: resources.optional(),
  executor: resources.extend({ instances: z.number().int().min(1).max(500).optional() }).optional(),
  /** Lake zones the job reads. */
  reads: z.array(zone).min(1, { message: "must list at least one zone the job reads" }),
  /** Lake zones the job writes. @default [] */
  writes: z.array(zone).optional(),
  /** Executors on spot capacity. @default spark.spotExecutors */
  spot: z.boolean().optional(),
  suspend: z.boolean().optional(),
  concurrencyPolicy: z.enum(["Allow", "Forbid", "Replace"], { message: "must be Allow | Forbid | Replace" }).optional(),
  /** Retries of a failed run before it is reported failed. @default 2 */
  retries: z.number().int().min(0).max(10).optional(),
});

export const sparkSchema = z.strictObject({
  /** Default image of jobs and the history server; must contain hadoop-aws for s3a://. */
  image,
  namespace: k8sName("namespace").optional(),
  operatorNamespace: k8sName("namespace").optional(),
  historyServer: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  eventLogRetentionDays: z.number().int().min(1).max(3653).optional(),
  /** Executors on spot capacity unless a job says otherwise. @default dev true, else false */
  spotExecutors: z.boolean().optional(),
  quota: z
    .strictObject({
      cpu: z.string().regex(CPU, { message: "must be a CPU quantity such as 64" }).optional(),
      memory: z.string().regex(K8S_MEMORY, { message: "must be a memory quantity such as 256Gi" }).optional(),
      pods: z.number().int().min(1).optional(),
    })
    .optional(),
  jobs: z.array(sparkJobSchema).optional(),
});

const podResources = z.strictObject({
  cpu: z.string().regex(CPU, { message: "must be a CPU quantity such as 2 or 500m" }).optional(),
  memory: z.string().regex(K8S_MEMORY, { message: "must be a memory quantity such as 8Gi" }).optional(),
});

export const queryEngineSchema = z.strictObject({
  /** @default trino */
  engine: z.enum(["trino", "presto"], { message: "must be trino | presto" }).optional(),
  namespace: k8sName("namespace").optional(),
  workers: z.number().int().min(1).max(200).optional(),
  autoscaling: z
    .strictObject({
      enabled: z.boolean().optional(),
      maxWorkers: z.number().int().min(1).max(200).optional(),
      targetCpuPercent: z.number().int().min(10).max(95).optional(),
    })
    .optional(),
  coordinator: podResources.optional(),
  worker: podResources.optional(),
  /** Task-level retries with spooling to an S3 exchange bucket. @default prod true */
  faultTolerant: z.boolean().optional(),
  exchangeRetentionDays: z.number().int().min(1).max(30).optional(),
  authentication: z
    .discriminatedUnion(
      "type",
      [
        z.strictObject({ type: z.literal("password") }),
        z.strictObject({
          type: z.literal("oauth2"),
          issuer: z.string().regex(/^https:\/\/\S+$/, { message: "must be the issuer's https:// URL" }),
          clientId: z.string().min(1),
          /** Secrets Manager secret holding the client secret (plain string). */
          clientSecretArn: z
            .string()
            .regex(/^arn:aws[a-z-]*:secretsmanager:/, { message: "must be a Secrets Manager secret ARN" }),
          /** Token claim holding the user's groups. @default groups */
          groupsField: z.string().min(1).optional(),
        }),
      ],
      { message: "type must be password | oauth2" },
    )
    .optional(),
  /** Group membership for password authentication (user names); reviewed like any config change. */
  groups: z
    .strictObject({
      analysts: z.array(z.string().regex(/^[a-z][a-z0-9._-]*$/)).optional(),
      engineers: z.array(z.string().regex(/^[a-z][a-z0-9._-]*$/)).optional(),
    })
    .optional(),
  /** Presto only: the coordinator serves TLS itself (Presto authenticates only over HTTPS). */
  prestoTls: z
    .strictObject({
      /** Secrets Manager secret with `keystore` (base64 JKS) and `password` keys. */
      keystoreSecretArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:secretsmanager:/, { message: "must be a Secrets Manager secret ARN" }),
    })
    .optional(),
  loadBalancer: z
    .strictObject({
      /** ACM certificate for the TLS listener (trino). Required outside dev. */
      certificateArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:acm:/, { message: "must be an ACM certificate ARN" })
        .optional(),
      /** Client CIDRs (BI tools). @default the VPC CIDR */
      allowedCidrs: z.array(cidr).optional(),
    })
    .optional(),
});

export const computeSchema = z.strictObject({
  /** @default { mode: eks } */
  cluster: clusterSchema.optional(),
  /** Present: Spark operator, history server and scheduled jobs. */
  spark: sparkSchema.optional(),
  /** Present: Trino (or Presto) over lake, warehouse and Kafka. */
  queryEngine: queryEngineSchema.optional(),
});

export type ComputeInput = z.input<typeof computeSchema>;
export type ComputeParsed = z.output<typeof computeSchema>;
export type SparkJobConfig = z.output<typeof sparkJobSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Profiles and resolution

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
  readonly endpointPublicAccess: boolean;
  readonly publicAccessCidrs: readonly string[];
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

export interface ResolvedSparkJob {
  readonly name: string;
  readonly domain: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly image: string;
  readonly type: "Python" | "Scala" | "Java";
  readonly mainApplicationFile: string;
  readonly mainClass?: string;
  readonly arguments: readonly string[];
  readonly sparkConf: Readonly<Record<string, string>>;
  readonly driver: { readonly cores: number; readonly memory: string };
  readonly executor: { readonly instances: number; readonly cores: number; readonly memory: string };
  readonly reads: readonly Zone[];
  readonly writes: readonly Zone[];
  readonly spot: boolean;
  readonly suspend: boolean;
  readonly concurrencyPolicy: "Allow" | "Forbid" | "Replace";
  readonly retries: number;
}

export interface SparkConfig {
  readonly image: string;
  readonly namespace: string;
  readonly operatorNamespace: string;
  readonly historyServer: { readonly enabled: boolean };
  readonly eventLogRetentionDays: number;
  readonly spotExecutors: boolean;
  readonly quota: { readonly cpu: string; readonly memory: string; readonly pods: number };
  readonly jobs: readonly ResolvedSparkJob[];
}

export type Authentication =
  | { readonly type: "password" }
  | {
      readonly type: "oauth2";
      readonly issuer: string;
      readonly clientId: string;
      readonly clientSecretArn: string;
      readonly groupsField: string;
    };

export interface QueryEngineConfig {
  readonly engine: "trino" | "presto";
  readonly namespace: string;
  readonly workers: number;
  readonly autoscaling: { readonly enabled: boolean; readonly maxWorkers: number; readonly targetCpuPercent: number };
  readonly coordinator: { readonly cpu: string; readonly memory: string };
  readonly worker: { readonly cpu: string; readonly memory: string };
  readonly faultTolerant: boolean;
  readonly exchangeRetentionDays: number;
  readonly authentication: Authentication;
  readonly groups: { readonly analysts: readonly string[]; readonly engineers: readonly string[] };
  readonly loadBalancer: { readonly certificateArn?: string; readonly allowedCidrs?: readonly string[] };
  readonly prestoTls?: { readonly keystoreSecretArn: string };
}

export interface ComputeConfig {
  readonly cluster: EksClusterConfig | ExistingClusterConfig;
  readonly spark?: SparkConfig;
  readonly queryEngine?: QueryEngineConfig;
}

interface ComputeProfile {
  readonly cluster: Omit<
    EksClusterConfig,
    "mode" | "version" | "addonVersions" | "adminRoleArns" | "publicAccessCidrs" | "endpointPublicAccess"
  >;
  readonly spark: Pick<SparkConfig, "eventLogRetentionDays" | "spotExecutors" | "quota">;
  readonly queryEngine: Pick<
    QueryEngineConfig,
    "workers" | "autoscaling" | "coordinator" | "worker" | "faultTolerant" | "exchangeRetentionDays"
  >;
}

const SPOT_TYPES = ["m6i.xlarge", "m6a.xlarge", "m5.xlarge", "m5a.xlarge"];

/**
 * dev: small on-demand system group plus a spot group that only Spark executors use, short retention, no query
 * engine autoscaling. staging: production shape at half size. prod: a system node per AZ, worker autoscaling,
 * fault-tolerant queries, a year of control-plane logs.
 */
export const COMPUTE_PROFILES: Record<Environment, ComputeProfile> = {
  dev: {
    cluster: {
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
    spark: { eventLogRetentionDays: 7, spotExecutors: true, quota: { cpu: "24", memory: "96Gi", pods: 60 } },
    queryEngine: {
      workers: 1,
      autoscaling: { enabled: false, maxWorkers: 1, targetCpuPercent: 70 },
      coordinator: { cpu: "1", memory: "4Gi" },
      worker: { cpu: "2", memory: "8Gi" },
      faultTolerant: false,
      exchangeRetentionDays: 1,
    },
  },
  staging: {
    cluster: {
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
    spark: { eventLogRetentionDays: 30, spotExecutors: false, quota: { cpu: "48", memory: "192Gi", pods: 150 } },
    queryEngine: {
      workers: 2,
      autoscaling: { enabled: false, maxWorkers: 4, targetCpuPercent: 70 },
      coordinator: { cpu: "2", memory: "8Gi" },
      worker: { cpu: "4", memory: "16Gi" },
      faultTolerant: false,
      exchangeRetentionDays: 1,
    },
  },
  prod: {
    cluster: {
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
    spark: { eventLogRetentionDays: 90, spotExecutors: false, quota: { cpu: "128", memory: "512Gi", pods: 400 } },
    queryEngine: {
      workers: 3,
      autoscaling: { enabled: true, maxWorkers: 12, targetCpuPercent: 70 },
      coordinator: { cpu: "4", memory: "16Gi" },
      worker: { cpu: "8", memory: "32Gi" },
      faultTolerant: true,
      exchangeRetentionDays: 1,
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
  profile: ComputeProfile["cluster"]["nodeGroups"],
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

/** Profile defaults under the user's values: what the user writes wins, field by field. */
export function resolveComputeConfig(parsed: ComputeParsed, environment: Environment): ComputeConfig {
  const profile = COMPUTE_PROFILES[environment];
  const c = parsed.cluster ?? { mode: "eks" as const };
  const cluster: ComputeConfig["cluster"] =
    c.mode === "existing"
      ? c
      : {
          mode: "eks",
          version: c.version ?? KUBERNETES_VERSION,
          endpointPublicAccess: c.endpointPublicAccess ?? false,
          publicAccessCidrs: c.publicAccessCidrs ?? [],
          adminRoleArns: c.adminRoleArns ?? [],
          logRetentionDays: c.logRetentionDays ?? profile.cluster.logRetentionDays,
          addonVersions: { ...EKS_ADDON_VERSIONS, ...definedOnly(c.addonVersions ?? {}) },
          nodeGroups: resolveNodeGroups(profile.cluster.nodeGroups, c.nodeGroups),
          autoscaler: { ...profile.cluster.autoscaler, ...definedOnly(c.autoscaler ?? {}) },
        };

  let spark: SparkConfig | undefined;
  if (parsed.spark) {
    const s = parsed.spark;
    const spotExecutors = s.spotExecutors ?? profile.spark.spotExecutors;
    spark = {
      image: s.image,
      namespace: s.namespace ?? "spark",
      operatorNamespace: s.operatorNamespace ?? "spark-operator",
      historyServer: { enabled: s.historyServer?.enabled ?? true },
      eventLogRetentionDays: s.eventLogRetentionDays ?? profile.spark.eventLogRetentionDays,
      spotExecutors,
      quota: { ...profile.spark.quota, ...definedOnly(s.quota ?? {}) },
      jobs: (s.jobs ?? []).map((j) => ({
        name: j.name,
        domain: j.domain,
        schedule: j.schedule,
        timeZone: j.timeZone ?? "UTC",
        image: j.image ?? s.image,
        type: j.type ?? "Python",
        mainApplicationFile: j.mainApplicationFile,
        mainClass: j.mainClass,
        arguments: j.arguments ?? [],
        sparkConf: j.sparkConf ?? {},
        driver: { cores: j.driver?.cores ?? 1, memory: j.driver?.memory ?? "2g" },
        executor: {
          instances: j.executor?.instances ?? 2,
          cores: j.executor?.cores ?? 2,
          memory: j.executor?.memory ?? "4g",
        },
        reads: j.reads,
        writes: j.writes ?? [],
        spot: j.spot ?? spotExecutors,
        suspend: j.suspend ?? false,
        concurrencyPolicy: j.concurrencyPolicy ?? "Forbid",
        retries: j.retries ?? 2,
      })),
    };
  }

  let queryEngine: QueryEngineConfig | undefined;
  if (parsed.queryEngine) {
    const q = parsed.queryEngine;
    const p = profile.queryEngine;
    const auth = q.authentication;
    queryEngine = {
      engine: q.engine ?? "trino",
      namespace: q.namespace ?? "query",
      workers: q.workers ?? p.workers,
      autoscaling: { ...p.autoscaling, ...definedOnly(q.autoscaling ?? {}) },
      coordinator: { ...p.coordinator, ...definedOnly(q.coordinator ?? {}) },
      worker: { ...p.worker, ...definedOnly(q.worker ?? {}) },
      faultTolerant: q.faultTolerant ?? p.faultTolerant,
      exchangeRetentionDays: q.exchangeRetentionDays ?? p.exchangeRetentionDays,
      authentication:
        auth?.type === "oauth2" ? { ...auth, groupsField: auth.groupsField ?? "groups" } : { type: "password" },
      groups: { analysts: q.groups?.analysts ?? [], engineers: q.groups?.engineers ?? [] },
      loadBalancer: { ...q.loadBalancer },
      prestoTls: q.prestoTls,
    };
  }
  return { cluster, spark, queryEngine };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ---------------------------------------------------------------------------------------------------------------
// Cross-field validation

export interface ComputeCheckContext {
  readonly environment: Environment;
  /** Declared domains (name only is needed). */
  readonly domains: readonly { readonly name: string }[];
  readonly azCount: number;
}

/** Parses the section alone: problems with the same `platform.compute.jobs[0].name` paths the root loader uses. */
export function parseComputeConfig(raw: unknown): { data?: ComputeParsed; problems: Problem[] } {
  const result = computeSchema.safeParse(raw);
  if (result.success) return { data: result.data, problems: [] };
  return {
    problems: result.error.issues.flatMap((issue) => {
      const at = issue.path.reduce<string>(
        (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : `${acc}.${String(k)}`),
        COMPUTE_ROOT,
      );
      if (issue.code === "unrecognized_keys")
        return issue.keys.map((k) => ({ path: `${at}.${k}`, message: "unknown key (is it a typo?)" }));
      return [{ path: at, message: issue.message }];
    }),
  };
}

/** The spark namespace's LimitRange ceiling per container; SparkOperator creates it with these values. */
export const MAX_POD = { cores: 16, memoryGiB: 64 } as const;

const cpuOf = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q));
const gibOf = (q: string) => (q.endsWith("Gi") ? Number(q.slice(0, -2)) : Number(q.slice(0, -2)) / 1024);
/** Spark memory plus the 10% (min 384 MiB) overhead Spark adds to every pod, in GiB. */
export function sparkPodGiB(memory: string): number {
  const mib = memory.endsWith("g") ? Number(memory.slice(0, -1)) * 1024 : Number(memory.slice(0, -1));
  return (mib + Math.max(384, mib * 0.1)) / 1024;
}

/**
 * Rules no single field can express. Takes the parsed section (to know what the user wrote) and the resolved one
 * (to judge the effective values), and returns every problem at once.
 */
export function computeProblems(parsed: ComputeParsed, resolved: ComputeConfig, ctx: ComputeCheckContext): Problem[] {
  const problems: Problem[] = [];
  const at = (path: string, message: string) => problems.push({ path: `${COMPUTE_ROOT}.${path}`, message });
  const { cluster } = resolved;

  if (cluster.mode === "eks") {
    if (cluster.endpointPublicAccess && ctx.environment !== "dev")
      at(
        "cluster.endpointPublicAccess",
        `is refused in ${ctx.environment}: the API endpoint stays private; reach it through the VPC (VPN, bastion or CI runners inside)`,
      );
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

  const spark = resolved.spark;
  if (spark) {
    const domains = new Set(ctx.domains.map((d) => d.name));
    const spotGroup =
      cluster.mode === "eks" && Object.values(cluster.nodeGroups).some((g) => g.dedicatedTo === "spark-executors");
    const seen = new Map<string, number>();
    const quotaCpu = cpuOf(spark.quota.cpu);
    const quotaGiB = gibOf(spark.quota.memory);
    spark.jobs.forEach((job, i) => {
      const path = `spark.jobs[${i}]`;
      const first = seen.get(job.name);
      if (first !== undefined) at(`${path}.name`, `duplicate job '${job.name}' (also at spark.jobs[${first}])`);
      else seen.set(job.name, i);
      if (!domains.has(job.domain))
        at(`${path}.domain`, `'${job.domain}' is not a declared domain (${[...domains].join(", ")})`);
      if (job.type !== "Python" && !job.mainClass) at(`${path}.mainClass`, `is required for ${job.type} jobs`);
      if (job.type === "Python" && job.mainClass) at(`${path}.mainClass`, "applies to Scala and Java jobs only");
      for (const key of Object.keys(job.sparkConf)) {
        if (RESERVED_SPARK_CONF.some((r) => r.test(key)))
          at(
            `${path}.sparkConf.${key}`,
            "is set by the platform (identity, event logs, scheduling) and cannot be overridden",
          );
      }
      if (job.spot && !spotGroup) {
        at(
          `${path}.spot`,
          cluster.mode === "eks"
            ? "needs a node group with dedicatedTo: spark-executors and capacityType: spot"
            : "is only available on an EKS cluster the platform manages",
        );
      }
      for (const role of ["driver", "executor"] as const) {
        const pod = job[role];
        if (pod.cores > MAX_POD.cores || sparkPodGiB(pod.memory) > MAX_POD.memoryGiB) {
          at(
            `${path}.${role}`,
            `exceeds the per-container limit of the spark namespace (${MAX_POD.cores} cores, ${MAX_POD.memoryGiB}Gi with overhead)`,
          );
        }
      }
      const cpu = job.driver.cores + job.executor.instances * job.executor.cores;
      const gib = sparkPodGiB(job.driver.memory) + job.executor.instances * sparkPodGiB(job.executor.memory);
      if (cpu > quotaCpu)
        at(`${path}.executor`, `needs ${cpu} cores at full size, more than the namespace quota of ${spark.quota.cpu}`);
      if (gib > quotaGiB)
        at(
          `${path}.executor`,
          `needs ${gib.toFixed(1)}Gi at full size (with overhead), more than the namespace quota of ${spark.quota.memory}`,
        );
    });
  }

  const q = resolved.queryEngine;
  if (q) {
    if (q.engine === "presto" && !q.prestoTls)
      at(
        "queryEngine.prestoTls",
        "is required with presto: presto authenticates only over HTTPS, so the coordinator needs its keystore",
      );
    if (q.engine === "trino" && q.prestoTls)
      at(
        "queryEngine.prestoTls",
        "applies to presto only; trino terminates TLS at the load balancer (loadBalancer.certificateArn)",
      );
    if (q.engine === "presto") {
      if (q.faultTolerant)
        at(
          "queryEngine.faultTolerant",
          parsed.queryEngine?.faultTolerant
            ? "is not available with presto (no task retries)"
            : `defaults to true in ${ctx.environment} but presto has no task retries; use trino, or set faultTolerant: false to accept query failures on node loss`,
        );
      if (q.authentication.type === "oauth2")
        at("queryEngine.authentication", "oauth2 is available with trino only; presto uses password");
    }
    if (q.autoscaling.enabled && q.autoscaling.maxWorkers < q.workers)
      at("queryEngine.autoscaling.maxWorkers", `must be at least workers (${q.workers})`);
    if (q.engine === "trino" && ctx.environment !== "dev" && !q.loadBalancer.certificateArn)
      at(
        "queryEngine.loadBalancer.certificateArn",
        `is required in ${ctx.environment}: BI tools send passwords and tokens, so the load balancer terminates TLS`,
      );
    if (q.authentication.type === "oauth2" && (q.groups.analysts.length > 0 || q.groups.engineers.length > 0))
      at("queryEngine.groups", "comes from the identity provider's groups claim with oauth2; remove it");
  }
  return problems;
}
