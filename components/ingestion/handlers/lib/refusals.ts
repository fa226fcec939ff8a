// The row-by-row search for records the warehouse refuses although the loader admitted them, so one refused record
// becomes a reject with its reason instead of failing its object (and its day, and any backfill) on every retry.
import { MAX_RAW, type Parsed } from "./records";
import { insertRows, Warehouse } from "./warehouse";

/**
 * Whether an error is the warehouse refusing data, by SQLSTATE class: data exception (22), integrity constraint
 * violation (23), program limit exceeded (54); or Redshift's COPY refusing a line of the staged object, which it
 * reports as one error pointing at stl_load_errors. Anything else (a lost connection, a lock timeout) fails the
 * object and is retried as it was.
 */
export function isRefusal(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string" && /^(22|23|54)/.test(code)) return true;
  return typeof message === "string" && /^Load into table '[^']+' failed\. +Check 'stl_load_errors'/.test(message);
}

/** Longest list of refused records one object may have before it fails instead (Redshift's search is a pass each). */
const MAX_REFUSED = 100;
const PROBE = Symbol("probe");

/**
 * The records of an object the warehouse refuses, found row by row in a transaction that is always rolled back:
 * on PostgreSQL each row under its own savepoint, so one pass finds them all; Redshift has no savepoints, so a
 * refusal ends the pass and the next one leaves that record out.
 */
export async function refusedRecords(
  warehouse: Warehouse,
  o: { source: string; key: string; table: string },
  records: readonly string[],
): Promise<Map<number, string>> {
  const refused = new Map<number, string>();
  const savepoints = warehouse.engine === "postgres";
  for (let pass = 0; pass < MAX_REFUSED; pass++) {
    const known = refused.size;
    await warehouse
      .transaction(async (sql) => {
        for (let i = 0; i < records.length; i++) {
          if (refused.has(i)) continue;
          if (savepoints) await sql.query("SAVEPOINT record");
          try {
            await insertRows(sql, warehouse.engine, o.source, o.key, o.table, [records[i]], i);
          } catch (e) {
            if (!isRefusal(e)) throw e;
            const { code, message } = e as { code: string; message: string };
            refused.set(i, `the warehouse refused the record (SQLSTATE ${code}): ${message}`);
            if (!savepoints) break;
            await sql.query("ROLLBACK TO SAVEPOINT record");
          }
        }
        throw PROBE; // the probe never keeps its rows
      })
      .catch((e) => {
        if (e !== PROBE) throw e;
      });
    if (savepoints || refused.size === known) break;
  }
  return refused;
}

/** The object's records without the refused ones, which become rejects naming their line and the reason. */
export function withoutRefused(parsed: Parsed, refused: ReadonlyMap<number, string>): Parsed {
  const keep = (_: unknown, i: number) => !refused.has(i);
  return {
    records: parsed.records.filter(keep),
    lines: parsed.lines.filter(keep),
    rejects: [
      ...parsed.rejects,
      ...[...refused].map(([i, reason]) => ({
        line: parsed.lines[i],
        reason: `line ${parsed.lines[i]}: ${reason}`.slice(0, 1024),
        raw: parsed.records[i].slice(0, MAX_RAW),
      })),
    ].sort((a, b) => a.line - b.line),
  };
}
