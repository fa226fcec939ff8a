import { z } from "zod";
import type { Environment } from "../core/types";
import { At, cidr, CPU, definedOnly, K8S_MEMORY, k8sName } from "./config-fields";
import { CHARTS } from "./versions";

// `platform.compute.queryEngine`: Trino (or Presto) over the lake, the warehouse and Kafka.

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

export type QueryEngineParsed = z.output<typeof queryEngineSchema>;

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

export type QueryEngineProfile = Pick<
  QueryEngineConfig,
  "workers" | "autoscaling" | "coordinator" | "worker" | "faultTolerant" | "exchangeRetentionDays"
>;

/** dev: one worker, no autoscaling. staging: two. prod: worker autoscaling and fault-tolerant queries. */
export const QUERY_ENGINE_PROFILES: Record<Environment, QueryEngineProfile> = {
  dev: {
    workers: 1,
    autoscaling: { enabled: false, maxWorkers: 1, targetCpuPercent: 70 },
    coordinator: { cpu: "1", memory: "4Gi" },
    worker: { cpu: "2", memory: "8Gi" },
    faultTolerant: false,
    exchangeRetentionDays: 1,
  },
  staging: {
    workers: 2,
    autoscaling: { enabled: false, maxWorkers: 4, targetCpuPercent: 70 },
    coordinator: { cpu: "2", memory: "8Gi" },
    worker: { cpu: "4", memory: "16Gi" },
    faultTolerant: false,
    exchangeRetentionDays: 1,
  },
  prod: {
    workers: 3,
    autoscaling: { enabled: true, maxWorkers: 12, targetCpuPercent: 70 },
    coordinator: { cpu: "4", memory: "16Gi" },
    worker: { cpu: "8", memory: "32Gi" },
    faultTolerant: true,
    exchangeRetentionDays: 1,
  },
};

/** Profile defaults under the user's values. */
export function resolveQueryEngine(q: QueryEngineParsed, environment: Environment): QueryEngineConfig {
  const p = QUERY_ENGINE_PROFILES[environment];
  const auth = q.authentication;
  return {
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

/**
 * Rules over the resolved engine. `parsed` is what the user wrote, to tell a profile default from a choice.
 */
export function queryEngineProblems(
  q: QueryEngineConfig,
  parsed: QueryEngineParsed | undefined,
  environment: Environment,
  at: At,
): void {
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
    if (environment !== "dev")
      at(
        "queryEngine.engine",
        `presto is refused in ${environment}: its chart (${CHARTS.presto.version}) renders no container security context, so its pods cannot drop capabilities or forbid privilege escalation as the restricted Pod Security Standard requires; use trino`,
      );
    if (q.faultTolerant)
      at(
        "queryEngine.faultTolerant",
        parsed?.faultTolerant
          ? "is not available with presto (no task retries)"
          : `defaults to true in ${environment} but presto has no task retries; use trino, or set faultTolerant: false to accept query failures on node loss`,
      );
    if (q.authentication.type === "oauth2")
      at("queryEngine.authentication", "oauth2 is available with trino only; presto uses password");
  }
  if (q.autoscaling.enabled && q.autoscaling.maxWorkers < q.workers)
    at("queryEngine.autoscaling.maxWorkers", `must be at least workers (${q.workers})`);
  if (q.engine === "trino" && environment !== "dev" && !q.loadBalancer.certificateArn)
    at(
      "queryEngine.loadBalancer.certificateArn",
      `is required in ${environment}: BI tools send passwords and tokens, so the load balancer terminates TLS`,
    );
  if (q.authentication.type === "oauth2" && (q.groups.analysts.length > 0 || q.groups.engineers.length > 0))
    at("queryEngine.groups", "comes from the identity provider's groups claim with oauth2; remove it");
}
