import { z } from "zod";
import type { Problem } from "../core/problems";
import { CLASSIFICATIONS, Classification, Environment } from "../core/types";
import { DeliveryConfig, deliveryRefusal, deliverySchema, resolveDelivery } from "./delivery";
import { ProcessorConfig, processorProblems, processorSchema, resolveProcessor } from "./processors";

// The `streaming` section of the platform config. Strict objects: an unknown key is a typo, and is an error.
// TLS, encryption at rest and IAM authentication have no switches: they are always on.

export const KAFKA_ENGINES = ["msk", "msk-serverless"] as const;
export type KafkaEngine = (typeof KAFKA_ENGINES)[number];
export const CLEANUP_POLICIES = ["delete", "compact", "compact,delete"] as const;
export const ENHANCED_MONITORING = [
  "DEFAULT",
  "PER_BROKER",
  "PER_TOPIC_PER_BROKER",
  "PER_TOPIC_PER_PARTITION",
] as const;

/** Kafka's own rule: 1–249 of [a-zA-Z0-9._-], and not `.` or `..`. Leading `__` is reserved for internal topics. */
export const TOPIC_NAME = /^(?!\.{1,2}$)(?!__)[a-zA-Z0-9._-]{1,249}$/;

export const topicSchema = z.strictObject({
  /** `<domain>.<name>`, e.g. `sales.orders`: the owner is visible in the name and in every ARN. */
  name: z
    .string()
    .regex(TOPIC_NAME, { message: "must be 1-249 of a-z A-Z 0-9 . _ -, not '.' or '..', not starting with '__'" }),
  partitions: z.number().int().min(1, { message: "must be at least 1" }).max(1000, { message: "must be at most 1000" }),
  /** Copies of each partition. @default the cluster's defaultReplicationFactor */
  replicationFactor: z.number().int().min(1).max(3).optional(),
  /** How long records are kept. @default 168 (7 days) */
  retentionHours: z.number().int().min(1).max(87_600).optional(),
  /** @default delete */
  cleanupPolicy: z.enum(CLEANUP_POLICIES, { message: `must be one of ${CLEANUP_POLICIES.join(" | ")}` }).optional(),
  /** The owning data domain; must be declared under platform.domains. */
  domain: z.string(),
  /** @default the domain's classification */
  classification: z.enum(CLASSIFICATIONS, { message: `must be one of ${CLASSIFICATIONS.join(" | ")}` }).optional(),
  /** Deliver the topic continuously into its domain's raw zone with Firehose. @default none */
  delivery: deliverySchema.optional(),
  /**
   * JSON Schema (draft-07) of one record. Processors validate every record against it.
   * @default the schema of the http source that publishes to the topic (`kafkaTopic`), if any
   */
  schema: z.record(z.string(), z.unknown(), { message: "must be a JSON Schema object" }).optional(),
});

export const streamingSchema = z.strictObject({
  enabled: z.boolean().optional(),
  engine: z.enum(KAFKA_ENGINES, { message: `must be one of ${KAFKA_ENGINES.join(" | ")}` }).optional(),
  kafkaVersion: z
    .string()
    .regex(/^\d+\.\d+\.(\d+|x)$/, { message: "must be an MSK Kafka version such as 3.8.x" })
    .optional(),
  /** Broker count (msk only); a multiple of 2 or 3, the AZs the brokers spread over. */
  brokers: z.number().int().min(1).max(30).optional(),
  instanceType: z
    .string()
    .regex(/^(express\.)?kafka\.[a-z0-9]+\.[a-z0-9]+$/, {
      message: "must be an MSK broker type such as kafka.m7g.large",
    })
    .optional(),
  /** Initial EBS volume per broker, GiB. */
  ebsVolumeGb: z.number().int().min(1).max(16_384).optional(),
  /** Storage autoscaling ceiling per broker, GiB. */
  maxEbsVolumeGb: z.number().int().min(1).max(16_384).optional(),
  defaultReplicationFactor: z.number().int().min(1).max(3).optional(),
  minInsyncReplicas: z.number().int().min(1).max(3).optional(),
  enhancedMonitoring: z
    .enum(ENHANCED_MONITORING, { message: `must be one of ${ENHANCED_MONITORING.join(" | ")}` })
    .optional(),
  /** Broker log retention in CloudWatch, days. */
  logRetentionDays: z.number().int().min(1).max(3653).optional(),
  topics: z.array(topicSchema).optional(),
  /** Functions triggered by a topic: see "Add a stream processor" in the README. @default [] */
  processors: z.array(processorSchema).optional(),
});

export type StreamingInput = z.input<typeof streamingSchema>;
export type TopicInput = z.input<typeof topicSchema>;

export interface TopicConfig {
  readonly name: string;
  readonly partitions: number;
  /** Undefined on msk-serverless, which replicates every topic three times itself. */
  readonly replicationFactor?: number;
  readonly retentionHours: number;
  readonly cleanupPolicy: (typeof CLEANUP_POLICIES)[number];
  readonly domain: string;
  readonly classification: Classification;
  /** Firehose delivery into the raw zone, with the profile's buffering. */
  readonly delivery?: DeliveryConfig;
  /** The record schema: the topic's own, else its http producer's. */
  readonly schema?: Readonly<Record<string, unknown>>;
}

/** The streaming config after the environment profile filled every default. */
export interface StreamingConfig {
  readonly enabled: boolean;
  readonly engine: KafkaEngine;
  readonly kafkaVersion: string;
  readonly brokers: number;
  readonly instanceType: string;
  readonly ebsVolumeGb: number;
  readonly maxEbsVolumeGb: number;
  readonly defaultReplicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly enhancedMonitoring: (typeof ENHANCED_MONITORING)[number];
  readonly logRetentionDays: number;
  readonly topics: readonly TopicConfig[];
  readonly processors: readonly ProcessorConfig[];
}

type Profile = Omit<StreamingConfig, "topics" | "processors">;

/**
 * dev: two small brokers, replication 2, one in-sync replica is enough. prod: three brokers over three AZs,
 * replication 3, two in-sync replicas (a broker can fail without losing writes or data), enhanced monitoring.
 */
export const STREAMING_PROFILES: Record<Environment, Profile> = {
  dev: {
    enabled: true,
    engine: "msk",
    kafkaVersion: "3.8.x",
    brokers: 2,
    instanceType: "kafka.t3.small",
    ebsVolumeGb: 20,
    maxEbsVolumeGb: 100,
    defaultReplicationFactor: 2,
    minInsyncReplicas: 1,
    enhancedMonitoring: "DEFAULT",
    logRetentionDays: 7,
  },
  staging: {
    enabled: true,
    engine: "msk",
    kafkaVersion: "3.8.x",
    brokers: 2,
    instanceType: "kafka.m7g.large",
    ebsVolumeGb: 100,
    maxEbsVolumeGb: 500,
    defaultReplicationFactor: 2,
    minInsyncReplicas: 1,
    enhancedMonitoring: "PER_BROKER",
    logRetentionDays: 30,
  },
  prod: {
    enabled: true,
    engine: "msk",
    kafkaVersion: "3.8.x",
    brokers: 3,
    instanceType: "kafka.m7g.large",
    ebsVolumeGb: 500,
    maxEbsVolumeGb: 4000,
    defaultReplicationFactor: 3,
    minInsyncReplicas: 2,
    enhancedMonitoring: "PER_TOPIC_PER_BROKER",
    logRetentionDays: 365,
  },
};

export const TOPIC_DEFAULTS = { retentionHours: 168, cleanupPolicy: "delete" } as const;

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * Profile defaults under the user's (already parsed) values. Topics get their defaults too; a topic's
 * classification defaults to its domain's (an unknown domain is left for `validateStreaming` to report).
 */
export function resolveStreamingConfig(
  input: StreamingInput | undefined,
  environment: Environment,
  domains: readonly { name: string; classification: Classification }[],
  producerSchemas: Readonly<Record<string, Record<string, unknown>>> = {},
): StreamingConfig {
  const { topics = [], processors = [], ...rest } = input ?? {};
  const base: Profile = { ...STREAMING_PROFILES[environment], ...defined(rest) };
  const serverless = base.engine === "msk-serverless";
  return {
    ...base,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions,
      domain: t.domain,
      retentionHours: t.retentionHours ?? TOPIC_DEFAULTS.retentionHours,
      cleanupPolicy: t.cleanupPolicy ?? TOPIC_DEFAULTS.cleanupPolicy,
      replicationFactor: serverless ? undefined : (t.replicationFactor ?? base.defaultReplicationFactor),
      classification: t.classification ?? domains.find((d) => d.name === t.domain)?.classification ?? "confidential",
      ...(t.delivery ? { delivery: resolveDelivery(t.delivery, environment) } : {}),
      ...((t.schema ?? producerSchemas[t.name]) ? { schema: t.schema ?? producerSchemas[t.name] } : {}),
    })),
    processors: processors.map((p) =>
      resolveProcessor(
        p,
        environment,
        topics.find((t) => t.name === p.topic),
      ),
    ),
  };
}

export interface StreamingCheckContext {
  readonly environment: Environment;
  readonly azCount: number;
  readonly domains: readonly { name: string }[];
}

const at = (path: string) => `platform.streaming.${path}`;

/**
 * How many AZs the brokers spread over. MSK needs the broker count to be a multiple of its client subnets (2 or 3),
 * so a network of 3 AZs still hosts an even broker count in 2 of them; undefined when no layout fits.
 */
export function brokerAzCount(brokers: number, azCount: number): 2 | 3 | undefined {
  if (azCount >= 3 && brokers % 3 === 0) return 3;
  if (azCount >= 2 && brokers % 2 === 0) return 2;
  return undefined;
}

const BROKER_KEYS = [
  "brokers",
  "instanceType",
  "ebsVolumeGb",
  "maxEbsVolumeGb",
  "defaultReplicationFactor",
  "minInsyncReplicas",
  "enhancedMonitoring",
] as const;

/**
 * Rules no single field can express, each with the dotted path to fix: broker layout against the AZs,
 * replication against the brokers, topic names and owners, and what msk-serverless cannot do.
 */
export function validateStreaming(
  input: StreamingInput | undefined,
  config: StreamingConfig,
  ctx: StreamingCheckContext,
): Problem[] {
  if (!config.enabled) return [];
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path: at(path), message });
  const serverless = config.engine === "msk-serverless";

  if (serverless) {
    for (const key of BROKER_KEYS)
      if (input?.[key] !== undefined)
        add(
          key,
          "does not apply to msk-serverless (brokers, storage and replication are managed by the service); remove it",
        );
  } else {
    const { brokers, defaultReplicationFactor: rf, minInsyncReplicas: isr } = config;
    if (brokerAzCount(brokers, ctx.azCount) === undefined) {
      const options = ctx.azCount >= 3 ? "a multiple of 2 or 3" : "a multiple of 2";
      add(
        "brokers",
        `must be ${options} so the ${ctx.azCount} AZs of the network hold the same number of brokers each; got ${brokers}`,
      );
    }
    if (rf > brokers) add("defaultReplicationFactor", `must not exceed the broker count (${brokers})`);
    if (isr > rf)
      add("minInsyncReplicas", `must not exceed defaultReplicationFactor (${rf}): no write could ever succeed`);
    else if (rf > 1 && isr === rf)
      add(
        "minInsyncReplicas",
        `must be lower than defaultReplicationFactor (${rf}) so writes continue while one broker is down`,
      );
    if (config.maxEbsVolumeGb < config.ebsVolumeGb)
      add("maxEbsVolumeGb", `must be at least ebsVolumeGb (${config.ebsVolumeGb})`);
    if (ctx.environment === "prod") {
      if (brokers < 3) add("brokers", "must be at least 3 in prod");
      if (ctx.azCount < 3) add("brokers", `prod brokers must span 3 AZs; the network has ${ctx.azCount}`);
      else if (brokerAzCount(brokers, ctx.azCount) === 2)
        add("brokers", `must be a multiple of 3 in prod so the brokers span all 3 AZs; got ${brokers}`);
    }
  }

  processorProblems(input?.processors ?? [], config.topics, add);
  const domains = new Set(ctx.domains.map((d) => d.name));
  const seen = new Map<string, number>();
  (input?.topics ?? []).forEach((t, i) => {
    const p = (field: string) => `topics[${i}].${field}`;
    const resolved = config.topics[i];
    // Kafka metric names replace '.' with '_', so `a.b` and `a_b` would collide in monitoring.
    const key = t.name.replace(/\./g, "_");
    const first = seen.get(key);
    if (first !== undefined)
      add(
        p("name"),
        `collides with topics[${first}] ('${config.topics[first].name}'): names equal once '.' and '_' are treated alike`,
      );
    else seen.set(key, i);
    if (!domains.has(t.domain)) add(p("domain"), `'${t.domain}' is not a declared domain (platform.domains)`);
    else if (!t.name.startsWith(`${t.domain}.`)) add(p("name"), `must start with its domain: '${t.domain}.<name>'`);
    if (resolved.classification === "restricted") {
      add(
        p("classification"),
        "restricted data is not streamed through the shared cluster (confidential key, readable by any role granted the topic); land it in the lake's restricted bucket instead",
      );
    }
    const refusal = t.delivery ? deliveryRefusal(config.engine, config.instanceType) : undefined;
    if (refusal) add(p("delivery"), refusal);
    if (serverless) {
      if (t.replicationFactor !== undefined)
        add(p("replicationFactor"), "msk-serverless replicates every topic 3 times; remove it");
    } else if (resolved.replicationFactor !== undefined) {
      if (resolved.replicationFactor > config.brokers)
        add(p("replicationFactor"), `must not exceed the broker count (${config.brokers})`);
      if (resolved.replicationFactor < config.minInsyncReplicas)
        add(
          p("replicationFactor"),
          `must be at least minInsyncReplicas (${config.minInsyncReplicas}): no write could ever succeed`,
        );
      else if (ctx.environment === "prod" && resolved.replicationFactor === config.minInsyncReplicas) {
        add(
          p("replicationFactor"),
          `must exceed minInsyncReplicas (${config.minInsyncReplicas}) in prod so writes continue while one broker is down`,
        );
      }
    }
  });
  return problems;
}
