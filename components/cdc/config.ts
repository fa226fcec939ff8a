import { z } from "zod";
import type { Problem } from "../core/problems";
import { CLASSIFICATIONS, Classification, Environment } from "../core/types";
import { CDC_TYPE } from "./merge";

// The `cdc` source kind: change data capture from an existing PostgreSQL or MySQL database with DMS Serverless.
// Full load plus ongoing changes land in the raw zone as Parquet; the warehouse merges them into staging.

export const CDC_ENGINES = ["postgres", "mysql"] as const;
export type CdcEngine = (typeof CDC_ENGINES)[number];
/** DMS capacity units DMS Serverless accepts. */
export const DCU_VALUES = [1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384] as const;
/** SSL modes that encrypt the connection to the source; `none` is not offered. */
export const CDC_SSL_MODES = ["verify-full", "verify-ca", "require"] as const;

const SOURCE_NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const HOST =
  /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/;

const ident = (what: string) => z.string().regex(IDENT, { message: `must be a lower-case SQL identifier (${what})` });

export const cdcTableSchema = z.strictObject({
  /** `<schema>.<table>` in the source database (MySQL: `<database>.<table>`). */
  name: z.string().regex(/^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/, { message: "must be <schema>.<table>" }),
  /** Primary-key columns: the merge matches on them. */
  key: z.array(ident("key column")).min(1, { message: "must list the primary-key columns" }),
  /** Column → type, in source order; types portable between PostgreSQL and Redshift. */
  columns: z.record(
    ident("column"),
    z.string().regex(CDC_TYPE, {
      message:
        "must be smallint | integer | bigint | boolean | date | timestamp | timestamptz | real | double precision | numeric(p,s) | varchar(n)",
    }),
  ),
  /** Warehouse table in schema `staging`. @default the table's name without its schema */
  target: ident("target").optional(),
});

export const cdcSourceSchema = z.strictObject({
  name: z
    .string()
    .regex(SOURCE_NAME, { message: "must be 3-32 lower-case letters, digits or hyphens, starting with a letter" }),
  domain: z.string().min(2),
  /** @default the domain's classification */
  classification: z.enum(CLASSIFICATIONS, { message: `must be one of ${CLASSIFICATIONS.join(" | ")}` }).optional(),
  description: z.string().min(3).optional(),
  kind: z.literal("cdc"),
  engine: z.enum(CDC_ENGINES, { message: `must be one of ${CDC_ENGINES.join(" | ")}` }),
  endpoint: z.strictObject({
    host: z.string().regex(HOST, { message: "must be a host name" }),
    /** @default 5432 (postgres), 3306 (mysql) */
    port: z.number().int().min(1).max(65_535).optional(),
    /** Network the database is in (this VPC, or one reached through peering or a transit gateway). */
    cidr: z.string().regex(CIDR, { message: "must be an IPv4 CIDR" }),
  }),
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, { message: "must be a database name" }),
  /** Secrets Manager secret with the replication user: {"username","password","host","port"} as DMS reads it. */
  credentialsSecretArn: z.string().regex(ARN, { message: "must be a Secrets Manager secret ARN" }),
  tables: z.array(cdcTableSchema).min(1, { message: "must list at least one table" }),
  /** @default "verify-full" */
  sslMode: z.enum(CDC_SSL_MODES, { message: `must be one of ${CDC_SSL_MODES.join(" | ")}` }).optional(),
  /** Ceiling of the serverless replication. @default profile (dev 1, staging 4, prod 16) */
  maxCapacityUnits: z
    .number()
    .refine((n) => (DCU_VALUES as readonly number[]).includes(n), {
      message: `must be one of ${DCU_VALUES.join(", ")}`,
    })
    .optional(),
  /** Replication lag that raises an alarm. @default profile (dev 3600, staging 900, prod 300) */
  maxLagSeconds: z.number().int().min(60).max(86_400).optional(),
});

export type CdcSourceConfig = z.output<typeof cdcSourceSchema>;

export interface ResolvedCdcTable {
  readonly source: string;
  readonly schema: string;
  readonly table: string;
  readonly target: string;
  readonly key: readonly string[];
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

export interface ResolvedCdcSource {
  readonly kind: "cdc";
  readonly name: string;
  readonly domain: string;
  readonly classification: Classification;
  readonly description?: string;
  readonly engine: CdcEngine;
  readonly endpoint: { readonly host: string; readonly port: number; readonly cidr: string };
  readonly database: string;
  readonly credentialsSecretArn: string;
  readonly tables: readonly ResolvedCdcTable[];
  readonly sslMode: (typeof CDC_SSL_MODES)[number];
  readonly minCapacityUnits: number;
  readonly maxCapacityUnits: number;
  /** Two replicas in two AZs (prod). */
  readonly multiAz: boolean;
  readonly maxLagSeconds: number;
}

interface CdcProfile {
  readonly maxCapacityUnits: number;
  readonly multiAz: boolean;
  readonly maxLagSeconds: number;
}

/** dev: the smallest replication, one AZ, lag alarm after an hour. prod: room to catch up, multi-AZ, 5 minutes. */
export const CDC_PROFILES: Record<Environment, CdcProfile> = {
  dev: { maxCapacityUnits: 1, multiAz: false, maxLagSeconds: 3600 },
  staging: { maxCapacityUnits: 4, multiAz: false, maxLagSeconds: 900 },
  prod: { maxCapacityUnits: 16, multiAz: true, maxLagSeconds: 300 },
};

export const DEFAULT_PORTS: Record<CdcEngine, number> = { postgres: 5432, mysql: 3306 };

export function resolveCdcSource(
  s: CdcSourceConfig,
  environment: Environment,
  domainClassification: Classification,
): ResolvedCdcSource {
  const p = CDC_PROFILES[environment];
  return {
    kind: "cdc",
    name: s.name,
    domain: s.domain,
    classification: s.classification ?? domainClassification,
    description: s.description,
    engine: s.engine,
    endpoint: { host: s.endpoint.host, cidr: s.endpoint.cidr, port: s.endpoint.port ?? DEFAULT_PORTS[s.engine] },
    database: s.database,
    credentialsSecretArn: s.credentialsSecretArn,
    tables: s.tables.map((t) => {
      const [schema, table] = t.name.split(".");
      return {
        source: t.name,
        schema,
        table,
        target: t.target ?? table,
        key: t.key,
        columns: Object.entries(t.columns).map(([name, type]) => ({ name, type })),
      };
    }),
    sslMode: s.sslMode ?? "verify-full",
    minCapacityUnits: 1,
    maxCapacityUnits: s.maxCapacityUnits ?? p.maxCapacityUnits,
    multiAz: p.multiAz,
    maxLagSeconds: s.maxLagSeconds ?? p.maxLagSeconds,
  };
}

/**
 * Rules one field cannot express: keys among the columns, unique tables and warehouse targets (across every cdc
 * source: they share schema `staging`), and a warehouse to merge into. Paths are relative to the config root.
 */
export function validateCdcSources(
  sources: readonly { index: number; source: CdcSourceConfig }[],
  ctx: { readonly warehouse: boolean; readonly reservedTargets?: ReadonlySet<string> },
): Problem[] {
  const problems: Problem[] = [];
  const targets = new Map<string, string>();
  for (const { index, source: s } of sources) {
    const at = (f: string) => `sources[${index}].${f}`;
    if (!ctx.warehouse)
      problems.push({
        path: at("kind"),
        message: "cdc changes are merged into the warehouse, which this stack does not enable",
      });
    const seen = new Set<string>();
    s.tables.forEach((t, j) => {
      const tp = (f: string) => at(`tables[${j}].${f}`);
      if (seen.has(t.name)) problems.push({ path: tp("name"), message: `duplicate table '${t.name}'` });
      seen.add(t.name);
      const columns = Object.keys(t.columns);
      if (columns.length === 0) problems.push({ path: tp("columns"), message: "must list the table's columns" });
      for (const k of t.key)
        if (!columns.includes(k)) problems.push({ path: tp("key"), message: `'${k}' is not one of the columns` });
      for (const c of columns)
        if (c.startsWith("_"))
          problems.push({ path: tp(`columns.${c}`), message: "names starting with '_' are reserved for CDC metadata" });
      const target = t.target ?? t.name.split(".")[1];
      const other = targets.get(target);
      if (other || ctx.reservedTargets?.has(target))
        problems.push({
          path: tp(t.target ? "target" : "name"),
          message: `staging table '${target}' is already taken${other ? ` by ${other}` : " by a loader"}; set target`,
        });
      targets.set(target, `${s.name}:${t.name}`);
    });
  }
  return problems;
}
