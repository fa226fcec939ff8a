import { canonicalJson, eventTime, rawKey, recordId } from "../../keys";
import { plainView, unstorable } from "../../records/json";
import type { RawObject } from "./raw";
import { capReasons, RecordError, Validator } from "../../records/validate";

/** What a handler knows about its source at run time (from the packaged source.json). */
export interface SourceRuntime {
  readonly name: string;
  readonly domain: string;
  /** The source's own prefix in the raw zone, e.g. `sales/source=orders-api/`. */
  readonly root: string;
  /** Record field holding a business id; default: content hash. */
  readonly idField?: string;
  /** Record field holding the event time; default: arrival time. */
  readonly timeField?: string;
}

export interface Prepared {
  /** Valid records as raw objects, with their position in the input. */
  readonly objects: (RawObject & { readonly index: number; readonly id: string })[];
  readonly errors: RecordError[];
}

/**
 * Everything that makes one parsed record unacceptable: schema violations (on its plain view), values that cannot
 * be stored exactly, not being an object. Empty when the record is good.
 */
export function recordProblems(record: unknown, validate: Validator): string[] {
  if (record === null || typeof record !== "object" || Array.isArray(record)) return ["record must be a JSON object"];
  return capReasons([...validate(plainView(record)), ...unstorable(record)]);
}

/**
 * Validates parsed records (lossless: numbers keep their digits) and turns the valid ones into raw-zone objects
 * with deterministic keys (same record, same key), so a retry overwrites instead of duplicating. Two records of
 * one batch that would land on the same key are never merged: the later one is rejected, naming the first.
 * Never throws on bad data: every problem is a reason.
 */
export function prepare(
  records: readonly unknown[],
  validate: Validator,
  src: SourceRuntime,
  now: Date,
  ids?: readonly (string | undefined)[],
): Prepared {
  const objects: Prepared["objects"][number][] = [];
  const errors: RecordError[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    const reasons = recordProblems(record, validate);
    if (reasons.length > 0) return errors.push({ index, reasons });
    const r = record as Record<string, unknown>;
    const at = eventTime(r, src.timeField, now);
    if (typeof at === "string") return errors.push({ index, reasons: [at] });
    const id = src.idField ? recordId(r, src.idField) : (ids?.[index] ?? recordId(r, undefined));
    const key = rawKey(src.root, at, id);
    const first = seen.get(key);
    if (first !== undefined)
      return errors.push({
        index,
        reasons: [
          src.idField
            ? `duplicate ${src.idField} in this batch: record ${first} has the same id (as text) and event day; send one version per id`
            : `duplicate of record ${first} in this batch`,
        ],
      });
    seen.set(key, index);
    objects.push({ index, id, key, body: canonicalJson(r) });
  });
  return { objects, errors };
}
