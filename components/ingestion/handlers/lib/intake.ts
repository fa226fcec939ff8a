import { canonicalJson, eventTime, rawKey, recordId } from "../../keys";
import type { RawObject } from "./raw";
import type { RecordError, Validator } from "./validate";

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
 * Validates records and turns the valid ones into raw-zone objects with deterministic keys (same record, same
 * key), so a retry overwrites instead of duplicating. Never throws on bad data: every problem is a reason.
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
  records.forEach((record, index) => {
    const reasons = validate(record);
    if (reasons.length === 0 && (record === null || typeof record !== "object" || Array.isArray(record)))
      reasons.push("record must be a JSON object");
    if (reasons.length > 0) return errors.push({ index, reasons });
    const r = record as Record<string, unknown>;
    const at = eventTime(r, src.timeField, now);
    if (typeof at === "string") return errors.push({ index, reasons: [at] });
    const id = src.idField ? recordId(r, src.idField) : (ids?.[index] ?? recordId(r, undefined));
    objects.push({ index, id, key: rawKey(src.root, at, id), body: canonicalJson(r) });
  });
  return { objects, errors };
}
