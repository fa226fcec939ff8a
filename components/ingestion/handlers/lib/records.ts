// An object's records as the loader admits them: parsed losslessly (or by the engine's parser where that provably
// gives the same text), with every record the warehouse cannot take turned into a reject with its reason.
import { isCanonicalJson } from "../../records/canonical";
import { deeperThan, MAX_DEPTH, parseJson, parseJsonValue, stringifyJson, unstorable } from "../../records/json";

export interface Parsed {
  /** Each loadable record as its exact JSON text (numbers keep their digits), in object order. */
  readonly records: string[];
  /** The line (JSON lines) or element (array) number of each record, for rejects found later. */
  readonly lines: number[];
  /** Lines or records the warehouse cannot take, each with the reason naming the field. */
  readonly rejects: { line: number; reason: string; raw: string }[];
}

/** Longest raw text kept with a reject (the column is VARCHAR(65535)). */
export const MAX_RAW = 65_535;

/**
 * The record text when the engine's own parser proves the exact path would produce it unchanged, else undefined.
 * Text that `JSON.stringify(JSON.parse(text))` writes back byte for byte is compact, has no duplicate member, and only
 * numbers a double holds digit for digit; without a `\u` escape it cannot hold U+0000 or a lone surrogate. Such text is
 * what the lossless parse and {@link stringifyJson} would store, and it loads in a fraction of their time.
 */
function nativeExact(text: string, maxDepth: number): unknown[] | undefined {
  if (text.includes("\\u")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
    if (JSON.stringify(value) !== text) return undefined;
  } catch {
    return undefined; // malformed, or too deep for the native writer: the exact path says why
  }
  return deeperThan(text, maxDepth) ? undefined : [value];
}

const wholeValue = (p: ReturnType<typeof parseJson>) => (p.ok ? { value: p.value } : undefined);

/**
 * An object's records: one JSON value, a JSON array, or JSON lines. Parsed losslessly with bounded nesting; a line
 * that is malformed, too deep, or holds what the warehouse's JSON type refuses (`\u0000`, a lone surrogate, a
 * number beyond double range) becomes a reject with its reason, and the rest load. Compact text the native parser
 * round-trips exactly takes a fast path with the same result (`exact` forces the lossless path throughout).
 */
export function parseRecords(text: string, exact = false): Parsed {
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
  const fastWhole = exact ? undefined : nativeExact(trimmed, MAX_DEPTH + 1);
  if (fastWhole) {
    const [value] = fastWhole;
    if (Array.isArray(value))
      value.forEach((v, i) => {
        records.push(JSON.stringify(v));
        lines.push(i + 1);
      });
    else {
      records.push(trimmed);
      lines.push(1);
    }
    return { records, lines, rejects };
  }
  const whole = exact ? wholeValue(parseJson(trimmed, MAX_DEPTH + 1)) : parseJsonValue(trimmed, MAX_DEPTH + 1);
  if (whole) {
    if (Array.isArray(whole.value))
      whole.value.forEach((v, i) => admit(v, i + 1, `record ${i + 1}`, () => stringifyJson(v)));
    else admit(whole.value, 1, "record", () => trimmed);
    return { records, lines, rejects };
  }
  trimmed.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const r = lineRecord(line, i + 1, exact);
    if (r.reject) rejects.push(r.reject);
    else {
      records.push(r.record);
      lines.push(i + 1);
    }
  });
  return { records, lines, rejects };
}

/** One record of JSON lines as the loader stores it, or the reject with its reason; `fast` when the text is kept. */
export type LineRecord =
  | { record: string; fast: boolean; reject?: undefined }
  | { record?: undefined; reject: Parsed["rejects"][number]; malformed: boolean };

/**
 * Line `n` (1-based, not blank) of a JSON-lines object: kept as it is when a one-pass check proves it is already in
 * stored form, else parsed losslessly and stored in that form, or rejected with the reason naming the field.
 */
export function lineRecord(line: string, n: number, exact = false): LineRecord {
  // A CR ending (CRLF lines) is whitespace the exact parse drops too.
  const body = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
  if (!exact && isCanonicalJson(body, MAX_DEPTH)) return { record: body, fast: true };
  const reject = (reason: string, malformed: boolean) => ({
    reject: { line: n, reason: reason.slice(0, 1024), raw: line.slice(0, MAX_RAW) },
    malformed,
  });
  const parsed = parseJson(line);
  if (!parsed.ok) return reject(parsed.reason, true);
  const reasons = unstorable(parsed.value, `line ${n}`, { warehouse: true, limit: 5 });
  return reasons.length > 0 ? reject(reasons.join("; "), false) : { record: stringifyJson(parsed.value), fast: false };
}

/** Redshift takes JSON objects of at most 4 MB in COPY; a larger record would fail its whole object every time. */
export const REDSHIFT_MAX_RECORD_BYTES = 4 * 1024 * 1024 - 1024;

/** Moves records Redshift's COPY cannot take (over 4 MB with their staging columns) to the rejects, with the reason. */
export function redshiftAdmissible(parsed: Parsed): Parsed {
  const keep = parsed.records.map((r) => Buffer.byteLength(r) <= REDSHIFT_MAX_RECORD_BYTES);
  if (keep.every(Boolean)) return parsed;
  const rejects = [...parsed.rejects];
  parsed.records.forEach((r, i) => {
    if (!keep[i])
      rejects.push({
        line: parsed.lines[i],
        reason: `record is ${Buffer.byteLength(r)} bytes; the warehouse's COPY takes JSON objects of at most 4 MB`,
        raw: r.slice(0, MAX_RAW),
      });
  });
  rejects.sort((a, b) => a.line - b.line);
  return {
    records: parsed.records.filter((_, i) => keep[i]),
    lines: parsed.lines.filter((_, i) => keep[i]),
    rejects,
  };
}
