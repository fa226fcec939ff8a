// The platform's one JSON contract, shared by every handler that reads producer data (HTTP intake, queue, streams,
// loader). Numbers keep the exact text they arrived with (lossless-json): an integer beyond 2^53 or a decimal beyond
// double precision is stored, keyed and loaded digit for digit. Nesting is bounded before parsing, so no input
// can overflow the stack, and every refusal is a sentence naming where the problem is.
import { isLosslessNumber, LosslessNumber, parse } from "lossless-json";

export { isLosslessNumber, LosslessNumber };

/** Deepest nesting of objects and arrays a record may have (DynamoDB allows 32; producers rarely need 10). */
export const MAX_DEPTH = 64;

export type JsonParse = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * How deeply `text` nests, found by a linear scan that never recurses. Returns the first offset where `limit`
 * is exceeded, and which element of a top-level array it is in, or undefined when the text stays within it.
 */
export function depthExceeded(text: string, limit: number): { offset: number; element?: number } | undefined {
  let depth = 0;
  let inString = false;
  let element = 0;
  let topArray = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (depth === 0) topArray = c === 91;
      if (++depth > limit) return { offset: i, ...(topArray ? { element } : {}) };
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
    else if (c === 44 /* , */ && depth === 1) element++;
  }
  return undefined;
}

/**
 * The elements of the top-level object's array member `key` (a page's `items`) that nest deeper than `limit`
 * (counted from the element), with their text spans, found by one linear scan that never recurses. Text that is
 * not such an object yields none; the parser then says what is wrong with it.
 */
export function deepElements(
  text: string,
  key: string,
  limit: number,
): { index: number; start: number; end: number }[] {
  const found: { index: number; start: number; end: number }[] = [];
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  let lastKey: string | undefined; // the last string seen at depth 1: a member name when a ':' follows
  let inArray = false; // inside `key`'s array (at depth 2)
  let index = 0;
  let start = 0;
  let deep = false;
  const end = (at: number) => {
    if (deep) found.push({ index, start, end: at });
    index++;
    start = at + 1;
    deep = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) {
        inString = false;
        if (depth === 1) lastKey = text.slice(stringStart, i + 1);
      }
      continue;
    }
    if (c === 34) {
      inString = true;
      stringStart = i;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (depth === 1 && c !== 123) return found;
      if (depth === 2 && c === 91 && lastKey !== undefined && JSON.parse(lastKey) === key) {
        inArray = true;
        index = 0;
        start = i + 1;
        deep = false;
      } else if (inArray && depth > limit + 2) deep = true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (inArray && depth === 2) {
        if (text.slice(start, i).trim() !== "") end(i);
        inArray = false;
      }
      depth--;
    } else if (c === 44 /* , */) {
      if (inArray && depth === 2) end(i);
      if (depth === 1) lastKey = undefined;
    }
  }
  return found;
}

/** `text` with each span replaced by `null` (spans in order, not overlapping). */
export function withoutSpans(text: string, spans: readonly { start: number; end: number }[]): string {
  if (spans.length === 0) return text;
  let out = "";
  let from = 0;
  for (const s of spans) {
    out += `${text.slice(from, s.start)}null`;
    from = s.end;
  }
  return out + text.slice(from);
}

/**
 * Parses JSON text losslessly: numbers become `LosslessNumber` (their exact text), duplicate keys with different
 * values are refused instead of silently keeping the last one, and nesting deeper than `maxDepth` is refused.
 */
export function parseJson(text: string, maxDepth = MAX_DEPTH): JsonParse {
  const deep = depthExceeded(text, maxDepth);
  if (deep)
    return {
      ok: false,
      reason: `${deep.element !== undefined ? `record ${deep.element}` : "value"} is nested deeper than ${maxDepth - (deep.element !== undefined ? 1 : 0)} levels (at character ${deep.offset})`,
    };
  try {
    return { ok: true, value: parse(text) };
  } catch (e) {
    return { ok: false, reason: `malformed JSON: ${(e as Error).message}` };
  }
}

/**
 * Whether `text` nests deeper than `limit`, decided without a scan when it has no more than `limit` brackets and
 * braces in all (counted with the engine's native search), which is the case for nearly every record.
 */
export function deeperThan(text: string, limit: number): boolean {
  let openers = 0;
  for (const c of ["{", "["]) {
    for (let i = text.indexOf(c); i !== -1; i = text.indexOf(c, i + 1)) {
      if (++openers > limit) return depthExceeded(text, limit) !== undefined;
    }
  }
  return false;
}

/**
 * The value of `text` if it is one JSON value within `maxDepth` (parsed as {@link parseJson} does), else undefined,
 * for callers that need no reason: parsing first, text that is not one value (JSON lines) fails at its first line
 * instead of after a depth scan of all of it. Too deep a text may exhaust the parser's stack: that fails too.
 */
export function parseJsonValue(text: string, maxDepth = MAX_DEPTH): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return undefined;
  }
  return deeperThan(text, maxDepth) ? undefined : { value };
}

/** A JSON string literal; JSON.stringify escapes lone surrogates, so the text stays valid UTF-8. */
const quote = (s: string): string => JSON.stringify(s);

/**
 * JSON text of a parsed value with exact numbers: `LosslessNumber` and bigint are written as their digits.
 * With `sorted`, object keys are sorted at every level, so equal records always serialize to equal bytes.
 * Throws on values JSON cannot hold (NaN, functions, cycles beyond `maxDepth`), which parsed input never has.
 */
export function stringifyJson(value: unknown, sorted = false, maxDepth = MAX_DEPTH * 2): string {
  const out: string[] = [];
  const write = (v: unknown, depth: number): void => {
    if (depth > maxDepth) throw new RangeError(`value is nested deeper than ${maxDepth} levels`);
    if (v === null || v === undefined) out.push("null");
    else if (typeof v === "string") out.push(quote(v));
    else if (typeof v === "boolean") out.push(v ? "true" : "false");
    else if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new RangeError(`${v} is not a JSON number`);
      out.push(String(v));
    } else if (typeof v === "bigint") out.push(v.toString());
    else if (isLosslessNumber(v)) out.push(v.value);
    else if (typeof (v as { toJSON?: unknown }).toJSON === "function")
      write((v as { toJSON(): unknown }).toJSON(), depth); // a Date (or Buffer) as JSON.stringify writes it
    else if (Array.isArray(v)) {
      out.push("[");
      v.forEach((x, i) => {
        if (i > 0) out.push(",");
        write(x, depth + 1);
      });
      out.push("]");
    } else if (typeof v === "object") {
      const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
      if (sorted) keys.sort();
      out.push("{");
      keys.forEach((k, i) => {
        if (i > 0) out.push(",");
        out.push(quote(k), ":");
        write((v as Record<string, unknown>)[k], depth + 1);
      });
      out.push("}");
    } else throw new TypeError(`a ${typeof v} is not a JSON value`);
  };
  write(value, 0);
  return out.join("");
}

/** Sorted-key JSON with exact numbers: the stored form of a record and the input of its content hash. */
export function canonicalJson(value: unknown): string {
  return stringifyJson(value, true);
}

/**
 * The same value with plain JS numbers, for JSON Schema validation (ajv compares numbers as doubles). Only the
 * stored form keeps the exact digits; bounds are checked on the nearest double.
 */
export function plainView(value: unknown): unknown {
  if (isLosslessNumber(value)) return Number(value.value);
  if (Array.isArray(value)) return value.map(plainView);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainView(v)]));
  return value;
}

/** JSON Pointer-ish path for messages: `record.items[2].name`. */
function child(path: string, key: string | number): string {
  return typeof key === "number"
    ? `${path}[${key}]`
    : /^[A-Za-z_$][\w$]*$/.test(key)
      ? `${path}.${key}`
      : `${path}[${JSON.stringify(key)}]`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string has a UTF-16 surrogate without its pair (no UTF-8 form: writing it would alter it). */
export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

export interface StorableOptions {
  /** Also refuse what PostgreSQL's jsonb cannot hold: `\u0000` in a string or key. @default false */
  readonly warehouse?: boolean;
  /** Stop after this many reasons. @default 10 */
  readonly limit?: number;
}

/**
 * Why a parsed value cannot be stored exactly, as reasons naming the field (empty when it can). Lone UTF-16
 * surrogates have no UTF-8 form, so storing them would alter the record; numbers must be finite as doubles
 * (digits beyond double precision are kept); with `warehouse`, `\u0000` is refused too (jsonb has no NUL).
 */
export function unstorable(value: unknown, path = "record", options: StorableOptions = {}): string[] {
  const reasons: string[] = [];
  const limit = options.limit ?? 10;
  const text = (s: string, where: string, what: string) => {
    if (LONE_SURROGATE.test(s)) reasons.push(`${where} ${what} an unpaired UTF-16 surrogate, which UTF-8 cannot store`);
    if (options.warehouse && s.includes("\u0000"))
      reasons.push(`${where} ${what} the character U+0000, which the warehouse's JSON type cannot store`);
  };
  const visit = (v: unknown, where: string): void => {
    if (reasons.length >= limit) return;
    if (typeof v === "string") text(v, where, "contains");
    else if (isLosslessNumber(v)) {
      if (!Number.isFinite(Number(v.value)))
        reasons.push(`${where} is ${v.value}, outside the range of a JSON number (about ±1.8e308)`);
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, child(where, i)));
    else if (v !== null && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        text(k, where, `has a member name that contains`);
        visit(x, child(where, k));
      }
  };
  visit(value, path);
  return reasons.slice(0, limit);
}
