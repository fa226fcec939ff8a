// Loader throughput: one JSON-lines object of `n` records loaded by the real loader from a local S3 server into
// an embedded PostgreSQL (ledger, rejects and all), in one process. Reported as rows per second (median of `runs`).
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { copyRows, createLoader, insertRows, parseRecords } from "../../components/ingestion/handlers/loader";
import { pgWarehouse, stagingDdl } from "../../components/ingestion/handlers/lib/warehouse";
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
    const { records } = parseRecords(body);
    const statement = "COPY staging.orders (source, object_key, record_index, record) FROM STDIN";
    for (let i = 0; i < runs; i++) {
      await admin.query("TRUNCATE staging.orders");
      const c0 = performance.now();
      await warehouse.transaction((sql) => sql.copyFrom(statement, copyRows("orders-loader", "k", records)));
      copyMs.push(performance.now() - c0);
      await admin.query("TRUNCATE staging.orders");
      const i0 = performance.now();
      await warehouse.transaction((sql) => insertRows(sql, "postgres", "orders-loader", "k", "orders", records));
      insertMs.push(performance.now() - i0);
    }
    for (let i = 0; i < runs; i++) {
      // A new key per run: the ledger would (rightly) skip the same content under the same key.
      const key = `${ROOT}dt=2026-01-15/bench-${i}.json`;
      await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: body }));
      await admin.query("TRUNCATE staging.orders");
      const t0 = performance.now();
      const r = await loader.loadObject(key);
      times.push(performance.now() - t0);
      if (r.status !== "loaded" || r.rows !== n) throw new Error(`bench load: ${JSON.stringify(r)}`);
    }
    const count = (await admin.query("SELECT count(*)::int AS n FROM staging.orders")).rows[0].n as number;
    if (count !== n) throw new Error(`expected ${n} rows in staging.orders, found ${count}`);
    const objectMs = median(times);
    const perSecond = (ms: number) => Math.round((n / ms) * 1000);
    return {
      rowsPerSecond: perSecond(objectMs),
      objectMs: Math.round(objectMs),
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
