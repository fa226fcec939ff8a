import { z } from "zod";
import { CLASSIFICATIONS, Classification, Environment } from "../core/types";
import { cdcSourceSchema } from "../cdc/config";

// Config of `sources[]` under `data-platform:platform` (the lead merges it into the root schema). Strict objects:
// an unknown key is a typo. Optional fields are filled by INGESTION_PROFILES; values written in the stack win.

export const SOURCE_KINDS = ["http", "queue", "schedule", "db-events", "object-events", "cdc"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

const SOURCE_NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const SCHEDULE = /^(cron\([^)]+\)|rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\))$/;

const field = (what: string) =>
  z.string().regex(FIELD, { message: `must be the name of a top-level record field (${what})` });

const common = {
  /** Unique across sources; becomes `source=<name>` in the raw zone and part of resource names. */
  name: z
    .string()
    .regex(SOURCE_NAME, { message: "must be 3-32 lower-case letters, digits or hyphens, starting with a letter" }),
  /** Owning data domain (one of `domains[].name`). */
  domain: z.string().min(2),
  /** @default the domain's classification */
  classification: z.enum(CLASSIFICATIONS, { message: `must be one of ${CLASSIFICATIONS.join(" | ")}` }).optional(),
  description: z.string().min(3).optional(),
  /** Record field with a business id: names the raw object. @default content hash */
  idField: field("idField").optional(),
  /** Record field with the event time (ISO 8601 or epoch ms): the `dt=` partition. @default arrival time */
  timeField: field("timeField").optional(),
  /** Alarm when no raw object lands for this many minutes. @default profile (dev 1440, staging 720, prod 180) */
  freshnessMinutes: z
    .number()
    .int()
    .min(5, { message: "must be at least 5" })
    .max(1440, { message: "must be at most 1440 (one day)" })
    .optional(),
  /** @default profile (dev 2, staging 5, prod 20); schedule sources 1 */
  reservedConcurrency: z.number().int().min(1).max(1000).optional(),
  /** @default 256 */
  memoryMb: z.number().int().min(128).max(10240).optional(),
  /** @default 60 (db-events and object-events 300) */
  timeoutSeconds: z.number().int().min(3).max(900).optional(),
};

/** A JSON Schema (draft-07) for one record; compiled by ajv at validation time and in each function's cold start. */
const jsonSchema = z.record(z.string(), z.unknown(), { message: "must be a JSON Schema object" });

const throttle = z.strictObject({
  /** Steady-state requests per second. */
  rateLimit: z.number().positive().max(10_000),
  /** Burst size. */
  burstLimit: z.number().int().positive().max(5_000),
});

export const httpSourceSchema = z.strictObject({
  ...common,
  kind: z.literal("http"),
  /** Every record is validated against it. Required: an HTTP endpoint is an open door. */
  schema: jsonSchema,
  /** `iam` (SigV4-signed callers) or a JWT authorizer. @default "iam" */
  auth: z
    .union([
      z.literal("iam"),
      z.strictObject({
        jwt: z.strictObject({
          issuer: z.url({ protocol: /^https$/, message: "must be an https URL" }),
          audiences: z.array(z.string().min(1)).min(1),
        }),
      }),
    ])
    .optional(),
  /** @default 1048576 (1 MiB); Lambda's synchronous payload limit is 6 MB */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(6_000_000, { message: "must be at most 6000000 (Lambda's payload limit)" })
    .optional(),
  /** @default 500 */
  maxRecords: z.number().int().min(1).max(10_000).optional(),
  /** @default profile (dev 10/s burst 20, staging 50/100, prod 200/400) */
  throttle: throttle.optional(),
  /** Also publish accepted records to this Kafka topic (needs the platform's Kafka). */
  kafkaTopic: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, { message: "must be a Kafka topic name" })
    .optional(),
});

export const queueSourceSchema = z.strictObject({
  ...common,
  kind: z.literal("queue"),
  schema: jsonSchema.optional(),
  /** Receives before a message moves to the DLQ. @default 5 */
  maxReceiveCount: z.number().int().min(1).max(1000).optional(),
  /** @default 10 */
  batchSize: z.number().int().min(1).max(10_000).optional(),
  /** @default 0 (dev), 5 (staging, prod) */
  batchWindowSeconds: z.number().int().min(0).max(300).optional(),
  /** @default 4 days */
  retentionDays: z.number().int().min(1).max(14).optional(),
  /** Oldest-message age that raises an alarm. @default monitoring.oldestMessageAgeSeconds */
  maxMessageAgeSeconds: z.number().int().min(60).optional(),
});

export const scheduleSourceSchema = z.strictObject({
  ...common,
  kind: z.literal("schedule"),
  schema: jsonSchema.optional(),
  /** EventBridge Scheduler expression: `cron(...)` or `rate(...)`. */
  schedule: z.string().regex(SCHEDULE, { message: "must be cron(...) or rate(<n> minutes|hours|days)" }),
  /** IANA time zone of a cron expression. @default "UTC" */
  timezone: z
    .string()
    .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, { message: "must be an IANA time zone such as Europe/Paris" })
    .optional(),
  /** The external API (https only). */
  url: z.url({ protocol: /^https$/, message: "must be an https URL" }),
  /** Secrets Manager secret with {"token"} or {"header","value"}; read at run time, never put in the environment. */
  credentialsSecretArn: z.string().regex(ARN, { message: "must be a Secrets Manager secret ARN" }).optional(),
  /** Record field whose highest value is the watermark. */
  watermarkField: field("watermarkField"),
  /** @default "since" */ sinceParam: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  /** @default "cursor" */ cursorParam: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  /** @default "items" */ itemsField: field("itemsField").optional(),
  /** @default "next" */ nextField: field("nextField").optional(),
  /** @default 50 */ maxPages: z.number().int().min(1).max(1000).optional(),
  /** Scheduler delivery retries. @default 3 */ retryAttempts: z.number().int().min(0).max(185).optional(),
});

const keyAttribute = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/),
  type: z.enum(["S", "N", "B"], { message: "must be S | N | B" }),
});

export const dbEventsSourceSchema = z.strictObject({
  ...common,
  kind: z.literal("db-events"),
  /** The operational table the platform creates; its stream feeds the raw zone. */
  table: z.strictObject({
    partitionKey: keyAttribute,
    sortKey: keyAttribute.optional(),
    /** Attribute holding an epoch-seconds expiry. @default none */
    ttlAttribute: z.string().min(1).optional(),
  }),
  /** @default "TRIM_HORIZON" (nothing in the stream is skipped at creation) */
  startingPosition: z.enum(["TRIM_HORIZON", "LATEST"]).optional(),
  /** @default 100 */
  batchSize: z.number().int().min(1).max(10_000).optional(),
  /** Attempts before a failed batch goes to the on-failure destination. @default 5 */
  maximumRetryAttempts: z.number().int().min(0).max(10_000).optional(),
  /** @default profile (prod true) */
  pointInTimeRecovery: z.boolean().optional(),
});

export const objectEventsSourceSchema = z.strictObject({
  ...common,
  kind: z.literal("object-events"),
  /** The source whose raw objects are loaded (any kind but object-events). */
  from: z.string().regex(SOURCE_NAME, { message: "must name another source" }),
  /** Warehouse table in schema `staging` that receives the records. */
  table: z.string().regex(IDENT, { message: "must be a lower-case SQL identifier" }),
  /** Longest backfill range in one execution. @default 400 */
  maxBackfillDays: z.number().int().min(1).max(3660).optional(),
  /** Days a backfill loads in parallel. @default profile (dev 2, staging 4, prod 8) */
  backfillConcurrency: z.number().int().min(1).max(40).optional(),
});

export const sourceSchema = z.discriminatedUnion(
  "kind",
  [
    httpSourceSchema,
    queueSourceSchema,
    scheduleSourceSchema,
    dbEventsSourceSchema,
    objectEventsSourceSchema,
    cdcSourceSchema,
  ],
  {
    message: `kind must be one of ${SOURCE_KINDS.join(" | ")}`,
  },
);
export const sourcesSchema = z.array(sourceSchema);

export type SourceInput = z.input<typeof sourceSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
/** Sources that run a function; `cdc` sources run DMS and are resolved by `resolveCdcSource`. */
export type FunctionSourceConfig = Exclude<SourceConfig, { kind: "cdc" }>;

/** Per-environment defaults for sources. */
export interface IngestionProfile {
  readonly reservedConcurrency: number;
  readonly logRetentionDays: number;
  readonly freshnessMinutes: number;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly batchWindowSeconds: number;
  readonly pointInTimeRecovery: boolean;
  readonly backfillConcurrency: number;
}

export const INGESTION_PROFILES: Record<Environment, IngestionProfile> = {
  dev: {
    reservedConcurrency: 2,
    logRetentionDays: 7,
    freshnessMinutes: 1440,
    throttle: { rateLimit: 10, burstLimit: 20 },
    batchWindowSeconds: 0,
    pointInTimeRecovery: false,
    backfillConcurrency: 2,
  },
  staging: {
    reservedConcurrency: 5,
    logRetentionDays: 30,
    freshnessMinutes: 720,
    throttle: { rateLimit: 50, burstLimit: 100 },
    batchWindowSeconds: 5,
    pointInTimeRecovery: true,
    backfillConcurrency: 4,
  },
  prod: {
    reservedConcurrency: 20,
    logRetentionDays: 365,
    freshnessMinutes: 180,
    throttle: { rateLimit: 200, burstLimit: 400 },
    batchWindowSeconds: 5,
    pointInTimeRecovery: true,
    backfillConcurrency: 8,
  },
};

type Defaults<T> = T & {
  readonly classification: Classification;
  readonly freshnessMinutes: number;
  readonly reservedConcurrency: number;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
};

export type ResolvedSource =
  | Defaults<
      z.output<typeof httpSourceSchema> & {
        auth: "iam" | { jwt: { issuer: string; audiences: string[] } };
        maxBodyBytes: number;
        maxRecords: number;
        throttle: { rateLimit: number; burstLimit: number };
      }
    >
  | Defaults<
      z.output<typeof queueSourceSchema> & {
        maxReceiveCount: number;
        batchSize: number;
        batchWindowSeconds: number;
        retentionDays: number;
      }
    >
  | Defaults<z.output<typeof scheduleSourceSchema> & { timezone: string; retryAttempts: number }>
  | Defaults<
      z.output<typeof dbEventsSourceSchema> & {
        startingPosition: "TRIM_HORIZON" | "LATEST";
        batchSize: number;
        maximumRetryAttempts: number;
        pointInTimeRecovery: boolean;
      }
    >
  | Defaults<z.output<typeof objectEventsSourceSchema> & { maxBackfillDays: number; backfillConcurrency: number }>;

export type ResolvedSourceOf<K extends SourceKind> = Extract<ResolvedSource, { kind: K }>;

/** Fills a parsed source's defaults from the environment profile and its domain; explicit values win. */
export function resolveSource(
  s: FunctionSourceConfig,
  environment: Environment,
  domainClassification: Classification,
): ResolvedSource {
  const p = INGESTION_PROFILES[environment];
  const slow = s.kind === "db-events" || s.kind === "object-events";
  const base = {
    classification: s.classification ?? domainClassification,
    freshnessMinutes: s.freshnessMinutes ?? p.freshnessMinutes,
    // A scheduled pull runs one at a time: two overlapping runs would race on the watermark.
    reservedConcurrency: s.reservedConcurrency ?? (s.kind === "schedule" ? 1 : p.reservedConcurrency),
    memoryMb: s.memoryMb ?? 256,
    timeoutSeconds: s.timeoutSeconds ?? (slow ? 300 : 60),
  };
  switch (s.kind) {
    case "http":
      return {
        ...s,
        ...base,
        auth: s.auth ?? "iam",
        maxBodyBytes: s.maxBodyBytes ?? 1_048_576,
        maxRecords: s.maxRecords ?? 500,
        throttle: s.throttle ?? p.throttle,
      };
    case "queue":
      return {
        ...s,
        ...base,
        maxReceiveCount: s.maxReceiveCount ?? 5,
        batchSize: s.batchSize ?? 10,
        batchWindowSeconds: s.batchWindowSeconds ?? p.batchWindowSeconds,
        retentionDays: s.retentionDays ?? 4,
      };
    case "schedule":
      return { ...s, ...base, timezone: s.timezone ?? "UTC", retryAttempts: s.retryAttempts ?? 3 };
    case "db-events":
      return {
        ...s,
        ...base,
        startingPosition: s.startingPosition ?? "TRIM_HORIZON",
        batchSize: s.batchSize ?? 100,
        maximumRetryAttempts: s.maximumRetryAttempts ?? 5,
        pointInTimeRecovery: s.pointInTimeRecovery ?? p.pointInTimeRecovery,
      };
    case "object-events":
      return {
        ...s,
        ...base,
        maxBackfillDays: s.maxBackfillDays ?? 400,
        backfillConcurrency: s.backfillConcurrency ?? p.backfillConcurrency,
      };
  }
}
