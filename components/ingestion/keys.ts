import { createHash } from "crypto";
import { canonicalJson, isLosslessNumber } from "./records/json";
import { parseTimestamp } from "./records/time";

export { canonicalJson };

// Raw-zone layout, shared by the handlers (which write and read it) and the IAM builders (which scope roles to it).
// A source owns exactly one prefix; everything it writes stays under it:
//   <domain>/source=<name>/dt=YYYY-MM-DD/<id>.json     accepted records, partitioned by event day (UTC)
//   <domain>/source=<name>/_rejected/dt=YYYY-MM-DD/…   records that failed validation, with the reasons
//   <domain>/source=<name>/_state/watermark.json       the scheduled pull's watermark
//   <domain>/source=<name>/_copy/<sha256>.jsonl|.manifest  a loader's staging object for Redshift COPY (deleted after)
// Leading underscores keep the side prefixes out of Hive-style table scans of the `dt=` partitions.

const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Where a loader stages an object's validated records for Redshift COPY, under the loaded source's own prefix:
 * the warehouse's COPY role reads this folder of each loaded source and nothing else of the lake.
 */
export const copyStagingPrefix = (root: string): string => `${root}_copy/`;

/** The prefix a source owns. Domain and source names are validated by the config schema (lower-case, no `/`). */
export function sourceRoot(domain: string, source: string, zoneRoot = ""): string {
  return `${zoneRoot}${domain}/source=${source}/`;
}

/** `YYYY-MM-DD` of an instant, in UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * An object id that cannot escape its partition: ids made only of `[A-Za-z0-9_-]` are kept (so operators can
 * find a record by its business key); anything else (slashes, dots, unicode, overlong) becomes its SHA-256.
 */
export function safeId(id: string): string {
  return SAFE_ID.test(id) ? id : createHash("sha256").update(id, "utf8").digest("hex").slice(0, 40);
}

/** Content-derived id: a redelivered or resent record lands on the same key instead of a new one. */
export function contentId(record: unknown): string {
  return createHash("sha256").update(canonicalJson(record)).digest("hex").slice(0, 40);
}

/** Key of an accepted record. */
export function rawKey(root: string, eventTime: Date, id: string): string {
  return `${root}dt=${utcDay(eventTime)}/${safeId(id)}.json`;
}

/** Key of a rejected record (kept with its reasons, never dropped). */
export function rejectedKey(root: string, at: Date, id: string): string {
  return `${root}_rejected/dt=${utcDay(at)}/${safeId(id)}.json`;
}

export function watermarkKey(root: string): string {
  return `${root}_state/watermark.json`;
}

export function dayPrefix(root: string, day: string): string {
  return `${root}dt=${day}/`;
}

/** Whether a key is an accepted-record object of this source (not a rejected record or state). */
export function isRecordKey(root: string, key: string): boolean {
  return (
    key.startsWith(`${root}dt=`) && /^dt=\d{4}-\d{2}-\d{2}\/[A-Za-z0-9_-]{1,100}\.json$/.test(key.slice(root.length))
  );
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Parses `YYYY-MM-DD` strictly (rejects 2024-02-30). */
export function parseDay(day: string): Date | undefined {
  if (!DAY.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && utcDay(d) === day ? d : undefined;
}

/** Every day from `from` to `to`, inclusive. Throws on a bad or reversed range, or one longer than `maxDays`. */
export function daysBetween(from: string, to: string, maxDays: number): string[] {
  const start = parseDay(from);
  const end = parseDay(to);
  if (!start || !end)
    throw new RangeError(`dates must be YYYY-MM-DD, got from=${JSON.stringify(from)} to=${JSON.stringify(to)}`);
  if (end < start) throw new RangeError(`'to' (${to}) is before 'from' (${from})`);
  const count = Math.round((end.getTime() - start.getTime()) / 86_400_000) + 1;
  if (count > maxDays)
    throw new RangeError(`range of ${count} days exceeds the limit of ${maxDays}; split the backfill`);
  return Array.from({ length: count }, (_, i) => utcDay(new Date(start.getTime() + i * 86_400_000)));
}

/**
 * A record's event time from `field`: ISO 8601 strings or epoch milliseconds. Missing → `fallback` (arrival
 * time); present but unusable → an error message, because a wrong partition is worse than a rejected record.
 */
export function eventTime(record: Record<string, unknown>, field: string | undefined, fallback: Date): Date | string {
  if (!field || record[field] === undefined || record[field] === null) return fallback;
  const v = record[field];
  const ms = typeof v === "number" ? v : isLosslessNumber(v) ? Number(v.value) : undefined;
  const d =
    ms !== undefined
      ? Number.isInteger(ms)
        ? new Date(ms)
        : undefined
      : typeof v === "string"
        ? parseTimestamp(v)
        : undefined;
  if (!d || Number.isNaN(d.getTime()))
    return `${field} is not an ISO 8601 timestamp within the calendar or integer epoch milliseconds`;
  const year = d.getUTCFullYear();
  if (year < 1970 || year > 9999) return `${field} is outside the years 1970-9999`;
  return d;
}

/** Id of a record: its `idField` value when configured and present, else its content hash. */
export function recordId(record: Record<string, unknown>, idField: string | undefined): string {
  const v = idField ? record[idField] : undefined;
  return typeof v === "string" || typeof v === "number" || isLosslessNumber(v) ? safeId(String(v)) : contentId(record);
}
