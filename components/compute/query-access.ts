import type { Zone } from "../core/types";
import { glueDatabaseName } from "../lake/DataLake";
import type { QueryEngineConfig } from "./query-config";
import type { DomainRef } from "./identity";
import { QUERY_WRITE_ZONE, QUERY_ZONES } from "./identity";
import { ANALYSTS, CATALOG, ENGINEERS } from "./query";

// Access control of the query engine: which groups may read or write which Glue schemas, as Trino's and Presto's
// file-based rules. Raw zones and restricted domains are never served.

export interface AccessModelInput {
  readonly prefix: string;
  readonly domains: readonly DomainRef[];
  readonly catalogs: readonly string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const anyOf = (xs: readonly string[]) => `(${xs.map(escape).join("|")})`;

/** Glue schema regex for some domains in some zones (`<prefix>_<domain>_<zone>`). */
export function schemaPattern(prefix: string, domains: readonly string[], zones: readonly Zone[]): string {
  const sample = glueDatabaseName(prefix, "DOMAIN", "raw");
  const head = escape(sample.slice(0, sample.indexOf("_DOMAIN_")));
  return `${head}_${anyOf(domains)}_${anyOf(zones)}`;
}

/** The classification split every rules file follows. */
export function accessModel(input: AccessModelInput) {
  const open = input.domains.filter((d) => d.classification !== "restricted").map((d) => d.name);
  const restricted = input.domains.filter((d) => d.classification === "restricted").map((d) => d.name);
  const p = input.prefix.replace(/-/g, "_");
  return {
    /** Readable by analysts and engineers: curated and analytics of non-restricted domains. */
    readable: open.length > 0 ? schemaPattern(input.prefix, open, QUERY_ZONES) : undefined,
    /** Writable by engineers: analytics of non-restricted domains. */
    writable: open.length > 0 ? schemaPattern(input.prefix, open, [QUERY_WRITE_ZONE]) : undefined,
    /** Never served: every raw schema and every schema of a restricted domain. */
    denied: [`${escape(p)}_.*_raw`, ...(restricted.length > 0 ? [`${escape(p)}_${anyOf(restricted)}_.*`] : [])].join(
      "|",
    ),
    restrictedDomains: restricted,
  };
}

type TrinoCatalogRule = { group?: string; catalog: string; allow: "all" | "read-only" | "none" };
type TrinoSchemaRule = { group?: string; catalog?: string; schema: string; owner: boolean };
type TrinoTableRule = { group?: string; catalog?: string; schema?: string; privileges: string[] };
export interface TrinoRules {
  catalogs: TrinoCatalogRule[];
  schemas: TrinoSchemaRule[];
  tables: TrinoTableRule[];
  queries: { group?: string; allow: string[] }[];
}

/**
 * Trino's file-based system access control. Rules are first-match: explicit denials of raw and restricted come
 * first, then what analysts (read curated and analytics) and engineers (also write analytics, read Kafka) may do;
 * anything unmatched is denied.
 */
export function trinoAccessRules(input: AccessModelInput): TrinoRules {
  const m = accessModel(input);
  const lake = anyOf([CATALOG.lake, CATALOG.iceberg]);
  const has = (c: string) => input.catalogs.includes(c);
  const both = `${ANALYSTS}|${ENGINEERS}`;
  const catalogs: TrinoCatalogRule[] = [
    { group: ENGINEERS, catalog: anyOf(input.catalogs.filter((c) => c !== CATALOG.warehouse)), allow: "all" },
    ...(has(CATALOG.warehouse) ? [{ group: both, catalog: CATALOG.warehouse, allow: "read-only" as const }] : []),
    { group: ANALYSTS, catalog: lake, allow: "read-only" },
    { group: both, catalog: "system", allow: "read-only" },
    { catalog: ".*", allow: "none" },
  ];
  const tables: TrinoTableRule[] = [{ catalog: lake, schema: m.denied, privileges: [] }];
  if (has(CATALOG.warehouse) && m.restrictedDomains.length > 0)
    tables.push({ catalog: CATALOG.warehouse, schema: anyOf(m.restrictedDomains), privileges: [] });
  if (m.writable)
    tables.push({
      group: ENGINEERS,
      catalog: lake,
      schema: m.writable,
      privileges: ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP"],
    });
  if (m.readable) tables.push({ group: both, catalog: lake, schema: m.readable, privileges: ["SELECT"] });
  if (has(CATALOG.warehouse)) tables.push({ group: both, catalog: CATALOG.warehouse, privileges: ["SELECT"] });
  if (has(CATALOG.kafka)) tables.push({ group: ENGINEERS, catalog: CATALOG.kafka, privileges: ["SELECT"] });
  tables.push({
    group: both,
    catalog: "system",
    schema: "(runtime|metadata|information_schema)",
    privileges: ["SELECT"],
  });
  return {
    catalogs,
    schemas: m.writable ? [{ group: ENGINEERS, catalog: lake, schema: m.writable, owner: true }] : [],
    tables,
    queries: [
      { group: ENGINEERS, allow: ["execute", "kill", "view"] },
      { group: ANALYSTS, allow: ["execute"] },
    ],
  };
}

const userPattern = (users: readonly string[]) => `(${users.map(escape).join("|")})`;

/**
 * Presto has no group provider: rules match user names, taken from `queryEngine.groups`. System rules gate
 * catalogs; the lake catalog's own file carries the schema and table rules.
 */
export function prestoAccessRules(input: AccessModelInput, groups: QueryEngineConfig["groups"]) {
  const m = accessModel(input);
  const has = (c: string) => input.catalogs.includes(c);
  const analysts = groups.analysts.length > 0 ? userPattern(groups.analysts) : undefined;
  const engineers = groups.engineers.length > 0 ? userPattern(groups.engineers) : undefined;
  const both = [analysts, engineers].filter((x): x is string => x !== undefined).join("|") || undefined;
  const system = {
    catalogs: [
      ...(engineers ? [{ user: engineers, catalog: anyOf(input.catalogs), allow: true }] : []),
      ...(analysts
        ? [{ user: analysts, catalog: anyOf(input.catalogs.filter((c) => c !== CATALOG.kafka)), allow: true }]
        : []),
      ...(both ? [{ user: both, catalog: "system", allow: true }] : []),
      { catalog: ".*", allow: false },
    ],
  };
  const lake = {
    schemas: [
      ...(engineers && m.writable ? [{ user: engineers, schema: m.writable, owner: true }] : []),
      { schema: ".*", owner: false },
    ],
    tables: [
      { schema: m.denied, privileges: [] as string[] },
      ...(engineers && m.writable
        ? [{ user: engineers, schema: m.writable, privileges: ["SELECT", "INSERT", "DELETE", "OWNERSHIP"] }]
        : []),
      ...(both && m.readable ? [{ user: both, schema: m.readable, privileges: ["SELECT"] }] : []),
    ],
  };
  return { system, lake, warehouse: has(CATALOG.warehouse) };
}
