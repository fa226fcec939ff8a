/** The warehouse engines a loader writes to: Aurora PostgreSQL or Redshift. */
export type Engine = "postgres" | "redshift";

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** A double-quoted identifier from a validated name: table names come from config, never from data. */
export function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`invalid SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** `schema.name` → quoted; for configured objects such as `marts.refresh_sales`. */
export function qualified(name: string): string {
  const parts = name.split(".");
  if (parts.length !== 2) throw new Error(`expected schema.name, got ${JSON.stringify(name)}`);
  return parts.map(ident).join(".");
}

/**
 * The staging tables a loader writes (the warehouse's `staging` schema owns them; this is the contract):
 * one landing table per loader, a ledger that makes each object load at most once, and a rejects table.
 */
export function stagingDdl(table: string, engine: Engine): string[] {
  // PostgreSQL keeps each record as the admitted text (`json`: checked, stored as written, no re-spelling of numbers
  // or keys), which COPY takes at about twice `jsonb`'s speed; every admitted record also casts to `jsonb`.
  const json = engine === "redshift" ? "SUPER" : "JSON";
  const now = engine === "redshift" ? "GETDATE()" : "now()";
  const ts = engine === "redshift" ? "TIMESTAMP" : "TIMESTAMPTZ";
  return [
    `CREATE TABLE IF NOT EXISTS staging.load_ledger (bucket VARCHAR(63) NOT NULL, object_key VARCHAR(1024) NOT NULL, checksum CHAR(64) NOT NULL, etag VARCHAR(128), version_id VARCHAR(1024), source VARCHAR(64) NOT NULL, rows_loaded INTEGER NOT NULL, rows_rejected INTEGER NOT NULL, loaded_at ${ts} NOT NULL DEFAULT ${now}, PRIMARY KEY (bucket, object_key, checksum))`,
    `CREATE TABLE IF NOT EXISTS staging.load_rejects (bucket VARCHAR(63) NOT NULL, object_key VARCHAR(1024) NOT NULL, line INTEGER NOT NULL, reason VARCHAR(1024) NOT NULL, raw_text VARCHAR(65535), rejected_at ${ts} NOT NULL DEFAULT ${now})`,
    `CREATE TABLE IF NOT EXISTS staging.${ident(table)} (source VARCHAR(64) NOT NULL, object_key VARCHAR(1024) NOT NULL, record_index INTEGER NOT NULL, record ${json} NOT NULL, loaded_at ${ts} NOT NULL DEFAULT ${now})`,
  ];
}
