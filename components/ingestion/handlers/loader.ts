// Object loader: raw objects of one source → warehouse `staging.<table>`, at most once per object content.
// Started three ways, all idempotent through the same ledger:
//   EventBridge "Object Created" for the source's prefix      (object-events: continuous loading)
//   { action: "plan", from, to } then { action: "load-day", day }  (the backfill state machine)
//   { action: "load-window", at, days }                        (a pipeline's first step: catch up recent days)
import { createHash } from "crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { Context } from "aws-lambda";
import { INGESTION_METRICS } from "../../observability/metrics";
import { copyStagingPrefix, dayPrefix, daysBetween, isRecordKey, utcDay } from "../keys";
import { parseTimestamp } from "../records/time";
import { copyKeys, copyManifest, redshiftCopySql, stagingLines } from "./lib/copy";
import { optionalEnv, requireEnv } from "./lib/env";
import { checkEvent, LoaderEvent, objectKey } from "./lib/loader-events";
import { Parsed, parseRecords, redshiftAdmissible } from "./lib/records";
import { isRefusal, refusedRecords, withoutRefused } from "./lib/refusals";
import { NeedsExactPath, StreamedObject, streamedCopy, streamedRows } from "./lib/stream";
import { logger as makeLogger, metrics as makeMetrics, packagedConfig, s3Client } from "./lib/runtime";
import { copyRows, Engine, ident, insertRows, Sql, stagingDdl, Warehouse, warehouseFromEnv } from "./lib/warehouse";

export { checkEvent, InvalidLoaderEvent, objectKey } from "./lib/loader-events";
export { copyRows, insertRows };
export { isRefusal, parseRecords, redshiftAdmissible, refusedRecords, withoutRefused };
export type { LoaderEvent, ObjectCreatedEvent } from "./lib/loader-events";
export type { Parsed };

export interface LoaderConfig {
  /** This loader's name (the object-events source). */
  readonly name: string;
  /** The prefix of the source whose objects it loads, e.g. `sales/source=orders-api/`. */
  readonly root: string;
  /** Staging table (in schema `staging`). */
  readonly table: string;
  /** Longest backfill range accepted in one execution. @default 400 */
  readonly maxBackfillDays?: number;
}

/** Redshift's COPY path: where the loader stages an object's records, and the role the warehouse reads them as. */
export interface CopyStaging {
  /** The role COPY runs as (the warehouse namespace's), e.g. `arn:aws:iam::123456789012:role/platform/x-copy`. */
  readonly roleArn: string;
  /** The raw zone's KMS key: staging objects are written under it, like every raw object. */
  readonly keyArn: string;
}

export interface LoaderDeps {
  readonly config: LoaderConfig;
  readonly bucket: string;
  readonly s3: S3Client;
  readonly warehouse: Warehouse;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Redshift: stage and COPY (without it, Redshift is loaded with multi-row INSERTs). @default none */
  readonly copy?: CopyStaging;
}

export type LoadStatus = "loaded" | "duplicate" | "ignored";
export interface ObjectResult {
  readonly key: string;
  readonly status: LoadStatus;
  readonly rows: number;
  readonly rejected: number;
}
export interface DayResult {
  readonly day: string;
  readonly objects: number;
  readonly loaded: number;
  readonly duplicates: number;
  readonly rows: number;
  readonly rejected: number;
}

/** One object's ledger row: its content (checksum) under its key, and what loading it wrote. */
interface LedgerRow {
  bucket: string;
  key: string;
  checksum: string;
  etag?: string;
  versionId?: string;
  source: string;
  rows: number;
  rejected: number;
}

/**
 * Claims the object's content in the ledger, in the caller's transaction; false when it was loaded before. Postgres:
 * the primary key arbitrates concurrent deliveries (the loser waits, then inserts nothing). Redshift enforces no
 * keys, so the ledger is locked for the claim.
 */
async function claim(sql: Sql, engine: Engine, o: LedgerRow): Promise<boolean> {
  const ledger = [o.bucket, o.key, o.checksum, o.etag ?? null, o.versionId ?? null, o.source, o.rows, o.rejected];
  const columns = "(bucket, object_key, checksum, etag, version_id, source, rows_loaded, rows_rejected)";
  if (engine === "postgres") {
    const claimed = await sql.query(
      `INSERT INTO staging.load_ledger ${columns} VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (bucket, object_key, checksum) DO NOTHING RETURNING 1`,
      ledger,
    );
    return claimed.rowCount !== 0;
  }
  await sql.query("LOCK staging.load_ledger");
  const seen = await sql.query(
    "SELECT 1 FROM staging.load_ledger WHERE bucket = $1 AND object_key = $2 AND checksum = $3",
    ledger.slice(0, 3),
  );
  if (seen.rows.length > 0) return false;
  await sql.query(`INSERT INTO staging.load_ledger ${columns} VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, ledger);
  return true;
}

/** The ledger claim, the rows and the rejects of one parsed object, in one transaction. */
async function loadInTransaction(
  sql: Sql,
  engine: Engine,
  o: Omit<LedgerRow, "rows" | "rejected"> & {
    table: string;
    parsed: Parsed;
    /** Redshift: the COPY of the object's staged records. */
    copySql?: string;
  },
): Promise<boolean> {
  if (!(await claim(sql, engine, { ...o, rows: o.parsed.records.length, rejected: o.parsed.rejects.length })))
    return false;
  if (engine === "postgres") {
    const copied = await sql.copyFrom(
      `COPY staging.${ident(o.table)} (source, object_key, record_index, record) FROM STDIN`,
      copyRows(o.source, o.key, o.parsed.records),
    );
    if (copied !== o.parsed.records.length)
      throw new Error(`COPY wrote ${copied} of ${o.parsed.records.length} rows of ${o.key}`);
  } else if (o.copySql) {
    await sql.query(o.copySql);
    const [copied] = (await sql.query<{ n: number | string }>("SELECT pg_last_copy_count() AS n")).rows;
    if (Number(copied?.n) !== o.parsed.records.length)
      throw new Error(`COPY wrote ${copied?.n} of ${o.parsed.records.length} rows of ${o.key}`);
  } else {
    await insertRows(sql, engine, o.source, o.key, o.table, o.parsed.records);
  }
  await insertRejects(sql, o.bucket, o.key, o.parsed.rejects);
  return true;
}

async function insertRejects(sql: Sql, bucket: string, key: string, rejects: Parsed["rejects"]): Promise<void> {
  for (const r of rejects)
    await sql.query(
      "INSERT INTO staging.load_rejects (bucket, object_key, line, reason, raw_text) VALUES ($1,$2,$3,$4,$5)",
      [bucket, key, r.line, r.reason, r.raw],
    );
}

const DUPLICATE = Symbol("duplicate");

export function createLoader(deps: LoaderDeps) {
  const { config, bucket, s3, warehouse, logger, metrics, copy } = deps;
  const staging = copyStagingPrefix(config.root);

  // Redshift: the admitted records as a staging object and its manifest, under the source's staging folder.
  const stage = async (key: string, checksum: string, records: readonly string[]) => {
    const keys = copyKeys(staging, checksum);
    const body = stagingLines(config.name, key, records);
    const put = (Key: string, Body: string) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key,
          Body,
          ContentType: "application/json",
          ServerSideEncryption: "aws:kms",
          SSEKMSKeyId: copy!.keyArn,
        }),
      );
    await put(keys.data, body);
    await put(keys.manifest, copyManifest(bucket, keys.data, Buffer.byteLength(body)));
    return keys;
  };
  // Staging objects are only needed for the COPY: removed whether it committed or not (a retry stages again).
  const unstage = async (keys: { data: string; manifest: string }) => {
    for (const Key of [keys.manifest, keys.data])
      await s3
        .send(new DeleteObjectCommand({ Bucket: bucket, Key }))
        .catch((e: Error) => logger.warn("staging object not deleted", { key: Key, error: e.message }));
  };
  const maxDays = config.maxBackfillDays ?? 400;
  // The staging tables are created on first use (idempotent DDL, once per container); a failure is retried next time.
  // PostgreSQL also says whether the record column is jsonb (a table created before json), for the binary rows.
  let ready: Promise<boolean> | undefined;
  const ensureTables = () =>
    (ready ??= warehouse
      .transaction(async (sql) => {
        for (const ddl of stagingDdl(config.table, warehouse.engine)) await sql.query(ddl);
        if (warehouse.engine !== "postgres") return false;
        const { rows } = await sql.query<{ type: string }>(
          "SELECT atttypid::regtype::text AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'record'",
          [`staging.${ident(config.table)}`],
        );
        return rows[0]?.type === "jsonb";
      })
      .catch((e) => {
        ready = undefined;
        throw e;
      }));

  const stagingTable = `staging.${ident(config.table)}`;
  const loaded = (key: string, rows: number, rejected: number): ObjectResult => {
    metrics.addMetric(INGESTION_METRICS.objectsLoaded, MetricUnit.Count, 1);
    metrics.addMetric(INGESTION_METRICS.rowsLoaded, MetricUnit.Count, rows);
    if (rejected > 0) logger.warn("lines rejected into staging.load_rejects", { key, rejected });
    return { key, status: "loaded", rows, rejected };
  };

  // PostgreSQL, an object not seen before: rows COPYed as the bytes arrive, the ledger claimed once the checksum is
  // known (a duplicate rolls back). Undefined when the object needs the exact path, which then loads it from scratch.
  const streamObject = async (key: string): Promise<ObjectResult | undefined> => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = object.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
    if (!body || !(Symbol.asyncIterator in body)) return undefined;
    try {
      const jsonb = await ensureTables();
      // The same ETag under this key was loaded before: very likely a redelivery, which the exact path settles
      // by checksum before reading a row (streaming would COPY the whole object to roll it back).
      const seen = await warehouse.transaction((sql) =>
        sql.query("SELECT 1 FROM staging.load_ledger WHERE bucket = $1 AND object_key = $2 AND etag = $3", [
          bucket,
          key,
          object.ETag ?? null,
        ]),
      );
      if (seen.rows.length > 0) return undefined;
      const read: StreamedObject = { rows: 0, rejects: [] };
      await warehouse.transaction(async (sql) => {
        const copied = await sql.copyFrom(
          streamedCopy(stagingTable),
          streamedRows(body, config.name, key, read, jsonb),
        );
        if (copied !== read.rows) throw new Error(`COPY wrote ${copied} of ${read.rows} rows of ${key}`);
        const row = { bucket, key, checksum: read.checksum!, etag: object.ETag, versionId: object.VersionId };
        const counts = { rows: read.rows, rejected: read.rejects.length };
        if (!(await claim(sql, "postgres", { ...row, ...counts, source: config.name }))) throw DUPLICATE; // rolls the rows back
        await insertRejects(sql, bucket, key, read.rejects);
      });
      return loaded(key, read.rows, read.rejects.length);
    } catch (e) {
      if (e === DUPLICATE) return { key, status: "duplicate", rows: 0, rejected: 0 };
      if (e instanceof NeedsExactPath || isRefusal(e)) return undefined;
      throw e;
    } finally {
      body.destroy?.(); // a no-op once read to the end; frees the connection otherwise
    }
  };

  const loadObject = async (key: string): Promise<ObjectResult> => {
    if (!isRecordKey(config.root, key)) return { key, status: "ignored", rows: 0, rejected: 0 };
    if (warehouse.engine === "postgres") {
      const streamed = await streamObject(key);
      if (streamed) return streamed;
    }
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await object.Body?.transformToString("utf8")) ?? "";
    const copying = warehouse.engine === "redshift" && copy !== undefined;
    let parsed = copying ? redshiftAdmissible(parseRecords(text)) : parseRecords(text);
    const checksum = createHash("sha256").update(text).digest("hex");
    await ensureTables();
    const load = async () => {
      const staged = copying && parsed.records.length > 0 ? await stage(key, checksum, parsed.records) : undefined;
      try {
        return await warehouse.transaction((sql) =>
          loadInTransaction(sql, warehouse.engine, {
            bucket,
            key,
            checksum,
            etag: object.ETag,
            versionId: object.VersionId,
            source: config.name,
            table: config.table,
            parsed,
            copySql: staged && redshiftCopySql(config.table, bucket, staged.manifest, copy!.roleArn),
          }),
        );
      } finally {
        if (staged) await unstage(staged);
      }
    };
    let claimed: boolean;
    try {
      claimed = await load();
    } catch (e) {
      // A refusal nothing above foresaw: find the records the warehouse refuses, reject those, load the rest.
      if (!isRefusal(e)) throw e;
      const refused = await refusedRecords(
        warehouse,
        { source: config.name, key, table: config.table },
        parsed.records,
      );
      if (refused.size === 0) throw e;
      logger.warn("the warehouse refused records; loading the others", { key, refused: refused.size });
      parsed = withoutRefused(parsed, refused);
      claimed = await load();
    }
    if (!claimed) return { key, status: "duplicate", rows: 0, rejected: 0 };
    return loaded(key, parsed.records.length, parsed.rejects.length);
  };

  const loadDay = async (day: string): Promise<DayResult> => {
    daysBetween(day, day, 1); // validates the date
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: dayPrefix(config.root, day), ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((c) => c.Key!).filter(Boolean));
      token = page.NextContinuationToken;
    } while (token);
    const results: ObjectResult[] = [];
    const failures: string[] = [];
    for (const key of keys) {
      try {
        results.push(await loadObject(key));
      } catch (e) {
        failures.push(`${key}: ${(e as Error).message}`);
      }
    }
    // Try every object before failing, so one bad object does not hold back the rest; the retry skips loaded ones.
    if (failures.length > 0)
      throw new Error(
        `${failures.length} of ${keys.length} objects failed for ${day}: ${failures.slice(0, 3).join("; ")}`,
      );
    const sum = (f: (r: ObjectResult) => number) => results.reduce((a, r) => a + f(r), 0);
    return {
      day,
      objects: keys.length,
      loaded: sum((r) => (r.status === "loaded" ? 1 : 0)),
      duplicates: sum((r) => (r.status === "duplicate" ? 1 : 0)),
      rows: sum((r) => r.rows),
      rejected: sum((r) => r.rejected),
    };
  };

  const handle = async (input: LoaderEvent): Promise<unknown> => {
    const event = checkEvent(input);
    if ("detail-type" in event) {
      if (event.detail.bucket.name !== bucket)
        throw new Error(`event for bucket ${event.detail.bucket.name}, this loader reads ${bucket}`);
      return loadObject(objectKey(event.detail.object.key));
    }
    switch (event.action) {
      case "plan":
        return { days: daysBetween(event.from, event.to, maxDays) };
      case "load-day":
        return loadDay(event.day);
      case "load-window": {
        const at = parseTimestamp(event.at)!;
        const n = event.days ?? 2;
        const days = daysBetween(utcDay(new Date(at.getTime() - (n - 1) * 86_400_000)), utcDay(at), 31);
        const out: DayResult[] = [];
        for (const d of days) out.push(await loadDay(d));
        return { days: out };
      }
      default:
        throw new Error(`unknown loader event: ${JSON.stringify(event).slice(0, 200)}`);
    }
  };

  return {
    loadObject,
    loadDay,
    handler: async (event: LoaderEvent, _context?: Context): Promise<unknown> => {
      try {
        return await handle(event);
      } finally {
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      }
    },
  };
}

/** Redshift's COPY settings from the environment (`WAREHOUSE_COPY_ROLE_ARN`, `RAW_KEY_ARN`), when both are set. */
function copyFromEnv(): CopyStaging | undefined {
  const roleArn = optionalEnv("WAREHOUSE_COPY_ROLE_ARN");
  const keyArn = optionalEnv("RAW_KEY_ARN");
  return roleArn && keyArn ? { roleArn, keyArn } : undefined;
}

let live: ReturnType<typeof createLoader> | undefined;

export const handler = (event: LoaderEvent, context: Context): Promise<unknown> =>
  (live ??= (() => {
    const config = packagedConfig<LoaderConfig>();
    return createLoader({
      config,
      bucket: requireEnv("RAW_BUCKET"),
      s3: s3Client(),
      warehouse: warehouseFromEnv(),
      logger: makeLogger(config.name),
      metrics: makeMetrics(config.name),
      copy: copyFromEnv(),
    });
  })()).handler(event, context);
