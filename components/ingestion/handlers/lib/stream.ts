// PostgreSQL's streaming load: an object's bytes become COPY rows while they arrive, so reading S3, checking records
// and the warehouse's COPY overlap instead of taking turns, and the object is never held whole. It covers objects of
// JSON lines: each line is decided as the exact path decides it (kept as it is when provably in stored form, else
// parsed losslessly, or rejected with its reason). What only the whole text can decide (an array, a value spanning
// lines, a one-line object that needs the parser) or bytes that are not UTF-8 stop it, and the loader takes the
// exact path from scratch (the streamed rows roll back). Both paths store the same rows and rejects.
// Rows go in COPY's binary format: each record's own bytes with a length, nothing escaped on either side.
import { createHash } from "crypto";
import { lineRecord, Parsed } from "./records";

/** Thrown from the row stream when the object needs the exact path; the transaction rolls back, nothing is kept. */
export class NeedsExactPath extends Error {
  constructor(reason: string) {
    super(`streaming stopped: ${reason}`);
    this.name = "NeedsExactPath";
  }
}

/** What the stream of one object wrote: rows and rejects so far, and once it ended, the checksum of its bytes. */
export interface StreamedObject {
  rows: number;
  readonly rejects: Parsed["rejects"];
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
  let line = 0; // the exact path's line number: 1 is the first line that is not blank
  let single: boolean | undefined; // whether the only line so far needed the parser
  let loose = false; // whether the last line so far needed the parser and ends in blanks
  // Per record: its byte span in the block, or (start < 0) the stored form the parser wrote, extras[-start - 1].
  const spans: number[] = [];
  const extras: Buffer[] = [];
  /** The rows of the complete lines in `text` and `bytes` (the same lines, each ending where the block ends). */
  const rows = (text: string, bytes: Buffer): Buffer | undefined => {
    spans.length = 0;
    extras.length = 0;
    let from = 0;
    let at = 0;
    while (from <= text.length) {
      let end = text.indexOf("\n", from);
      if (end < 0) end = text.length;
      let byteEnd = bytes.indexOf(10, at);
      if (byteEnd < 0) byteEnd = bytes.length;
      const t = text.slice(from, end);
      const byteStart = at;
      from = end + 1;
      at = byteEnd + 1;
      if (line > 0) line++;
      if (t.length === 0 || (t.charCodeAt(0) !== 123 /* { */ && t.trim() === "")) continue;
      if (line === 0) {
        // The exact path trims the whole text, then tries it as one value: a first line with leading blanks, or one
        // that is no value on its own (a value spanning lines), is its to decide (an array stopped the stream before).
        if (t.trimStart() !== t) throw new NeedsExactPath("the first line starts with blanks");
        line = 1;
      }
      const r = lineRecord(t, line);
      if (line === 1 && r.reject && r.malformed) throw new NeedsExactPath("the first line is no value");
      const parsed = r.reject !== undefined || !r.fast;
      single = single === undefined ? parsed : false;
      // The exact path's trim also takes the last line's trailing blanks, which its parser would see otherwise.
      loose = parsed && t.trimEnd() !== t;
      if (r.reject) into.rejects.push(r.reject);
      else if (r.fast) spans.push(byteStart, t.charCodeAt(t.length - 1) === 13 /* CR */ ? byteEnd - 1 : byteEnd);
      else spans.push(-extras.push(Buffer.from(r.record)), 0);
    }
    if (spans.length === 0) return undefined;
    const length = (i: number) => (spans[i] < 0 ? extras[-spans[i] - 1].length : spans[i + 1] - spans[i]);
    let size = 0;
    for (let i = 0; i < spans.length; i += 2) size += prefix.length + 8 + extra + length(i);
    const out = Buffer.allocUnsafe(size);
    let o = 0;
    for (let i = 0; i < spans.length; i += 2) {
      o += prefix.copy(out, o);
      o = out.writeInt32BE(into.rows++, o);
      o = out.writeInt32BE(length(i) + extra, o);
      if (jsonb) out[o++] = 1;
      o += spans[i] < 0 ? extras[-spans[i] - 1].copy(out, o) : bytes.copy(out, o, spans[i], spans[i + 1]);
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
  // The unfinished line: its pieces, joined once its end arrives (a long line costs its length, not its square).
  let pendingText: string[] = [];
  let pendingBytes: Buffer[] = [];
  let leading = true; // nothing but blanks so far
  for await (const chunk of body) {
    hash.update(chunk);
    const text = decode(chunk);
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (leading && text.trim() !== "") {
      leading = false;
      // An array is one value to the exact path: stop before reading it (it may be one line of any length).
      if (text.trimStart().startsWith("[")) throw new NeedsExactPath("the object is an array");
    }
    const last = text.lastIndexOf("\n");
    if (last < 0) {
      pendingText.push(text);
      if (view.length > 0) pendingBytes.push(view);
      continue;
    }
    const lastByte = view.lastIndexOf(10);
    const head = view.subarray(0, lastByte);
    const out = rows(
      pendingText.join("") + text.slice(0, last),
      pendingBytes.length > 0 ? Buffer.concat([...pendingBytes, head]) : head,
    );
    pendingText = [text.slice(last + 1)];
    pendingBytes = lastByte + 1 < view.length ? [view.subarray(lastByte + 1)] : [];
    if (out) yield out;
  }
  const restText = pendingText.join("");
  const restBytes = Buffer.concat(pendingBytes);
  const out = rows(restText + decode(), restBytes);
  // One line that needed the parser: the exact path reads a one-line object as one value (its own depth and wording).
  if (single) throw new NeedsExactPath("a one-line object that needs the parser");
  if (loose) throw new NeedsExactPath("the last line needs the parser and ends in blanks");
  if (out) yield out;
  yield TRAILER;
  // The same digest as of the decoded text: valid UTF-8 (checked above) encodes back to these very bytes.
  into.checksum = hash.digest("hex");
}
