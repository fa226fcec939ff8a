import { z } from "zod";
import type { Problem } from "../core/problems";
import type { Environment } from "../core/types";
import { PERSONAS, Persona } from "../security/config";
import { loginProblems } from "../warehouse/logins";

// The `bi` section of the platform config: Athena workgroups per consumer group, the BI login to the warehouse
// and the optional Superset. Strict objects: an unknown key is a typo, and is an error. Result encryption,
// enforced workgroup settings and a pinned engine are not switches: they are always on.

const persona = z.enum(PERSONAS, { message: `must be one of ${PERSONAS.join(" | ")}` });

export const workgroupSchema = z.strictObject({
  /** Set false to drop a workgroup the profile defines. */
  enabled: z.boolean().optional(),
  /** Personas allowed to run queries in it. */
  personas: z.array(persona).min(1, { message: "must list at least one persona" }).optional(),
  /** Queries scanning more are cancelled (Athena bills per byte scanned). Athena's minimum is 10 MB. */
  bytesScannedCutoffPerQueryGb: z
    .number()
    .min(0.01, { message: "must be at least 0.01 (Athena's 10 MB minimum)" })
    .max(1_000_000)
    .optional(),
});

export const biSchema = z.strictObject({
  athena: z
    .strictObject({
      /** Pinned, so an engine upgrade is a reviewed change rather than a surprise under running dashboards. */
      engineVersion: z
        .string()
        .regex(/^Athena engine version \d+$/, {
          message: "must pin an engine such as 'Athena engine version 3' (AUTO would upgrade under running queries)",
        })
        .optional(),
      workgroups: z
        .record(
          z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, {
            message: "workgroup names are 2-31 lower-case letters, digits or hyphens",
          }),
          workgroupSchema,
        )
        .optional(),
    })
    .optional(),
  warehouseLogin: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** The warehouse login (member of its read-only `bi_reader` role) whose secret BI tools use. */
      username: z
        .string()
        .regex(/^[a-z][a-z0-9_]{2,62}$/, { message: "must be a lower-case identifier (letters, digits, _)" })
        .optional(),
      /** Personas that may read the login's secret (to configure BI tools). */
      readers: z.array(persona).optional(),
    })
    .optional(),
  superset: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** Exact chart version from https://apache.github.io/superset. */
      chartVersion: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, { message: "must be an exact chart version such as 0.15.5" })
        .optional(),
      namespace: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "must be a Kubernetes namespace name" })
        .optional(),
      replicas: z.number().int().min(1).max(20).optional(),
      /** Where Superset keeps its own metadata: a small PostgreSQL instance, or the warehouse when it is Aurora PostgreSQL. */
      metadataDatabase: z
        .enum(["own-instance", "warehouse"], { message: "must be own-instance | warehouse" })
        .optional(),
      instanceClass: z
        .string()
        .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be an RDS instance class such as db.t4g.small" })
        .optional(),
    })
    .optional(),
});

export type BiInput = z.input<typeof biSchema>;

export interface WorkgroupConfig {
  readonly personas: readonly Persona[];
  readonly bytesScannedCutoffPerQueryGb: number;
}

/** The bi config after the environment profile filled every default. Disabled workgroups are dropped. */
export interface BiConfig {
  readonly athena: { readonly engineVersion: string; readonly workgroups: Readonly<Record<string, WorkgroupConfig>> };
  readonly warehouseLogin: {
    readonly enabled: boolean;
    readonly username: string;
    readonly readers: readonly Persona[];
  };
  readonly superset: {
    readonly enabled: boolean;
    readonly chartVersion: string;
    readonly namespace: string;
    readonly replicas: number;
    readonly metadataDatabase: "own-instance" | "warehouse";
    readonly instanceClass: string;
  };
}

/** The Superset chart version the values below are written for; a new one is a reviewed change. */
// 0.15.5, not 0.15.1: 0.15.1 was tagged but never published to the chart repository (apache/superset#35461).
export const SUPERSET_CHART_VERSION = "0.15.5";

const workgroups = (analysts: number, engineers: number): Record<string, WorkgroupConfig> => ({
  analysts: { personas: ["analyst", "steward"], bytesScannedCutoffPerQueryGb: analysts },
  engineers: { personas: ["data-engineer"], bytesScannedCutoffPerQueryGb: engineers },
});

const superset = {
  enabled: false,
  chartVersion: SUPERSET_CHART_VERSION,
  namespace: "superset",
  metadataDatabase: "own-instance",
} as const;
const login = { enabled: true, username: "bi_tools", readers: ["analyst"] as Persona[] };

/** dev caps scans hard (mistakes are cheap to make there), prod sizes them for real dashboards. */
export const BI_PROFILES: Record<Environment, BiConfig> = {
  dev: {
    athena: { engineVersion: "Athena engine version 3", workgroups: workgroups(10, 50) },
    warehouseLogin: login,
    superset: { ...superset, replicas: 1, instanceClass: "db.t4g.micro" },
  },
  staging: {
    athena: { engineVersion: "Athena engine version 3", workgroups: workgroups(50, 250) },
    warehouseLogin: login,
    superset: { ...superset, replicas: 1, instanceClass: "db.t4g.small" },
  },
  prod: {
    athena: { engineVersion: "Athena engine version 3", workgroups: workgroups(200, 1000) },
    warehouseLogin: login,
    superset: { ...superset, replicas: 2, instanceClass: "db.t4g.small" },
  },
};

const defined = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Profile defaults under the user's values, field by field; a workgroup the user names merges with the profile's. */
export function resolveBiConfig(input: BiInput | undefined, environment: Environment): BiConfig {
  const d = BI_PROFILES[environment];
  const names = new Set([...Object.keys(d.athena.workgroups), ...Object.keys(input?.athena?.workgroups ?? {})]);
  const groups: Record<string, WorkgroupConfig> = {};
  for (const n of [...names].sort()) {
    const user = input?.athena?.workgroups?.[n];
    if (user?.enabled === false) continue;
    const base = d.athena.workgroups[n] ?? {
      personas: ["analyst"],
      bytesScannedCutoffPerQueryGb: d.athena.workgroups.analysts.bytesScannedCutoffPerQueryGb,
    };
    groups[n] = {
      ...base,
      ...defined({ personas: user?.personas, bytesScannedCutoffPerQueryGb: user?.bytesScannedCutoffPerQueryGb }),
    };
  }
  return {
    athena: { engineVersion: input?.athena?.engineVersion ?? d.athena.engineVersion, workgroups: groups },
    warehouseLogin: { ...d.warehouseLogin, ...defined(input?.warehouseLogin) },
    superset: { ...d.superset, ...defined(input?.superset) },
  };
}

export interface BiCheckContext {
  readonly environment: Environment;
  /** A Kubernetes cluster is part of the platform (Superset runs there). */
  readonly hasKubernetes: boolean;
  /** The warehouse engine, when the platform has a warehouse. */
  readonly warehouseEngine?: string;
}

const at = (path: string) => `platform.bi.${path}`;

/** Rules no single field can express. Returns every problem, each with the dotted path to fix. */
export function validateBi(input: BiInput | undefined, config: BiConfig, ctx: BiCheckContext): Problem[] {
  const problems: Problem[] = [];
  const groups = Object.entries(config.athena.workgroups);
  if (!groups.some(([, g]) => g.personas.includes("analyst"))) {
    problems.push({
      path: at("athena.workgroups"),
      message: "no workgroup admits analysts: self-service needs one (personas: [analyst])",
    });
  }
  const s = config.superset;
  if (s.enabled) {
    if (!ctx.hasKubernetes)
      problems.push({
        path: at("superset.enabled"),
        message: "Superset runs on the platform's Kubernetes cluster; configure platform.compute or leave Superset off",
      });
    if (s.metadataDatabase === "warehouse") {
      // BiAccess accepts a metadata connection, but the platform's warehouse creates no Superset database or login.
      const why =
        ctx.warehouseEngine === "aurora-postgresql"
          ? "the platform's warehouse creates no Superset database or login"
          : `it needs the aurora-postgresql warehouse engine (got ${ctx.warehouseEngine ?? "no warehouse"})`;
      problems.push({
        path: at("superset.metadataDatabase"),
        message: `'warehouse' is refused: ${why}; use own-instance`,
      });
    }
    if (ctx.environment === "prod" && s.replicas < 2)
      problems.push({
        path: at("superset.replicas"),
        message: "must be at least 2 in prod, so a node drain does not take BI down",
      });
  }
  if (config.warehouseLogin.enabled) {
    const biLogin = { name: config.warehouseLogin.username, role: "bi_reader" as const, purpose: "BI tools" };
    for (const m of loginProblems([biLogin], undefined, true))
      problems.push({ path: at("warehouseLogin.username"), message: m });
  }
  if (input?.warehouseLogin?.readers?.includes("platform-admin")) {
    problems.push({
      path: at("warehouseLogin.readers"),
      message: "platform-admin is refused: admins operate the platform and read no data",
    });
  }
  return problems;
}
