import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { RE2JS } from "re2js";
import { isDate, isDateTime } from "./time";

/** A record that failed validation: its position in the batch and every reason, so the sender can fix all at once. */
export interface RecordError {
  readonly index: number;
  readonly reasons: string[];
}

export type Validator = (record: unknown) => string[];

/** Most reasons reported for one record; the rest are counted, never listed (a response must fit Lambda's limit). */
export const MAX_REASONS = 10;
/** Longest reason text; a reason quoting producer data is cut here. */
export const MAX_REASON_CHARS = 300;

// A few common formats without another dependency; anything else named in a schema is accepted as a plain string.
// Dates are checked against the calendar: 2024-02-30 is refused, never rolled over into March.
const FORMATS: Record<string, (s: string) => boolean> = {
  "date-time": isDateTime,
  date: isDate,
  email: (s) => s.length <= 320 && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s),
  uri: (s) => /^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(s),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
};

/**
 * `pattern` and `patternProperties` run on RE2 (linear time in the input), never on JavaScript's backtracking
 * engine: a producer's value cannot make validation take exponential time, whatever the schema says.
 */
function linearRegExp(pattern: string): { test(s: string): boolean } {
  const re = RE2JS.compile(pattern);
  return { test: (s: string) => re.matcher(s).find() };
}
linearRegExp.code = 'require("re2js").RE2JS.compile';

/** Why `pattern` cannot run on the linear-time engine (RE2 has no backreferences or lookaround), if it cannot. */
export function patternProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return `pattern ${JSON.stringify(pattern)} is not supported by the linear-time engine (no backreferences or lookaround): ${(e as Error).message}`;
  }
}

/** Every `pattern`/`patternProperties` in a JSON Schema that the linear-time engine refuses, with its path. */
export function schemaPatternProblems(schema: unknown, path = "schema"): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const visit = (node: unknown, at: string, depth: number): void => {
    if (depth > 64 || node === null || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${at}[${i}]`, depth + 1));
    for (const [k, v] of Object.entries(node)) {
      const here = `${at}.${k}`;
      if (k === "pattern" && typeof v === "string") {
        const p = patternProblem(v);
        if (p) out.push({ path: here, message: p });
      } else if (k === "patternProperties" && v !== null && typeof v === "object" && !Array.isArray(v)) {
        for (const [p, sub] of Object.entries(v)) {
          const problem = patternProblem(p);
          if (problem) out.push({ path: `${here}[${JSON.stringify(p)}]`, message: problem });
          visit(sub, `${here}[${JSON.stringify(p)}]`, depth + 1);
        }
      } else visit(v, here, depth + 1);
    }
  };
  visit(schema, path, 0);
  return out;
}

/** The one ajv set-up every handler and the config check use: all errors, strict formats, linear-time patterns. */
export function payloadAjv(): Ajv {
  return new Ajv({ allErrors: true, strict: false, formats: FORMATS, code: { regExp: linearRegExp } });
}

const clip = (s: string) => (s.length > MAX_REASON_CHARS ? `${s.slice(0, MAX_REASON_CHARS - 1)}…` : s);

function describe(e: ErrorObject): string {
  const where = e.instancePath === "" ? "record" : e.instancePath;
  if (e.keyword === "required")
    return `${where} is missing required property '${(e.params as { missingProperty: string }).missingProperty}'`;
  if (e.keyword === "additionalProperties")
    return `${where} has unexpected property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  return `${where} ${e.message ?? "is invalid"}`;
}

/** At most MAX_REASONS reasons, each at most MAX_REASON_CHARS long, plus one saying how many were left out. */
export function capReasons(reasons: readonly string[]): string[] {
  if (reasons.length <= MAX_REASONS) return reasons.map(clip);
  return [
    ...reasons.slice(0, MAX_REASONS).map(clip),
    `… and ${reasons.length - MAX_REASONS} more problems in this record`,
  ];
}

/**
 * Compiles a source's JSON Schema once (per cold start) with every error reported, not just the first (capped).
 * Without a schema, any JSON object is a valid record. Validates plain values: pass `plainView(record)`.
 */
export function compileValidator(schema: object | undefined): Validator {
  if (!schema)
    return (r) => (r !== null && typeof r === "object" && !Array.isArray(r) ? [] : ["record must be a JSON object"]);
  const validate: ValidateFunction = payloadAjv().compile(schema);
  return (record) => (validate(record) ? [] : capReasons((validate.errors ?? []).map(describe)));
}
