import Ajv, { ErrorObject, ValidateFunction } from "ajv";

/** A record that failed validation: its position in the batch and every reason, so the sender can fix all at once. */
export interface RecordError {
  readonly index: number;
  readonly reasons: string[];
}

export type Validator = (record: unknown) => string[];

// A few common formats without another dependency; anything else named in a schema is accepted as a plain string.
const FORMATS: Record<string, (s: string) => boolean> = {
  "date-time": (s) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)),
  email: (s) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s),
  uri: (s) => /^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(s),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
};

function describe(e: ErrorObject): string {
  const where = e.instancePath === "" ? "record" : e.instancePath;
  if (e.keyword === "required")
    return `${where} is missing required property '${(e.params as { missingProperty: string }).missingProperty}'`;
  if (e.keyword === "additionalProperties")
    return `${where} has unexpected property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  return `${where} ${e.message ?? "is invalid"}`;
}

/**
 * Compiles a source's JSON Schema once (per cold start) with every error reported, not just the first.
 * Without a schema, any JSON object is a valid record.
 */
export function compileValidator(schema: object | undefined): Validator {
  if (!schema)
    return (r) => (r !== null && typeof r === "object" && !Array.isArray(r) ? [] : ["record must be a JSON object"]);
  const ajv = new Ajv({ allErrors: true, strict: false, formats: FORMATS });
  const validate: ValidateFunction = ajv.compile(schema);
  return (record) => (validate(record) ? [] : (validate.errors ?? []).map(describe));
}

export type Parsed = { ok: true; records: unknown[] } | { ok: false; reason: string };

/** A request body: one JSON record or an array of them (a batch). */
export function parseBody(body: string, maxRecords: number): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    return { ok: false, reason: `malformed JSON: ${(e as Error).message}` };
  }
  const records = Array.isArray(value) ? value : [value];
  if (records.length === 0) return { ok: false, reason: "empty batch: send at least one record" };
  if (records.length > maxRecords)
    return { ok: false, reason: `batch of ${records.length} records exceeds the limit of ${maxRecords}` };
  return { ok: true, records };
}
