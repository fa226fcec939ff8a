// A local S3 endpoint for tests and benchmarks: the part of the S3 REST API the handlers and the tests call
// (path-style buckets; PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2, CreateBucket), objects kept in
// memory, on 127.0.0.1 with a random port. Requests are not authenticated: the clients sign with throw-away keys.
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: Date;
  /** Content-Type, Content-Encoding, Cache-Control, Content-Disposition, x-amz-meta-*, SSE: returned as sent. */
  readonly headers: Record<string, string>;
}

const KEPT_HEADERS = /^(content-type|content-encoding|content-language|content-disposition|cache-control|expires)$/;
const KEPT_AMZ = /^x-amz-(meta-.+|server-side-encryption.*|storage-class|checksum-[a-z0-9]+)$/;

export interface S3Endpoint {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the endpoint with the given buckets (others can be created with CreateBucket). */
export async function serveS3(buckets: readonly string[]): Promise<S3Endpoint> {
  const store = new Map<string, Map<string, StoredObject>>(buckets.map((b) => [b, new Map()]));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        handle(store, req, Buffer.concat(chunks), res);
      } catch (e) {
        reply(res, 500, errorXml("InternalError", String(e)));
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function handle(
  store: Map<string, Map<string, StoredObject>>,
  req: http.IncomingMessage,
  raw: Buffer,
  res: http.ServerResponse,
): void {
  const url = new URL(req.url ?? "/", "http://local");
  const [, bucketName = "", ...rest] = url.pathname.split("/");
  const bucket = decodeURIComponent(bucketName);
  const key = rest.map(decodeURIComponent).join("/");
  const method = req.method ?? "GET";
  if (!bucket) return reply(res, 400, errorXml("InvalidRequest", "path-style requests only"));
  if (!key && method === "PUT") {
    if (!store.has(bucket)) store.set(bucket, new Map());
    return reply(res, 200, "");
  }
  const objects = store.get(bucket);
  if (!objects) return reply(res, 404, method === "HEAD" ? "" : errorXml("NoSuchBucket", bucket));
  if (!key) {
    if (method === "GET" && url.searchParams.get("list-type") === "2")
      return reply(res, 200, listXml(bucket, objects, url));
    if (method === "HEAD") return reply(res, 200, "");
    return reply(res, 501, errorXml("NotImplemented", `${method} on a bucket`));
  }
  switch (method) {
    case "PUT": {
      if (req.headers["x-amz-copy-source"]) return reply(res, 501, errorXml("NotImplemented", "CopyObject"));
      const body = isAwsChunked(req) ? decodeAwsChunked(raw) : raw;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && (KEPT_HEADERS.test(name) || KEPT_AMZ.test(name))) headers[name] = value;
      }
      if (headers["content-encoding"]) {
        const kept = headers["content-encoding"]
          .split(",")
          .map((s) => s.trim())
          .filter((e) => e && e !== "aws-chunked");
        if (kept.length) headers["content-encoding"] = kept.join(",");
        else delete headers["content-encoding"];
      }
      const etag = `"${createHash("md5").update(body).digest("hex")}"`;
      objects.set(key, { body, etag, lastModified: new Date(), headers });
      res.setHeader("ETag", etag);
      return reply(res, 200, "");
    }
    case "GET":
    case "HEAD": {
      const o = objects.get(key);
      if (!o)
        return reply(
          res,
          404,
          method === "HEAD" ? "" : errorXml("NoSuchKey", "The specified key does not exist.", key),
        );
      const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ""));
      const partial = range !== null && (range[1] !== "" || range[2] !== "");
      for (const [name, value] of Object.entries(o.headers)) {
        // a checksum covers the whole object: a range of it is returned without one, as S3 does
        if (!(partial && name.startsWith("x-amz-checksum-"))) res.setHeader(name, value);
      }
      if (!o.headers["content-type"]) res.setHeader("Content-Type", "binary/octet-stream");
      res.setHeader("ETag", o.etag);
      res.setHeader("Last-Modified", o.lastModified.toUTCString());
      res.setHeader("Accept-Ranges", "bytes");
      if (range && partial) {
        const size = o.body.length;
        const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
        const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        if (start >= size || start > end) return reply(res, 416, errorXml("InvalidRange", String(req.headers.range)));
        res.setHeader("Content-Range", `bytes ${start}-${end}/${size}`);
        return reply(res, 206, o.body.subarray(start, end + 1), method === "HEAD");
      }
      return reply(res, 200, o.body, method === "HEAD");
    }
    case "DELETE":
      objects.delete(key);
      return reply(res, 204, "");
    default:
      return reply(res, 501, errorXml("NotImplemented", method));
  }
}

function reply(res: http.ServerResponse, status: number, body: string | Buffer, headOnly = false): void {
  if (typeof body === "string" && body.startsWith("<?xml")) res.setHeader("Content-Type", "application/xml");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.writeHead(status);
  res.end(headOnly ? undefined : body);
}

/** ListObjectsV2: keys in byte order after start-after / the continuation token, with prefix, delimiter, max-keys. */
function listXml(bucket: string, objects: Map<string, StoredObject>, url: URL): string {
  const q = url.searchParams;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const maxKeys = Math.min(1000, Number(q.get("max-keys") ?? 1000));
  const token = q.get("continuation-token");
  const after = token ? Buffer.from(token, "base64").toString("utf8") : (q.get("start-after") ?? "");
  const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && byteOrder(k, after) > 0).sort(byteOrder);
  const contents: string[] = [];
  const prefixes = new Set<string>();
  let last = "";
  let truncated = false;
  for (const k of keys) {
    const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? k.slice(0, cut + delimiter.length) : undefined;
    if (common !== undefined && prefixes.has(common)) continue;
    if (contents.length + prefixes.size >= maxKeys) {
      truncated = true;
      break;
    }
    last = common ?? k;
    if (common !== undefined) {
      prefixes.add(common);
      continue;
    }
    const o = objects.get(k)!;
    contents.push(
      `<Contents><Key>${xml(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified>` +
        `<ETag>${xml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    );
  }
  const next = truncated
    ? `<NextContinuationToken>${Buffer.from(last).toString("base64")}</NextContinuationToken>`
    : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${contents.length + prefixes.size}</KeyCount>` +
    `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${contents.join("")}` +
    [...prefixes].map((p) => `<CommonPrefixes><Prefix>${xml(p)}</Prefix></CommonPrefixes>`).join("") +
    `</ListBucketResult>`
  );
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function isAwsChunked(req: http.IncomingMessage): boolean {
  const sha = String(req.headers["x-amz-content-sha256"] ?? "");
  return (
    /(^|,)\s*aws-chunked\s*(,|$)/.test(String(req.headers["content-encoding"] ?? "")) || sha.startsWith("STREAMING-")
  );
}

/** The aws-chunked body: `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … a zero-size chunk, then trailers. */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf("\r\n", at);
    if (eol < 0) throw new Error("aws-chunked body without a chunk header");
    const size = parseInt(raw.subarray(at, eol).toString("latin1").split(";")[0]!, 16);
    if (!Number.isFinite(size)) throw new Error("aws-chunked chunk size is not hexadecimal");
    if (size === 0) return Buffer.concat(parts);
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

function errorXml(code: string, message: string, key?: string): string {
  const k = key === undefined ? "" : `<Key>${xml(key)}</Key>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xml(message)}</Message>${k}</Error>`;
}

const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}
