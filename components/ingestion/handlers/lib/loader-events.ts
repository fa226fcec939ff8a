// The loader's events, checked field by field: a caller's mistake is refused with InvalidLoaderEvent naming the
// field and what is allowed, never a TypeError, URIError or "Invalid time value".
import { parseDay } from "../../keys";
import { parseTimestamp } from "../../records/time";

export interface ObjectCreatedEvent {
  readonly "detail-type": "Object Created";
  readonly detail: { readonly bucket: { readonly name: string }; readonly object: { readonly key: string } };
}
export type LoaderEvent =
  | ObjectCreatedEvent
  | { readonly action: "plan"; readonly from: string; readonly to: string }
  | { readonly action: "load-day"; readonly day: string }
  | { readonly action: "load-window"; readonly at: string; readonly days?: number };

/** Keys may arrive URL-encoded (`=` as %3D); platform keys never contain `%`, `+` or spaces, so decoding is safe. */
export function objectKey(key: string): string {
  if (!key.includes("%")) return key;
  try {
    return decodeURIComponent(key);
  } catch {
    throw new InvalidLoaderEvent(
      `detail.object.key is not a valid URL-encoded key: ${JSON.stringify(key.slice(0, 200))}`,
    );
  }
}

/**
 * An event the loader cannot act on: a caller's mistake, named by field. Retrying cannot fix it, so state
 * machines should not retry on this error name.
 */
export class InvalidLoaderEvent extends Error {
  override readonly name = "InvalidLoaderEvent";
}

const str = (v: unknown): v is string => typeof v === "string";
const show = (v: unknown) => (v === undefined ? "nothing" : (JSON.stringify(v)?.slice(0, 100) ?? String(v)));

/** The event, checked field by field; throws InvalidLoaderEvent naming the first wrong field and what is allowed. */
export function checkEvent(event: unknown): LoaderEvent {
  const bad = (field: string, allowed: string, got: unknown): never => {
    throw new InvalidLoaderEvent(`${field} must be ${allowed}, got ${show(got)}`);
  };
  if (event === null || typeof event !== "object" || Array.isArray(event)) return bad("event", "an object", event);
  const e = event as Record<string, unknown>;
  if ("detail-type" in e) {
    if (e["detail-type"] !== "Object Created") bad("detail-type", "'Object Created'", e["detail-type"]);
    const detail = e.detail as Record<string, Record<string, unknown> | undefined> | undefined;
    if (!str(detail?.bucket?.name)) bad("detail.bucket.name", "a bucket name", detail?.bucket?.name);
    if (!str(detail?.object?.key) || detail.object.key === "")
      bad("detail.object.key", "an object key", detail?.object?.key);
    return e as unknown as ObjectCreatedEvent;
  }
  const day = (field: string) => {
    if (!str(e[field]) || !parseDay(e[field])) bad(field, "a calendar day YYYY-MM-DD", e[field]);
  };
  switch (e.action) {
    case "plan":
      day("from");
      day("to");
      break;
    case "load-day":
      day("day");
      break;
    case "load-window":
      if (!str(e.at) || !parseTimestamp(e.at)) bad("at", "an ISO 8601 timestamp within the calendar", e.at);
      if (e.days !== undefined && !(Number.isInteger(e.days) && (e.days as number) >= 1 && (e.days as number) <= 31))
        bad("days", "an integer from 1 to 31", e.days);
      break;
    default:
      bad("action", "'plan', 'load-day' or 'load-window' (or an Object Created event)", e.action);
  }
  return e as unknown as LoaderEvent;
}
