import { z } from "zod";
import { PLATFORM_SQL_NAMES, reservedIdentifier } from "../core/identifiers";
import type { Problem } from "../core/problems";
import type { Environment } from "../core/types";

// The `warehouse` section of the platform config. Strict objects: an unknown key is a typo, and is an error.
// There is deliberately no switch for TLS, encryption, public access or audit logging: they are always on.

export const WAREHOUSE_ENGINES = ["redshift-serverless", "aurora-postgresql"] as const;
export type WarehouseEngine = (typeof WAREHOUSE_ENGINES)[number];

const identifier = (what: string) =>
  z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, {
    message: `must be a lower-case ${what} (letters, digits, _; starting with a letter)`,
  });

export const redshiftSchema = z.strictObject({
  /** Compute always available, in Redshift Processing Units. */
  baseCapacityRpu: z
    .number()
    .int()
    .min(8)
    .max(1024)
    .multipleOf(8, { message: "must be a multiple of 8 RPU between 8 and 1024" })
    .optional(),
  /** Ceiling for automatic scaling. */
  maxCapacityRpu: z
    .number()
    .int()
    .min(8)
    .max(1024)
    .multipleOf(8, { message: "must be a multiple of 8 RPU between 8 and 1024" })
    .optional(),
  /** RPU-hours per period before the breach action. */
  usageLimitRpuHours: z.number().int().min(1).optional(),
  usageLimitPeriod: z.enum(["daily", "weekly", "monthly"], { message: "must be daily | weekly | monthly" }).optional(),
  usageLimitBreachAction: z
    .enum(["log", "emit-metric", "deactivate"], { message: "must be log | emit-metric | deactivate" })
    .optional(),
  /** Days each daily snapshot is kept (automatic recovery points only cover 24 hours). */
  snapshotRetentionDays: z.number().int().min(1).max(3653).optional(),
});

export const auroraSchema = z.strictObject({
  engineVersion: z
    .string()
    .regex(/^1[67]\.\d+$/, { message: "must be an Aurora PostgreSQL 16 or 17 version such as 16.6" })
    .optional(),
  /** 0 lets the cluster pause when idle (Serverless v2 scale to zero). */
  minCapacityAcu: z
    .number()
    .min(0)
    .max(256)
    .multipleOf(0.5, { message: "must be between 0 and 256 ACU in steps of 0.5" })
    .optional(),
  maxCapacityAcu: z
    .number()
    .min(1)
    .max(256)
    .multipleOf(0.5, { message: "must be between 1 and 256 ACU in steps of 0.5" })
    .optional(),
  /** Idle time before pausing; only with minCapacityAcu 0. */
  secondsUntilAutoPause: z.number().int().min(300).max(86_400).optional(),
  backupRetentionDays: z.number().int().min(1).max(35).optional(),
  /** Reader instances besides the writer; each lands in another AZ and can take over. */
  readers: z.number().int().min(0).max(5).optional(),
});

export const warehouseSchema = z.strictObject({
  enabled: z.boolean().optional(),
  engine: z.enum(WAREHOUSE_ENGINES, { message: `must be one of ${WAREHOUSE_ENGINES.join(" | ")}` }).optional(),
  databaseName: identifier("database name").optional(),
  adminUsername: identifier("user name").optional(),
  redshift: redshiftSchema.optional(),
  aurora: auroraSchema.optional(),
});

export type WarehouseInput = z.input<typeof warehouseSchema>;
type Full<T> = { readonly [K in keyof T]-?: Exclude<T[K], undefined> };

/** The warehouse config after the environment profile filled every default. */
export interface WarehouseConfig {
  readonly enabled: boolean;
  readonly engine: WarehouseEngine;
  readonly databaseName: string;
  readonly adminUsername: string;
  readonly redshift: Full<z.output<typeof redshiftSchema>>;
  readonly aurora: Full<z.output<typeof auroraSchema>>;
}

/**
 * dev is the smallest thing that works (8 RPU with a daily cap that switches it off; Aurora pausing to 0 ACU);
 * prod is sized for load, keeps 35 days of backups and has a standby reader in another AZ.
 */
export const WAREHOUSE_PROFILES: Record<Environment, WarehouseConfig> = {
  dev: {
    enabled: true,
    engine: "redshift-serverless",
    databaseName: "analytics",
    adminUsername: "platform_admin",
    redshift: {
      baseCapacityRpu: 8,
      maxCapacityRpu: 32,
      usageLimitRpuHours: 24,
      usageLimitPeriod: "daily",
      usageLimitBreachAction: "deactivate",
      snapshotRetentionDays: 1,
    },
    aurora: {
      engineVersion: "16.6",
      minCapacityAcu: 0,
      maxCapacityAcu: 4,
      secondsUntilAutoPause: 600,
      backupRetentionDays: 1,
      readers: 0,
    },
  },
  staging: {
    enabled: true,
    engine: "redshift-serverless",
    databaseName: "analytics",
    adminUsername: "platform_admin",
    redshift: {
      baseCapacityRpu: 32,
      maxCapacityRpu: 128,
      usageLimitRpuHours: 200,
      usageLimitPeriod: "daily",
      usageLimitBreachAction: "emit-metric",
      snapshotRetentionDays: 7,
    },
    aurora: {
      engineVersion: "16.6",
      minCapacityAcu: 0.5,
      maxCapacityAcu: 16,
      secondsUntilAutoPause: 3600,
      backupRetentionDays: 7,
      readers: 0,
    },
  },
  prod: {
    enabled: true,
    engine: "redshift-serverless",
    databaseName: "analytics",
    adminUsername: "platform_admin",
    redshift: {
      baseCapacityRpu: 128,
      maxCapacityRpu: 512,
      usageLimitRpuHours: 2000,
      usageLimitPeriod: "daily",
      usageLimitBreachAction: "emit-metric",
      snapshotRetentionDays: 35,
    },
    aurora: {
      engineVersion: "16.6",
      minCapacityAcu: 2,
      maxCapacityAcu: 64,
      secondsUntilAutoPause: 3600,
      backupRetentionDays: 35,
      readers: 1,
    },
  },
};

/** Profile defaults under the user's (already parsed) values, field by field, also inside `redshift` and `aurora`. */
export function resolveWarehouseConfig(input: WarehouseInput | undefined, environment: Environment): WarehouseConfig {
  const d = WAREHOUSE_PROFILES[environment];
  const defined = <T extends object>(o: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  const { redshift, aurora, ...top } = input ?? {};
  return {
    ...d,
    ...defined(top),
    redshift: { ...d.redshift, ...defined(redshift) },
    aurora: { ...d.aurora, ...defined(aurora) },
  };
}

export interface WarehouseCheckContext {
  readonly environment: Environment;
  /** AZs the private subnets span. */
  readonly azCount: number;
}

const at = (path: string) => `platform.warehouse.${path}`;

/**
 * Rules no single field can express. `input` is what the user wrote (to blame the right key), `config` the
 * resolved result. Returns every problem, each with the dotted path to fix.
 */
export function validateWarehouse(
  input: WarehouseInput | undefined,
  config: WarehouseConfig,
  ctx: WarehouseCheckContext,
): Problem[] {
  if (!config.enabled) return [];
  const problems: Problem[] = [];
  // Both become identifiers: a reserved word or system role fails the deploy or shares an identity.
  const admin = reservedIdentifier(config.adminUsername, [
    ...PLATFORM_SQL_NAMES.roles,
    ...PLATFORM_SQL_NAMES.serviceLogins,
  ]);
  if (admin) problems.push({ path: at("adminUsername"), message: admin });
  const database = reservedIdentifier(config.databaseName);
  if (database) problems.push({ path: at("databaseName"), message: database });
  const { redshift: r, aurora: a } = config;
  if (config.engine === "redshift-serverless") {
    if (ctx.azCount < 3) {
      problems.push({
        path: at("engine"),
        message: `redshift-serverless needs private subnets in 3 AZs but the network has ${ctx.azCount}; set platform.network.azCount: 3 or use aurora-postgresql`,
      });
    }
    if (r.maxCapacityRpu < r.baseCapacityRpu)
      problems.push({
        path: at("redshift.maxCapacityRpu"),
        message: `must be at least baseCapacityRpu (${r.baseCapacityRpu})`,
      });
    if (ctx.environment === "prod" && r.usageLimitBreachAction === "deactivate") {
      problems.push({
        path: at("redshift.usageLimitBreachAction"),
        message:
          "deactivate is refused in prod: hitting the limit would switch the warehouse off; use emit-metric and alarm on it",
      });
    }
    if (ctx.environment === "prod" && r.snapshotRetentionDays < 7)
      problems.push({ path: at("redshift.snapshotRetentionDays"), message: "must be at least 7 in prod" });
  } else {
    if (a.maxCapacityAcu < a.minCapacityAcu)
      problems.push({
        path: at("aurora.maxCapacityAcu"),
        message: `must be at least minCapacityAcu (${a.minCapacityAcu})`,
      });
    if (input?.aurora?.secondsUntilAutoPause !== undefined && a.minCapacityAcu > 0) {
      problems.push({
        path: at("aurora.secondsUntilAutoPause"),
        message: "only applies when minCapacityAcu is 0 (the cluster never pauses otherwise)",
      });
    }
    if (ctx.environment === "prod") {
      if (a.backupRetentionDays < 7)
        problems.push({ path: at("aurora.backupRetentionDays"), message: "must be at least 7 in prod" });
      if (a.readers < 1)
        problems.push({
          path: at("aurora.readers"),
          message: "must be at least 1 in prod: a reader in another AZ takes over when the writer's AZ fails",
        });
      if (a.minCapacityAcu === 0)
        problems.push({
          path: at("aurora.minCapacityAcu"),
          message: "0 is refused in prod: a paused cluster makes the first query wait for it to resume",
        });
    }
  }
  return problems;
}
