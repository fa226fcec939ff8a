import { z } from "zod";
import { type Environment, type Zone, ZONES } from "../core/types";
import { At, CPU, definedOnly, DOMAIN, image, K8S_MEMORY, k8sName, SPARK_MEMORY } from "./config-fields";

// `platform.compute.spark`: the Spark operator, its history server and the scheduled jobs of each domain.

/** A cron schedule as the Spark operator's parser accepts it: five fields, or a descriptor. */
export function isCronSchedule(value: string): boolean {
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(value)) return true;
  if (/^@every \d+(ms|s|m|h)$/.test(value)) return true;
  const fields = value.trim().split(/\s+/);
  const field = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
  const named = /^[A-Za-z]{3}(-[A-Za-z]{3})?(,[A-Za-z]{3}(-[A-Za-z]{3})?)*$/;
  return fields.length === 5 && fields.every((f, i) => field.test(f) || ((i === 3 || i === 4) && named.test(f)));
}

const zone = z.enum(ZONES, { message: `must be one of ${ZONES.join(" | ")}` });

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

export const sparkStreamSchema = sparkJobSchema
  .pick({
    name: true,
    domain: true,
    image: true,
    type: true,
    mainApplicationFile: true,
    mainClass: true,
    arguments: true,
    sparkConf: true,
    driver: true,
    executor: true,
  })
  .extend({
    /** The topic it reads (declared under streaming.topics, owned by the same domain). */
    topic: z.string().min(1),
    /** The Iceberg dataset it writes (declared under the domain's datasets, zone curated or analytics). */
    table: z.string().min(1),
    /** Micro-batch trigger interval. @default profile (dev 300, staging 60, prod 10) */
    triggerSeconds: z.number().int().min(1).max(3600).optional(),
  });

export interface ResolvedSparkStream {
  readonly name: string;
  readonly domain: string;
  readonly topic: string;
  readonly table: string;
  readonly triggerSeconds: number;
  /** The application as a job definition (never on spot: a reclaimed driver stops the stream). */
  readonly app: ResolvedSparkJob;
}

export const STREAM_TRIGGER_SECONDS: Record<Environment, number> = { dev: 300, staging: 60, prod: 10 };

export function resolveSparkStream(
  s: z.output<typeof sparkStreamSchema>,
  environment: Environment,
  image: string,
): ResolvedSparkStream {
  return {
    name: s.name,
    domain: s.domain,
    topic: s.topic,
    table: s.table,
    triggerSeconds: s.triggerSeconds ?? STREAM_TRIGGER_SECONDS[environment],
    app: {
      name: s.name,
      domain: s.domain,
      schedule: "",
      timeZone: "UTC",
      image: s.image ?? image,
      type: s.type ?? "Python",
      mainApplicationFile: s.mainApplicationFile,
      mainClass: s.mainClass,
      arguments: s.arguments ?? [],
      sparkConf: s.sparkConf ?? {},
      driver: { cores: s.driver?.cores ?? 1, memory: s.driver?.memory ?? "2g" },
      executor: {
        instances: s.executor?.instances ?? 2,
        cores: s.executor?.cores ?? 2,
        memory: s.executor?.memory ?? "4g",
      },
      reads: [],
      writes: [],
      spot: false,
      suspend: false,
      concurrencyPolicy: "Forbid",
      retries: 0,
    },
  };
}

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
  /** Long-running Structured Streaming applications: see "Add a streaming job" in the README. @default [] */
  streams: z.array(sparkStreamSchema).optional(),
});

export type SparkJobConfig = z.output<typeof sparkJobSchema>;
export type SparkParsed = z.output<typeof sparkSchema>;

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
  readonly streams: readonly ResolvedSparkStream[];
}

export type SparkProfile = Pick<SparkConfig, "eventLogRetentionDays" | "spotExecutors" | "quota">;

/** dev runs executors on spot with a small quota; prod keeps event logs for 90 days. */
export const SPARK_PROFILES: Record<Environment, SparkProfile> = {
  dev: { eventLogRetentionDays: 7, spotExecutors: true, quota: { cpu: "24", memory: "96Gi", pods: 60 } },
  staging: { eventLogRetentionDays: 30, spotExecutors: false, quota: { cpu: "48", memory: "192Gi", pods: 150 } },
  prod: { eventLogRetentionDays: 90, spotExecutors: false, quota: { cpu: "128", memory: "512Gi", pods: 400 } },
};

/** Profile defaults under the user's values, job by job. */
export function resolveSpark(s: SparkParsed, environment: Environment): SparkConfig {
  const profile = SPARK_PROFILES[environment];
  const spotExecutors = s.spotExecutors ?? profile.spotExecutors;
  return {
    image: s.image,
    namespace: s.namespace ?? "spark",
    operatorNamespace: s.operatorNamespace ?? "spark-operator",
    historyServer: { enabled: s.historyServer?.enabled ?? true },
    eventLogRetentionDays: s.eventLogRetentionDays ?? profile.eventLogRetentionDays,
    spotExecutors,
    quota: { ...profile.quota, ...definedOnly(s.quota ?? {}) },
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
    streams: (s.streams ?? []).map((x) => resolveSparkStream(x, environment, s.image)),
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

/** Rules over the resolved jobs: declared domains, reserved settings, spot capacity, limits and quota. */
export function sparkProblems(
  spark: SparkConfig,
  ctx: { readonly domains: readonly { readonly name: string }[]; readonly spotGroup: boolean; readonly eks: boolean },
  at: At,
): void {
  const domains = new Set(ctx.domains.map((d) => d.name));
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
    if (job.spot && !ctx.spotGroup) {
      at(
        `${path}.spot`,
        ctx.eks
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
