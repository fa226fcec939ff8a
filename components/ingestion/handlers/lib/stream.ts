// PostgreSQL's streaming load: an object's bytes become COPY rows while they arrive, so reading S3, checking records
// and the warehouse's COPY overlap instead of taking turns. It covers the common object, JSON lines whose every line
// is already in stored form; the first line that is not (or bytes that are not UTF-8, or an array) stops it, and the
// loader takes the exact path from scratch (the streamed rows roll back). Both paths store the same rows.
// Rows go in COPY's binary format: each record's own bytes with a length, nothing escaped on either side.
import { createHash } from "crypto";
import { isCanonicalJson } from "../../records/canonical";
import { MAX_DEPTH } from "../../records/json";

/** Thrown from the row stream when the object needs the exact path; the transaction rolls back, nothing is kept. */
export class NeedsExactPath extends Error {
  constructor(reason: string) {
    super(`streaming stopped: ${reason}`);
    this.name = "NeedsExactPath";
  }
}

/** What the stream of one object wrote: rows so far, and once it ended, the checksum of its bytes. */
export interface StreamedObject {
  rows: number;
  checksum?: string;
}

/** The COPY statement the rows of {@link streamedRows} are for. */
export const streamedCopy = (table: string): string =>
  `COPY ${table} (source, object_key, record_index, record) FROM STDIN (FORMAT binary)`;

// COPY binary: signature, flags, header extension length; each row: field count, then length and bytes per field.
const HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);

/** The fields every row of the object shares: count, source, key, and the index's length. */
function rowPrefix(source: string, key: string): Buffer {
  const s = Buffer.from(source);
  const k = Buffer.from(key);
  const b = Buffer.alloc(2 + 4 + s.length + 4 + k.length + 4);
  let at = b.writeInt16BE(4, 0);
  at = b.writeInt32BE(s.length, at);
  at += s.copy(b, at);
  at = b.writeInt32BE(k.length, at);
  at += k.copy(b, at);
  b.writeInt32BE(4, at);
  return b;
}

/**
 * The object's records as binary COPY rows (`source`, `object_key`, `record_index`, `record`), one buffer per chunk
 * of the body, indexed as {@link parseRecords} indexes them. Each line is checked as text and sent as its bytes:
 * UTF-8 maps `\n` to one byte and no other character to it, so the text's lines and the bytes' lines correspond.
 * Blank lines are skipped as the exact path skips them; a line ending in CR is sent without it (the exact path
 * parses it to that text too). `jsonb` adds the version byte a jsonb column (one created before json) expects.
 */
export async function* streamedRows(
  body: AsyncIterable<Uint8Array>,
  source: string,
  key: string,
  into: StreamedObject,
  jsonb = false,
): AsyncGenerator<Buffer> {
  const hash = createHash("sha256");
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const prefix = rowPrefix(source, key);
  const extra = jsonb ? 1 : 0;
  let started = false;
  let restText = "";
  let restBytes: Buffer = Buffer.alloc(0);
  const spans: number[] = []; // byte start and end of each admitted record in the current block
  /** The rows of the complete lines in `text` and `bytes` (the same lines, each ending where the block ends). */
  const rows = (text: string, bytes: Buffer): Buffer | undefined => {
    spans.length = 0;
    let from = 0;
    let at = 0;
    while (from <= text.length) {
      let end = text.indexOf("\n", from);
      if (end < 0) end = text.length;
      let byteEnd = bytes.indexOf(10, at);
      if (byteEnd < 0) byteEnd = bytes.length;
      let line = text.slice(from, end);
      const byteStart = at;
      from = end + 1;
      at = byteEnd + 1;
      if (line.length === 0 || (line.charCodeAt(0) !== 123 /* { */ && line.trim() === "")) continue;
      if (!started) {
        // The exact path trims the whole text: a first line with leading blanks, or an array, is its to decide.
        if (line.trimStart() !== line || line.charCodeAt(0) === 91 /* [ */)
          throw new NeedsExactPath("the object does not start with a JSON-lines record");
        started = true;
      }
      if (line.charCodeAt(line.length - 1) === 13 /* CR */) {
        line = line.slice(0, -1);
        byteEnd--;
      }
      if (!isCanonicalJson(line, MAX_DEPTH))
        throw new NeedsExactPath(`record ${into.rows + spans.length / 2 + 1} needs the exact parser`);
      spans.push(byteStart, byteEnd);
    }
    if (spans.length === 0) return undefined;
    let size = 0;
    for (let i = 0; i < spans.length; i += 2) size += prefix.length + 8 + extra + spans[i + 1] - spans[i];
    const out = Buffer.allocUnsafe(size);
    let o = 0;
    for (let i = 0; i < spans.length; i += 2) {
      o += prefix.copy(out, o);
      o = out.writeInt32BE(into.rows++, o);
      o = out.writeInt32BE(spans[i + 1] - spans[i] + extra, o);
      if (jsonb) out[o++] = 1;
      o += bytes.copy(out, o, spans[i], spans[i + 1]);
    }
    return out;
  };
  const decode = (bytes?: Uint8Array) => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      throw new NeedsExactPath("the object is not UTF-8");
    }
  };
  yield HEADER;
  for await (const chunk of body) {
    hash.update(chunk);
    const text = restText + decode(chunk);
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const bytes = restBytes.length > 0 ? Buffer.concat([restBytes, view]) : view;
    const last = text.lastIndexOf("\n");
    if (last < 0) {
      restText = text;
      restBytes = bytes;
      continue;
    }
    const lastByte = bytes.lastIndexOf(10);
    restText = text.slice(last + 1);
    restBytes = bytes.subarray(lastByte + 1);
    const out = rows(text.slice(0, last), bytes.subarray(0, lastByte));
    if (out) yield out;
  }
  const out = rows(restText + decode(), restBytes);
  if (out) yield out;
  yield TRAILER;
  // The same digest as of the decoded text: valid UTF-8 (checked above) encodes back to these very bytes.
  into.checksum = hash.digest("hex");
}
