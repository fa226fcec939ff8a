// Loader throughput: one JSON-lines object of `n` records loaded by the real loader from a local S3 server into
// an embedded PostgreSQL (ledger, rejects and all), in one process. Reported as rows per second (median of `runs`),
// next to the former path (lossless parse of every line, multi-row INSERTs) doing the same work.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { copyRows, createLoader, insertRows, parseRecords } from "../../components/ingestion/handlers/loader";
import { pgWarehouse, stagingDdl, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { startPostgres, startS3 } from "../local-servers";

const ROOT = "sales/source=orders/";

export function loaderObject(n: number): string {
  const at = Date.parse("2026-01-15T00:00:00Z");
  const lines: string[] = [];
  for (let i = 0; i < n; i++)
    lines.push(
      JSON.stringify({
        order_id: `o-${i}`,
        customer_id: `c-${i % 997}`,
        amount: Math.round(i * 731) / 100,
        currency: ["EUR", "USD", "KRW"][i % 3],
        created_at: new Date(at + i * 1000).toISOString(),
        note: i % 10 === 0 ? 'quoted "text", a tab\tand a backslash \\ ' : undefined,
      }),
    );
  return lines.join("\n");
}

export interface LoaderFigures {
  /** The whole loader: S3 read, parse, checksum, ledger, rows. */
  readonly rowsPerSecond: number;
  readonly objectMs: number;
  /** The same object through the former path: S3 read, lossless parse of every line, checksum, ledger, INSERTs. */
  readonly insertPathRowsPerSecond: number;
  /** Parsing alone (median): the fast path, and the lossless one every line used to take. */
  readonly parseMs: number;
  readonly exactParseMs: number;
  readonly bytes: number;
  /** The warehouse write alone, same rows, interleaved: COPY … FROM STDIN and the former multi-row INSERTs. */
  readonly copyRowsPerSecond: number;
  readonly insertRowsPerSecond: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function loaderThroughput(runs: number, n = 100_000): Promise<LoaderFigures> {
  const [s3, pg] = await Promise.all([startS3(["raw"]), startPostgres()]);
  const admin = pg.client();
  await admin.connect();
  const warehouse = pgWarehouse(
    { engine: "postgres", host: "127.0.0.1", port: pg.port, database: "postgres", tls: false },
    async () => ({ username: "postgres", password: pg.password }),
  );
  try {
    await admin.query("CREATE SCHEMA staging");
    for (const ddl of stagingDdl("orders", "postgres")) await admin.query(ddl);
    // The former path's table: the staging table as it was, its record column jsonb.
    await admin.query(
      "CREATE TABLE staging.orders_insert (LIKE staging.orders INCLUDING DEFAULTS); ALTER TABLE staging.orders_insert ALTER COLUMN record TYPE jsonb",
    );
    const body = loaderObject(n);
    const loader = createLoader({
      config: { name: "orders-loader", root: ROOT, table: "orders" },
      bucket: "raw",
      s3: s3.client,
      warehouse,
      logger: new Logger({ serviceName: "bench", logLevel: "SILENT" }),
      // Metrics print one line per flush; the bench never flushes (it calls loadObject, not the handler).
      metrics: new Metrics({ namespace: "bench", serviceName: "bench" }),
    });
    const times: number[] = [];
    const copyMs: number[] = [];
    const insertMs: number[] = [];
    const parseMs: number[] = [];
    const exactMs: number[] = [];
    const { records } = parseRecords(body);
    for (let i = 0; i < runs; i++) {
      const p0 = performance.now();
      parseRecords(body);
      const p1 = performance.now();
      parseRecords(body, true);
      parseMs.push(p1 - p0);
      exactMs.push(performance.now() - p1);
    }
    const statement = "COPY staging.orders (source, object_key, record_index, record) FROM STDIN";
    for (let i = 0; i < runs; i++) {
      await admin.query("TRUNCATE staging.orders");
      const c0 = performance.now();
      await warehouse.transaction((sql) => sql.copyFrom(statement, copyRows("orders-loader", "k", records)));
      copyMs.push(performance.now() - c0);
      await admin.query("TRUNCATE staging.orders_insert");
      const i0 = performance.now();
      await warehouse.transaction((sql) => insertRows(sql, "postgres", "orders-loader", "k", "orders_insert", records));
      insertMs.push(performance.now() - i0);
    }
    const insertPath: number[] = [];
    for (let i = 0; i < runs; i++) {
      // A new key per run: the ledger would (rightly) skip the same content under the same key.
      const key = `${ROOT}dt=2026-01-15/bench-${i}.json`;
      await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: body }));
      await admin.query("TRUNCATE staging.orders");
      const t0 = performance.now();
      const r = await loader.loadObject(key);
      times.push(performance.now() - t0);
      if (r.status !== "loaded" || r.rows !== n) throw new Error(`bench load: ${JSON.stringify(r)}`);
      await admin.query("TRUNCATE staging.orders_insert");
      const i0 = performance.now();
      await formerLoad(s3.client, warehouse, key);
      insertPath.push(performance.now() - i0);
    }
    const count = (await admin.query("SELECT count(*)::int AS n FROM staging.orders")).rows[0].n as number;
    if (count !== n) throw new Error(`expected ${n} rows in staging.orders, found ${count}`);
    const objectMs = median(times);
    const perSecond = (ms: number) => Math.round((n / ms) * 1000);
    return {
      rowsPerSecond: perSecond(objectMs),
      objectMs: Math.round(objectMs),
      insertPathRowsPerSecond: perSecond(median(insertPath)),
      parseMs: Math.round(median(parseMs)),
      exactParseMs: Math.round(median(exactMs)),
      bytes: body.length,
      copyRowsPerSecond: perSecond(median(copyMs)),
      insertRowsPerSecond: perSecond(median(insertMs)),
    };
  } finally {
    await warehouse.close();
    await admin.end();
    await Promise.all([s3.stop(), pg.stop()]);
  }
}

/**
 * The former loader's work for one object: lossless parse of every line, ledger row, multi-row INSERTs of 500 into
 * the staging table as it was (record jsonb).
 */
async function formerLoad(s3: S3Client, warehouse: Warehouse, key: string): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: "raw", Key: key }));
  const text = (await object.Body?.transformToString("utf8")) ?? "";
  const parsed = parseRecords(text, true);
  const checksum = createHash("sha256").update(text).digest("hex");
  await warehouse.transaction(async (sql) => {
    await sql.query(
      "INSERT INTO staging.load_ledger (bucket, object_key, checksum, source, rows_loaded, rows_rejected) VALUES ($1,$2,$3,$4,$5,$6)",
      ["raw", `${key}#insert`, checksum, "orders-loader", parsed.records.length, parsed.rejects.length],
    );
    await insertRows(sql, "postgres", "orders-loader", key, "orders_insert", parsed.records);
  });
}

export interface ObjectProbe {
  readonly records: number;
  readonly mb: number;
  readonly ms: number;
  readonly peakMb: number;
}

export interface ObjectBound {
  readonly probes: ObjectProbe[];
  /** Memory grows by this much per MB of object, over `baseMb`. */
  readonly mbPerObjectMb: number;
  readonly baseMb: number;
  /** The largest object within the function's memory, and within its timeout at Lambda's CPU share. */
  readonly memoryBoundMb: number;
  readonly timeBoundMb: number;
  readonly largestMb: number;
  readonly bound: "memory" | "timeout";
}

/**
 * The largest object one load handles: objects of growing size, each loaded by the real loader in a fresh process
 * whose peak memory and time are measured. The streamed path (`exact` false: JSON lines) holds one chunk of the
 * object at a time; the exact path (`exact`: the records as one JSON array) holds its text, its records and the COPY
 * chunks at once, so memory grows with the object. Each is fitted linearly (least squares); Lambda gives a function
 * `memoryMb / 1769` of a vCPU, so the time is scaled by that share to compare with `timeoutSeconds`.
 */
export async function largestObject(
  recordCounts: readonly number[],
  exact: boolean,
  memoryMb = 256,
  timeoutSeconds = 300,
  /** V8's old-space limit for the probe (as a small function would have it), or its default. */
  heapMb?: number,
): Promise<ObjectBound> {
  const [s3, pg] = await Promise.all([startS3(["raw"]), startPostgres()]);
  const admin = pg.client();
  await admin.connect();
  const probes: ObjectProbe[] = [];
  try {
    await admin.query("CREATE SCHEMA staging");
    for (const ddl of stagingDdl("orders", "postgres")) await admin.query(ddl);
    for (const n of recordCounts) {
      // The same records as one JSON array: only the whole text can say it is one, so the exact path loads it.
      const body = exact ? `[${loaderObject(n).split("\n").join(",")}]` : loaderObject(n);
      const key = `${ROOT}dt=2026-01-15/probe-${n}.json`;
      await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: body }));
      // Asynchronously: the local S3 server answering the child runs in this process.
      const r = await promisify(execFile)(
        process.execPath,
        [
          ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []),
          "-r",
          "./tools/register.js",
          path.join(__dirname, "load-one.ts"),
        ],
        {
          cwd: path.resolve(__dirname, "..", ".."),
          encoding: "utf8",
          maxBuffer: 1 << 20,
          env: {
            ...process.env,
            BENCH_PG_PORT: String(pg.port),
            BENCH_PG_PASSWORD: pg.password,
            BENCH_S3_ENDPOINT: s3.endpoint,
            BENCH_ROOT: ROOT,
            BENCH_KEY: key,
          },
        },
      );
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { rows: number; ms: number; peakMb: number };
      if (out.rows !== n) throw new Error(`loaded ${out.rows} of ${n} records`);
      probes.push({ records: n, mb: body.length / 2 ** 20, ms: out.ms, peakMb: out.peakMb });
      await admin.query("TRUNCATE staging.orders");
    }
  } finally {
    await admin.end();
    await Promise.all([s3.stop(), pg.stop()]);
  }
  // Least squares over every probe: peak memory moves with the collector's timing, not only with the object.
  const mean = (f: (p: ObjectProbe) => number) => probes.reduce((a, p) => a + f(p), 0) / probes.length;
  const mx = mean((p) => p.mb);
  const my = mean((p) => p.peakMb);
  const slope = mean((p) => (p.mb - mx) * (p.peakMb - my)) / mean((p) => (p.mb - mx) ** 2);
  const mbPerObjectMb = Math.max(0, slope);
  const baseMb = my - mbPerObjectMb * mx;
  const last = probes[probes.length - 1];
  const memoryBoundMb = mbPerObjectMb > 0 ? (memoryMb - baseMb) / mbPerObjectMb : Infinity;
  const secondsPerMb = (last.ms / last.mb / 1000) * (1769 / memoryMb);
  const timeBoundMb = timeoutSeconds / secondsPerMb;
  const bound = memoryBoundMb < timeBoundMb ? "memory" : "timeout";
  return {
    probes,
    mbPerObjectMb,
    baseMb,
    memoryBoundMb,
    timeBoundMb,
    largestMb: Math.min(memoryBoundMb, timeBoundMb),
    bound,
  };
}
