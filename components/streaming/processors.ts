import { z } from "zod";
import type { Environment } from "../core/types";

// Event-driven stream processors: a function triggered by one topic through a Lambda event source mapping on MSK.
// Each record is validated against the topic's JSON Schema; accepted records land in the domain's raw zone, records
// that can never be accepted are parked with their reasons, and batches Lambda gives up on go to the mapping's
// on-failure destination. Nothing is dropped and no bad record holds up its partition.

const PROCESSOR_NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

export const processorSchema = z.strictObject({
  /** Unique across processors; the consumer group is `<topic>.<name>` and the raw prefix `processor=<name>`. */
  name: z
    .string()
    .regex(PROCESSOR_NAME, { message: "must be 3-32 lower-case letters, digits or hyphens, starting with a letter" }),
  /** The topic it consumes (declared under streaming.topics, with a schema). Its domain owns the processor. */
  topic: z.string().min(1),
  /** Records per invocation. @default 100 */
  batchSize: z.number().int().min(1).max(10_000).optional(),
  /** Seconds Lambda gathers records before invoking. @default profile (dev 10, staging 5, prod 1) */
  batchWindowSeconds: z.number().int().min(0).max(300).optional(),
  /**
   * Dedicated event pollers (provisioned mode): needed for bounded retries and the on-failure destination to act on
   * function errors. @default profile (dev none: on-demand pollers retry a failing batch until its records expire;
   * staging 1-2, prod 1-4)
   */
  pollers: z
    .strictObject({ minimum: z.number().int().min(1).max(200), maximum: z.number().int().min(1).max(2000) })
    .optional(),
  /** Retries of a failing batch before it goes to the on-failure destination (provisioned mode). @default 10 */
  maximumRetryAttempts: z.number().int().min(0).max(10_000).optional(),
  /** Alarm when the consumer group lags more than this many seconds behind the topic. @default profile */
  maxLagSeconds: z.number().int().min(60).max(86_400).optional(),
  /** @default 256 */
  memoryMb: z.number().int().min(128).max(10_240).optional(),
  /** @default 60 */
  timeoutSeconds: z.number().int().min(3).max(900).optional(),
});
export type ProcessorInput = z.input<typeof processorSchema>;

export interface ProcessorConfig {
  readonly name: string;
  readonly topic: string;
  /** The topic's domain. */
  readonly domain: string;
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  /** Undefined: on-demand pollers. */
  readonly pollers?: { readonly minimum: number; readonly maximum: number };
  readonly maximumRetryAttempts: number;
  readonly maxLagSeconds: number;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Reserved concurrency of the function: at least one invocation per partition. */
  readonly reservedConcurrency: number;
}

type Profile = Pick<ProcessorConfig, "batchWindowSeconds" | "pollers" | "maxLagSeconds">;

/** dev: on-demand pollers (no standing cost), larger windows; prod: dedicated pollers and a tight lag alarm. */
export const PROCESSOR_PROFILES: Record<Environment, Profile> = {
  dev: { batchWindowSeconds: 10, pollers: undefined, maxLagSeconds: 3600 },
  staging: { batchWindowSeconds: 5, pollers: { minimum: 1, maximum: 2 }, maxLagSeconds: 900 },
  prod: { batchWindowSeconds: 1, pollers: { minimum: 1, maximum: 4 }, maxLagSeconds: 300 },
};

/** The consumer group of a processor: under its topic's groups, so the existing consume grants fit. */
export const processorGroup = (topic: string, name: string) => `${topic}.${name}`;

/** The processor's own prefix in the raw zone. */
export const processorRoot = (domain: string, name: string, zoneRoot = "") => `${zoneRoot}${domain}/processor=${name}/`;

export function resolveProcessor(
  p: ProcessorInput,
  environment: Environment,
  topic: { readonly domain: string; readonly partitions: number } | undefined,
): ProcessorConfig {
  const profile = PROCESSOR_PROFILES[environment];
  return {
    name: p.name,
    topic: p.topic,
    domain: topic?.domain ?? "",
    batchSize: p.batchSize ?? 100,
    batchWindowSeconds: p.batchWindowSeconds ?? profile.batchWindowSeconds,
    pollers: p.pollers ?? profile.pollers,
    maximumRetryAttempts: p.maximumRetryAttempts ?? 10,
    maxLagSeconds: p.maxLagSeconds ?? profile.maxLagSeconds,
    memoryMb: p.memoryMb ?? 256,
    timeoutSeconds: p.timeoutSeconds ?? 60,
    reservedConcurrency: Math.max(2, topic?.partitions ?? 1),
  };
}

/** Cross-field rules: a declared topic with a schema, unique names, a sensible poller range. */
export function processorProblems(
  processors: readonly ProcessorInput[],
  topics: readonly { readonly name: string; readonly schema?: unknown; readonly classification: string }[],
  add: (path: string, message: string) => void,
): void {
  const seen = new Map<string, number>();
  processors.forEach((p, i) => {
    const at = (f: string) => `processors[${i}].${f}`;
    const first = seen.get(p.name);
    if (first !== undefined) add(at("name"), `duplicate processor '${p.name}' (also at processors[${first}])`);
    else seen.set(p.name, i);
    const topic = topics.find((t) => t.name === p.topic);
    if (!topic) add(at("topic"), `'${p.topic}' is not a declared topic (streaming.topics)`);
    else if (topic.schema === undefined)
      add(at("topic"), `'${p.topic}' has no schema: a processor validates every record against its topic's schema`);
    if (p.pollers && p.pollers.minimum > p.pollers.maximum)
      add(at("pollers"), `minimum (${p.pollers.minimum}) must not exceed maximum (${p.pollers.maximum})`);
    if (processorGroup(p.topic, p.name).length > 200)
      add(at("name"), "makes the consumer group '<topic>.<name>' longer than Kafka's 200 characters");
  });
}
