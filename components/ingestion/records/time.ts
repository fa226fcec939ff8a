// Timestamps from producer data, parsed strictly: JavaScript's Date turns 2024-02-30 into March 1st, which would
// put a record into the wrong day's partition, so every field is range-checked against the calendar first.

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * An ISO 8601 / RFC 3339 date or date-time as an instant, or undefined when it is not one or names a day or time
 * the calendar does not have (2024-02-30, 24:00, 10:61, offset +25:00). A date-time without an offset is UTC.
 */
export function parseTimestamp(s: string, requireTime = false): Date | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, z, sign, oh, om] = m;
  if (requireTime && (h === undefined || (z === undefined && sign === undefined))) return undefined;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(sec ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (sign !== undefined) {
    if (Number(oh) > 23 || Number(om) > 59) return undefined;
    offset = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  }
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000;
  if (year < 100) return undefined; // Date.UTC maps 0-99 to 1900-1999; no record is that old
  const at = new Date(t);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** JSON Schema `date-time` (RFC 3339: date, time and offset, each within the calendar). */
export const isDateTime = (s: string): boolean => parseTimestamp(s, true) !== undefined;

/** JSON Schema `date` (a calendar day). */
export const isDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && parseTimestamp(s) !== undefined;
