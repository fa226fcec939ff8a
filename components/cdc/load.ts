import type { Environment } from "../core/types";
import { CdcTable, CDC_COLUMNS, cdcTableStatements, MergeEngine, mergeStatements } from "./merge";

export interface CdcLoadTable extends CdcTable {
  /** DMS's schema and table names in the source database. */
  readonly schema: string;
  readonly table: string;
}

/** What the function carries in its package; the bucket and key come from its environment. */
export interface PackagedCdcLoadConfig {
  readonly source: string;
  /** The source's raw prefix, ending in `/`. */
  readonly prefix: string;
  readonly tables: readonly CdcLoadTable[];
}

// The scheduled warehouse side of a `cdc` source: each run finds the Parquet files DMS wrote for a table that the
// warehouse has not loaded yet, copies them into `staging.<table>_changes`, folds them into `staging.<table>` with
// the MERGE, and records the files as loaded, all in one transaction. A failed run leaves nothing behind and the
// next run takes the same files again; a file loaded twice changes nothing (the MERGE is idempotent).

/** How often the changes are merged. dev: hourly (cheapest), prod: every 5 minutes. */
export const CDC_LOAD_SCHEDULE: Record<Environment, string> = {
  dev: "rate(1 hour)",
  staging: "rate(15 minutes)",
  prod: "rate(5 minutes)",
};

/** The warehouse's record of loaded files: one row per file and target table. */
export const LEDGER = `"staging"."cdc_loaded_files"`;

export function ledgerStatements(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${LEDGER} (target varchar(63) NOT NULL, file_key varchar(1024) NOT NULL, loaded_at timestamp NOT NULL, PRIMARY KEY (target, file_key))`,
  ];
}

/** Where DMS writes one table under the source's prefix: `<prefix><schema>/<table>/` (full load and dated changes). */
export const tablePrefix = (sourcePrefix: string, schema: string, table: string) =>
  `${sourcePrefix}${schema}/${table}/`;

/** Manifests the load writes for Redshift's COPY, beside the changes, never inside a table's prefix. */
export const manifestKey = (sourcePrefix: string, target: string, batch: string) =>
  `${sourcePrefix}_manifests/${target}/${batch}.json`;

export interface LakeFile {
  readonly key: string;
  readonly size: number;
}

/** DMS's data files of a table not yet in the ledger, oldest key first. */
export function pendingFiles(listing: readonly LakeFile[], loaded: ReadonlySet<string>): LakeFile[] {
  return listing
    .filter((f) => f.key.endsWith(".parquet") && f.size > 0 && !loaded.has(f.key))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A Redshift COPY manifest: every file mandatory (a vanished file fails the run), with the length Parquet needs. */
export function copyManifest(bucket: string, files: readonly LakeFile[]) {
  return {
    entries: files.map((f) => ({ url: `s3://${bucket}/${f.key}`, mandatory: true, meta: { content_length: f.size } })),
  };
}

/** The changes table's columns in the order DMS writes them to a file. */
export function fileColumns(t: CdcTable): string[] {
  const { op, commitTs, changeSeq } = CDC_COLUMNS;
  return [op, commitTs, ...t.columns.map((c) => c.name), changeSeq];
}

const quoteLiteral = (s: string) => {
  // Quotes, backslashes and control characters never appear in S3 URIs or role ARNs the platform builds.
  if ([...s].some((c) => c === "'" || c === "\\" || c.charCodeAt(0) < 0x20))
    throw new Error(`refusing to quote ${JSON.stringify(s)} into SQL`);
  return `'${s}'`;
};

/**
 * Redshift's COPY of one batch of DMS Parquet files into the changes table. Columnar COPY maps file columns by
 * position: DMS writes `Op`, then the commit-time column, then the table's columns in source order, then the columns
 * table mappings add (`_change_seq`); the column list puts each where the changes table has it.
 */
export function copyStatement(t: CdcTable, manifestUri: string, iamRoleArn: string): string {
  const columns = fileColumns(t)
    .map((c) => `"${c}"`)
    .join(", ");
  return (
    `COPY "staging"."${t.name}_changes" (${columns}) FROM ${quoteLiteral(manifestUri)} ` +
    `IAM_ROLE ${quoteLiteral(iamRoleArn)} FORMAT AS PARQUET MANIFEST`
  );
}

/** Statements of one run for one table, in order: tables and ledger exist, the batch lands, is merged, recorded. */
export function loadPlan(engine: MergeEngine, t: CdcTable): { prepare: string[]; merge: string[]; record: string } {
  return {
    prepare: [...cdcTableStatements(t), ...ledgerStatements()],
    merge: mergeStatements(engine, t),
    record: `INSERT INTO ${LEDGER} (target, file_key, loaded_at) VALUES ($1, $2, $3)`,
  };
}
