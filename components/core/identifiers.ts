// Names from config that become SQL identifiers (logins, the admin, tables): what PostgreSQL and Redshift reserve,
// what their managed services keep for themselves, and what the platform itself uses internally. A name on these
// lists either fails at deploy time or silently shares an identity with something else, so config refuses it.

/** PostgreSQL's reserved key words (docs, appendix C) and Redshift's reserved words that can be written bare. */
const SQL_RESERVED = new Set(
  (
    "all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate " +
    "collation column concurrently constraint create cross current_catalog current_date current_role " +
    "current_schema current_time current_timestamp current_user default deferrable desc distinct do else end " +
    "except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into " +
    "is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on " +
    "only or order outer overlaps placing primary references returning right select session_user similar some " +
    "symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when " +
    "where window with " +
    // Redshift
    "aes128 aes256 allowoverwrite backup blanksasnull bytedict credentials defrag delta delta32k disable " +
    "emptyasnull enable encode encrypt encryption explicit globaldict256 globaldict64k gzip identity ignore lun " +
    "luns lzo minus mostly13 mostly32 mostly8 new off offline oid old open parallel partition percent permissions " +
    "pivot raw readratio recover rejectlog resort respect restore snapshot sysdate system tag tdes text255 " +
    "text32k timestamp top truncatecolumns unnest wallet without"
  ).split(" "),
);

/** Roles and users the engines and AWS's managed services create or reserve. */
const SYSTEM_ROLES = new Set([
  "public",
  "postgres",
  "none",
  "rdsadmin",
  "rdsrepladmin",
  "rdstopmgr",
  "rdsproxyadmin",
  "rdsdb",
  "rds_superuser",
  "rds_replication",
  "rds_iam",
  "rds_password",
  "rds_ad",
  "rds_extension",
  "rds_aurora_limitless",
]);
const SYSTEM_PREFIXES = ["pg_", "rds_", "rdsdb", "aws_", "sys_", "padb_", "stl_", "stv_", "svl_", "svv_"];

/** What the platform creates in the warehouse itself: its group roles, default admin, service logins, tables. */
export const PLATFORM_SQL_NAMES = {
  roles: ["loader", "transformer", "bi_reader"],
  admin: "platform_admin",
  serviceLogins: ["query_engine", "ingestion_loader", "pipeline_runner"],
  stagingTables: ["load_ledger", "load_rejects"],
  schemas: ["staging"],
} as const;

/**
 * Why `name` cannot be used as a configured SQL identifier, or undefined when it can. `platform` lists the
 * platform's own names that are off limits at this place (a login may not take a group role's name, a staging
 * table not the ledger's).
 */
export function reservedIdentifier(name: string, platform: readonly string[] = []): string | undefined {
  const n = name.toLowerCase();
  if (SQL_RESERVED.has(n)) return `'${name}' is a reserved SQL word`;
  if (SYSTEM_ROLES.has(n) || SYSTEM_PREFIXES.some((p) => n.startsWith(p)))
    return `'${name}' is a system name of PostgreSQL, Redshift or Amazon RDS (refused: ${[...SYSTEM_PREFIXES].map((p) => `${p}*`).join(", ")} and the built-in roles)`;
  if (platform.includes(n)) return `'${name}' is used by the platform itself (${platform.join(", ")})`;
  return undefined;
}
