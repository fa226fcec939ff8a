// An HTTP request body as text, or the 4xx that says why it cannot be read. Only JSON is accepted, as UTF-8,
// plain or gzip-compressed; anything else is refused with 415 before a byte is parsed.
import { gunzipSync } from "zlib";
import { depthExceeded, hasLoneSurrogate, MAX_DEPTH, parseJson } from "../../records/json";

export type Body = { ok: true; text: string } | { ok: false; status: 400 | 413 | 415; message: string };

export interface RawRequest {
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

function header(headers: RawRequest["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && v !== undefined) return v;
  return undefined;
}

/** Whether the Content-Type is JSON in UTF-8 (absent means JSON: API Gateway clients often omit it). */
function contentTypeProblem(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const [type, ...params] = value.split(";").map((s) => s.trim().toLowerCase());
  if (!JSON_TYPE.test(type)) return `content type '${type.slice(0, 100)}' is not accepted; send application/json`;
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice(8)
    .replace(/"/g, "");
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8")
    return `charset '${charset.slice(0, 40)}' is not accepted; send UTF-8`;
  return undefined;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes the body: Content-Type must be JSON (415), Content-Encoding identity or gzip (415), the size before and
 * after decompression within `maxBytes` (413, so a small compressed bomb cannot expand), the bytes valid UTF-8 (400).
 */
export function decodeBody(req: RawRequest, maxBytes: number): Body {
  const typeProblem = contentTypeProblem(header(req.headers, "content-type"));
  if (typeProblem) return { ok: false, status: 415, message: typeProblem };
  const encoding = (header(req.headers, "content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip")
    return {
      ok: false,
      status: 415,
      message: `content encoding '${encoding.slice(0, 40)}' is not accepted; send gzip or none`,
    };
  const raw = req.body ?? "";
  if (!req.isBase64Encoded && hasLoneSurrogate(raw))
    return { ok: false, status: 400, message: "body is not valid UTF-8 (it holds an unpaired surrogate)" };
  let bytes = req.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  if (bytes.length > maxBytes)
    return { ok: false, status: 413, message: `body of ${bytes.length} bytes exceeds the limit of ${maxBytes} bytes` };
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (encoding === "gzip") {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ERR_BUFFER_TOO_LARGE")
        return { ok: false, status: 413, message: `decompressed body exceeds the limit of ${maxBytes} bytes` };
      return { ok: false, status: 400, message: `body is not valid gzip: ${(e as Error).message}` };
    }
  } else if (gzipped)
    return { ok: false, status: 415, message: "body is gzip-compressed; declare it with Content-Encoding: gzip" };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, status: 400, message: "body is not valid UTF-8" };
  }
}

export type Batch = { ok: true; records: unknown[] } | { ok: false; status: 400 | 413; reason: string };

/**
 * A request body's records: one JSON record or an array of them (a batch), parsed losslessly with bounded nesting
 * (a batch adds one level), so a deeply nested member is a 400 naming the record, never a stack overflow.
 */
export function parseBatch(text: string, maxRecords: number): Batch {
  const parsed = parseJson(text, MAX_DEPTH + 1);
  if (!parsed.ok) return { ok: false, status: 400, reason: parsed.reason };
  const value = parsed.value;
  if (!Array.isArray(value)) {
    const deep = depthExceeded(text, MAX_DEPTH);
    if (deep) return { ok: false, status: 400, reason: `record is nested deeper than ${MAX_DEPTH} levels` };
    return { ok: true, records: [value] };
  }
  if (value.length === 0) return { ok: false, status: 400, reason: "empty batch: send at least one record" };
  if (value.length > maxRecords)
    return { ok: false, status: 413, reason: `batch of ${value.length} records exceeds the limit of ${maxRecords}` };
  return { ok: true, records: value };
}
