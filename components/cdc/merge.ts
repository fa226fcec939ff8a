// Change data capture into warehouse staging. DMS lands every change of a source table in the raw zone with its
// operation (`I`, `U`, `D`), its commit time and DMS's change sequence; the loader copies a batch of those rows
// into `staging.<table>_changes`, and the statements below fold the batch into `staging.<table>`.
//
// Semantics, the same on both engines:
// - per key, only the latest change of the batch counts, ordered by commit time, then by change sequence (several
//   changes of one transaction share a commit time);
// - a change applies only when it is newer than the one the row already holds, so replaying a batch, or an older
//   batch after a newer one, changes nothing;
// - a delete keeps the key as a tombstone (`_deleted`, other columns cleared): without it an older insert replayed
//   after the delete would bring the row back. `<table>_live` shows the rows that exist in the source.
// PostgreSQL runs one MERGE with conditional clauses. Redshift's MERGE takes a table as its source and no
// conditions on its clauses, so the latest newer changes go to a temporary table first.

export type MergeEngine = "postgres" | "redshift";

/** Metadata columns of every changes table and merged table. */
export const CDC_COLUMNS = {
  op: "_op",
  commitTs: "_commit_ts",
  changeSeq: "_change_seq",
  deleted: "_deleted",
} as const;

/** The column types a CDC table may declare: portable between PostgreSQL and Redshift. */
export const CDC_TYPE =
  /^(smallint|integer|bigint|boolean|date|timestamp|timestamptz|real|double precision|numeric\(\d{1,2},\d{1,2}\)|varchar\(\d{1,5}\))$/;

export interface CdcTable {
  /** Target table in schema `staging`, e.g. `orders`; the batch lands in `<name>_changes`. */
  readonly name: string;
  /** Primary-key columns of the source table. */
  readonly key: readonly string[];
  /** Every column (key included) with its type, in source order. */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const q = (name: string): string => {
  if (!IDENT.test(name)) throw new Error(`invalid SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
};

function names(t: CdcTable) {
  const { op, commitTs, changeSeq, deleted } = CDC_COLUMNS;
  const data = t.columns.map((c) => c.name);
  const keys = new Set(t.key);
  for (const k of t.key) if (!data.includes(k)) throw new Error(`key column ${k} is not a column of ${t.name}`);
  return {
    target: `"staging".${q(t.name)}`,
    changes: `"staging".${q(`${t.name}_changes`)}`,
    live: `"staging".${q(`${t.name}_live`)}`,
    data,
    nonKey: data.filter((c) => !keys.has(c)),
    key: t.key,
    op: q(op),
    ts: q(commitTs),
    seq: q(changeSeq),
    del: q(deleted),
  };
}

/** `s` is newer than `t`: later commit time, or the same commit time and a later change sequence. */
function newer(n: ReturnType<typeof names>, s: string, t: string): string {
  const seq = (a: string) => `COALESCE(${a}.${n.seq}, '')`;
  return `(${s}.${n.ts} > ${t}.${n.ts} OR (${s}.${n.ts} = ${t}.${n.ts} AND ${seq(s)} > ${seq(t)}))`;
}

/** Creates the changes table, the merged table and its live view (idempotent). */
export function cdcTableStatements(t: CdcTable): string[] {
  const n = names(t);
  for (const c of t.columns)
    if (!CDC_TYPE.test(c.type)) throw new Error(`column ${t.name}.${c.name}: unsupported type ${c.type}`);
  const cols = t.columns.map((c) => `${q(c.name)} ${c.type}${t.key.includes(c.name) ? " NOT NULL" : ""}`);
  const pk = `PRIMARY KEY (${n.key.map(q).join(", ")})`;
  return [
    `CREATE TABLE IF NOT EXISTS ${n.changes} (${n.op} char(1) NOT NULL, ${n.ts} timestamp NOT NULL, ${n.seq} varchar(40), ${cols.join(", ")})`,
    `CREATE TABLE IF NOT EXISTS ${n.target} (${cols.join(", ")}, ${n.ts} timestamp NOT NULL, ${n.seq} varchar(40), ${n.del} boolean NOT NULL, ${pk})`,
    `CREATE OR REPLACE VIEW ${n.live} AS SELECT ${n.data.map(q).join(", ")} FROM ${n.target} WHERE NOT ${n.del}`,
  ];
}

/** Values a change writes: a delete clears every non-key column. */
function assignments(n: ReturnType<typeof names>, s: string): { column: string; value: string }[] {
  const isDelete = `${s}.${n.op} = 'D'`;
  return [
    ...n.key.map((c) => ({ column: q(c), value: `${s}.${q(c)}` })),
    ...n.nonKey.map((c) => ({ column: q(c), value: `CASE WHEN ${isDelete} THEN NULL ELSE ${s}.${q(c)} END` })),
    { column: n.ts, value: `${s}.${n.ts}` },
    { column: n.seq, value: `${s}.${n.seq}` },
    { column: n.del, value: `(${isDelete})` },
  ];
}

/**
 * The statements that fold `staging.<table>_changes` into `staging.<table>` and empty the changes table; run them
 * in one transaction. Idempotent: running them again over the same (or an older) batch changes nothing.
 */
export function mergeStatements(engine: MergeEngine, t: CdcTable): string[] {
  const n = names(t);
  const set = assignments(n, "s");
  const on = (target: string) => n.key.map((k) => `${target}.${q(k)} = s.${q(k)}`).join(" AND ");
  const update = `UPDATE SET ${set
    .filter((a) => !n.key.some((k) => q(k) === a.column))
    .map((a) => `${a.column} = ${a.value}`)
    .join(", ")}`;
  const insert = `INSERT (${set.map((a) => a.column).join(", ")}) VALUES (${set.map((a) => a.value).join(", ")})`;
  const order = `${n.ts} DESC, COALESCE(${n.seq}, '') DESC`;
  const changeCols = [n.op, n.ts, n.seq, ...n.data.map(q)];
  const empty = `DELETE FROM ${n.changes}`;
  if (engine === "postgres") {
    const latest =
      `SELECT DISTINCT ON (${n.key.map(q).join(", ")}) ${changeCols.join(", ")} FROM ${n.changes} ` +
      `ORDER BY ${n.key.map(q).join(", ")}, ${order}`;
    return [
      `MERGE INTO ${n.target} AS t USING (${latest}) AS s ON ${on("t")} ` +
        `WHEN MATCHED AND ${newer(n, "s", "t")} THEN ${update} ` +
        `WHEN NOT MATCHED THEN ${insert}`,
      empty,
    ];
  }
  const temp = q(`${t.name}_cdc_batch`);
  const ranked =
    `SELECT ${changeCols.join(", ")}, ROW_NUMBER() OVER (PARTITION BY ${n.key.map(q).join(", ")} ORDER BY ${order}) AS _rank ` +
    `FROM ${n.changes}`;
  return [
    `DROP TABLE IF EXISTS ${temp}`,
    `CREATE TEMP TABLE ${temp} AS SELECT ${changeCols.map((c) => `s.${c}`).join(", ")} FROM (${ranked}) AS s ` +
      `LEFT JOIN ${n.target} AS t ON ${on("t")} WHERE s._rank = 1 AND (t.${q(n.key[0])} IS NULL OR ${newer(n, "s", "t")})`,
    `MERGE INTO ${n.target} USING ${temp} AS s ON ${on(n.target)} WHEN MATCHED THEN ${update} WHEN NOT MATCHED THEN ${insert}`,
    `DROP TABLE ${temp}`,
    empty,
  ];
}
