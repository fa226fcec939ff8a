// What a loader writes into warehouse staging: an object's records parsed losslessly, bulk writes (PostgreSQL's
// COPY, Redshift's multi-row INSERT), and the row-by-row search for records the warehouse refuses, so one refused
// record becomes a reject with its reason instead of failing its object on every retry.
import { MAX_DEPTH, parseJson, stringifyJson, unstorable } from "../../records/json";
import { copyText, Engine, ident, Sql, Warehouse } from "./warehouse";

export interface Parsed {
  /** Each loadable record as its exact JSON text (numbers keep their digits), in object order. */
  readonly records: string[];
  /** The line (or array position, from 1) of each record, for rejects that name where it was. */
  readonly lines: number[];
  /** Lines or records the warehouse cannot take, each with the reason naming the field. */
  readonly rejects: { line: number; reason: string; raw: string }[];
}

/** Longest raw text kept with a reject (the column is VARCHAR(65535)). */
export const MAX_RAW = 65_535;

/**
 * An object's records: one JSON value, a JSON array, or JSON lines. Parsed losslessly with bounded nesting; a line
 * that is malformed, too deep, or holds what the warehouse's JSON type refuses (`\u0000`, a lone surrogate, a
 * number beyond double range) becomes a reject with its reason, and the rest load.
 */
export function parseRecords(text: string): Parsed {
  const records: string[] = [];
  const lines: number[] = [];
  const rejects: Parsed["rejects"] = [];
  const admit = (value: unknown, line: number, what: string, raw: () => string) => {
    const reasons = unstorable(value, what, { warehouse: true, limit: 5 });
    if (reasons.length > 0)
      rejects.push({ line, reason: reasons.join("; ").slice(0, 1024), raw: raw().slice(0, MAX_RAW) });
    else {
      records.push(stringifyJson(value));
      lines.push(line);
    }
  };
  const trimmed = text.trim();
  if (trimmed === "") return { records, lines, rejects };
  const whole = parseJson(trimmed, MAX_DEPTH + 1);
  if (whole.ok) {
    if (Array.isArray(whole.value))
      whole.value.forEach((v, i) => admit(v, i + 1, `record ${i + 1}`, () => stringifyJson(v)));
    else admit(whole.value, 1, "record", () => trimmed);
    return { records, lines, rejects };
  }
  trimmed.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const parsed = parseJson(line);
    if (parsed.ok) admit(parsed.value, i + 1, `line ${i + 1}`, () => line);
    else rejects.push({ line: i + 1, reason: parsed.reason.slice(0, 1024), raw: line.slice(0, MAX_RAW) });
  });
  return { records, lines, rejects };
}

/**
 * Whether an error is the warehouse refusing data, by SQLSTATE class: data exception (22), integrity constraint
 * violation (23), program limit exceeded (54). Anything else (a lost connection, a lock timeout) fails the object
 * and is retried as it was.
 */
export function isRefusal(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|23|54)/.test(code);
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

/**
 * The staging rows of an object in COPY's text format, a few thousand rows per chunk: COPY streams them in one
 * statement (no statement size limit, no per-row parameters), an order of magnitude faster than INSERT.
 */
export function* copyRows(
  source: string,
  key: string,
  records: readonly string[],
  rowsPerChunk = 2000,
): Generator<string> {
  const prefix = `${copyText(source)}\t${copyText(key)}\t`;
  let chunk = "";
  for (let i = 0; i < records.length; i++) {
    chunk += `${prefix}${i}\t${copyText(records[i])}\n`;
    if ((i + 1) % rowsPerChunk === 0) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/** Multi-row INSERTs of 500 records: Redshift's path (the benchmark compares PostgreSQL's COPY with it). */
export async function insertRows(
  sql: Sql,
  engine: Engine,
  source: string,
  key: string,
  table: string,
  records: readonly string[],
  /** record_index of the first record. */
  offset = 0,
): Promise<void> {
  const json = engine === "redshift" ? (n: number) => `JSON_PARSE($${n})` : (n: number) => `$${n}::jsonb`;
  const CHUNK = 500;
  for (let start = 0; start < records.length; start += CHUNK) {
    const chunk = records.slice(start, start + CHUNK);
    const values: unknown[] = [];
    const rows = chunk.map((r, i) => {
      values.push(source, key, offset + start + i, r);
      const b = i * 4;
      return `($${b + 1}, $${b + 2}, $${b + 3}, ${json(b + 4)})`;
    });
    await sql.query(
      `INSERT INTO staging.${ident(table)} (source, object_key, record_index, record) VALUES ${rows.join(", ")}`,
      values,
    );
  }
}
