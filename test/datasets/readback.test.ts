import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SQSRecord } from "aws-lambda";
import type { Client } from "pg";
import type { DuckDBConnection } from "@duckdb/node-api";
import { loadPlatformConfig } from "../../components/config";
import { qualityRules } from "../../components/core/quality";
import { rawTableSpec } from "../../components/datasets/raw";
import { parseType, type GlueType } from "../../components/datasets/types";
import { createHttpHandler } from "../../components/ingestion/handlers/http";
import { createQueueHandler } from "../../components/ingestion/handlers/queue";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { pgWarehouse, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { createRunner } from "../../components/pipelines/handlers/runner";
import { ORDER_SCHEMA, order } from "../ingestion/fixtures";
import {
  capturedMetrics,
  httpRequest,
  KEY_ARN,
  lambdaContext,
  LocalPostgres,
  LocalS3,
  quietLogger,
  startPostgres,
  startS3,
} from "../ingestion/support";
import { platformOf } from "../support/config";
import { describe as describeQuery, download, duckdb, duckdbType, lit, rows } from "../support/duckdb";

// Records written through the real handlers and the real pipeline runner into a local S3 server, read back with a
// real SQL engine using exactly the Glue table's declared columns: what Athena and Trino would see.

const GOVERNANCE = { classification: "confidential", owner: "o@acme.example", steward: "s@acme.example" } as const;

/** A payload schema that exercises every JSON Schema → Glue mapping: nesting, arrays, dates, a mixed-case key. */
const SHOP_SCHEMA = {
  type: "object",
  required: ["orderId", "amount", "created_at"],
  additionalProperties: false,
  properties: {
    orderId: { type: "string" },
    amount: { type: "number" },
    quantity: { type: "integer" },
    gift: { type: "boolean" },
    delivery_day: { type: "string", format: "date" },
    created_at: { type: "string", format: "date-time" },
    customer: {
      type: "object",
      properties: { id: { type: "string" }, tags: { type: "array", items: { type: "string" } } },
    },
    lines: {
      type: "array",
      items: { type: "object", properties: { sku: { type: "string" }, qty: { type: "integer" } } },
    },
  },
} as const;

/** What DuckDB's JSON rows hold for a JSON value read as `t` (BIGINT as text, timestamps as epoch milliseconds). */
function expected(t: GlueType, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  switch (t.kind) {
    case "struct": {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(t.fields.map((f) => [f.name, expected(f.type, o[f.name])]));
    }
    case "array":
      return (v as unknown[]).map((x) => expected(t.element, x));
    case "decimal":
      return String(v);
    case "scalar":
      if (t.name === "bigint") return String(v);
      if (t.name === "timestamp") return String(Date.parse(String(v)));
      return v;
  }
}

/** SELECT list reading a raw table's columns by their JSON keys (the SerDe's `mapping.*`), timestamps as epoch ms. */
function rawSelect(spec: ReturnType<typeof rawTableSpec>, epoch: boolean): string {
  const mapping = (c: string) => spec.serdeParameters?.[`mapping.${c}`] ?? c;
  return spec.columns
    .map((c) =>
      c.type === "timestamp" && epoch
        ? `epoch_ms("${mapping(c.name)}") AS ${c.name}`
        : `"${mapping(c.name)}" AS ${c.name}`,
    )
    .join(", ");
}

function readJson(spec: ReturnType<typeof rawTableSpec>, dir: string, root: string): string {
  const mapping = (c: string) => spec.serdeParameters?.[`mapping.${c}`] ?? c;
  const columns = spec.columns.map((c) => `${lit(mapping(c.name))}: ${lit(duckdbType(c.type, "json"))}`).join(", ");
  return `read_json(${lit(path.join(dir, root, "dt=*", "*.json"))}, format = 'newline_delimited', hive_partitioning = true, hive_types = {'dt': 'VARCHAR'}, columns = {${columns}})`;
}

describe("datasets: the tables read the data (DuckDB over objects the real handlers write)", function () {
  this.timeout(120_000);
  let s3: LocalS3;
  let pg: LocalPostgres;
  let admin: Client;
  let warehouse: Warehouse;
  let db: DuckDBConnection;
  let dir: string;

  before(async () => {
    [s3, pg] = await Promise.all([startS3(["raw", "analytics"]), startPostgres()]);
    admin = pg.client();
    await admin.connect();
    warehouse = pgWarehouse(
      { engine: "postgres", host: "127.0.0.1", port: pg.port, database: "postgres", tls: false },
      async () => ({ username: "postgres", password: pg.password }),
    );
    db = await duckdb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "readback-"));
  });
  after(async () => {
    db?.closeSync();
    await warehouse.close();
    await admin.end();
    await Promise.all([s3.stop(), pg.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("http: every accepted record comes back with its values through the raw table's columns", async () => {
    const source = {
      name: "shop-orders",
      kind: "http",
      domain: "sales",
      root: "sales/source=shop-orders/",
      schema: SHOP_SCHEMA,
      idField: "orderId",
      timeField: "created_at",
    };
    const records = [
      {
        orderId: "A-1",
        amount: 10.25,
        quantity: 9007199254740,
        gift: true,
        delivery_day: "2024-05-03",
        created_at: "2024-05-02T10:00:00.123Z",
        customer: { id: "c-1", tags: ["vip", "eu"] },
        lines: [
          { sku: "x", qty: 2 },
          { sku: "y", qty: 1 },
        ],
      },
      // An offset is an instant: read back in UTC. Absent fields and nested ones come back as NULL.
      { orderId: "A-2", amount: 0, created_at: "2024-05-02T23:30:00+09:00", customer: { id: "c-2" } },
      { orderId: "A-3", amount: -1.5e-7, created_at: "2024-05-03T00:00:00Z", lines: [] },
    ];
    const handler = createHttpHandler({
      source,
      raw: new RawWriter(s3.client, "raw", KEY_ARN, source.name),
      logger: quietLogger(),
      metrics: capturedMetrics(source.name).metrics,
    });
    const r = await handler(
      httpRequest(JSON.stringify([...records, { orderId: "bad", amount: "ten", created_at: "x" }])),
      lambdaContext("shop-http"),
    );
    const answer = JSON.parse(r.body as string) as { accepted: number; rejected: number };
    assert.deepEqual([answer.accepted, answer.rejected], [3, 1]);
    const keys = await download(s3, "raw", source.root, dir);
    assert.equal(keys.filter((k) => /\/dt=\d{4}-\d{2}-\d{2}\//.test(k)).length, 3, "one object per accepted record");

    const spec = rawTableSpec(source, { bucketName: "raw" }, GOVERNANCE);
    assert.equal(spec.serdeParameters?.["mapping.orderid"], "orderId");
    const from = readJson(spec, dir, source.root);
    // The engine reads each column as the type the catalog declares.
    const types = await describeQuery(db, `SELECT ${rawSelect(spec, false)}, dt FROM ${from}`);
    assert.equal(types["customer"], "STRUCT(id VARCHAR, tags VARCHAR[])");
    assert.equal(types["lines"], "STRUCT(sku VARCHAR, qty BIGINT)[]");
    assert.deepEqual(types, {
      ...Object.fromEntries(spec.columns.map((c) => [c.name, duckdbType(c.type, "json")])),
      dt: "VARCHAR",
    });
    const got = await rows(db, `SELECT ${rawSelect(spec, true)}, dt FROM ${from} ORDER BY orderid`);
    assert.deepEqual(
      got,
      records.map((rec) => ({
        ...Object.fromEntries(
          spec.columns.map((c) => [
            c.name,
            expected(
              parseType(c.type) as GlueType,
              (rec as Record<string, unknown>)[spec.serdeParameters?.[`mapping.${c.name}`] ?? c.name],
            ),
          ]),
        ),
        dt: new Date(Date.parse(rec.created_at)).toISOString().slice(0, 10),
      })),
    );
    // Partition pruning on dt, as partition projection gives Athena.
    assert.deepEqual(
      await rows(db, `SELECT orderid FROM (SELECT ${rawSelect(spec, true)}, dt FROM ${from}) WHERE dt = '2024-05-03'`),
      [{ orderid: "A-3" }],
    );
  });

  it("queue: records landed from SQS read back through the raw table's columns", async () => {
    const source = {
      name: "payments",
      kind: "queue",
      domain: "sales",
      root: "sales/source=payments/",
      schema: ORDER_SCHEMA,
      timeField: "created_at",
    };
    const records = [order(1, { note: "first" }), order(2), order(4, { amount: 123456.789 })];
    const message = (id: string, body: string) =>
      ({
        messageId: id,
        receiptHandle: id,
        body,
        attributes: {},
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:payments",
        awsRegion: "eu-west-1",
      }) as unknown as SQSRecord;
    const handler = createQueueHandler({
      source,
      raw: new RawWriter(s3.client, "raw", KEY_ARN, source.name),
      logger: quietLogger(),
      metrics: capturedMetrics(source.name).metrics,
      now: () => new Date("2024-05-10T08:00:00Z"),
    });
    const r = await handler(
      { Records: [...records.map((x, k) => message(`m-${k}`, JSON.stringify(x))), message("m-bad", "{nope")] },
      lambdaContext("payments-queue"),
    );
    assert.deepEqual(r.batchItemFailures, []);
    await download(s3, "raw", source.root, dir);
    const spec = rawTableSpec(source, { bucketName: "raw" }, GOVERNANCE);
    const got = await rows(
      db,
      `SELECT ${rawSelect(spec, true)} FROM ${readJson(spec, dir, source.root)} ORDER BY order_id`,
    );
    assert.deepEqual(
      got,
      records.map((rec) =>
        Object.fromEntries(spec.columns.map((c) => [c.name, expected(parseType(c.type) as GlueType, rec[c.name])])),
      ),
    );
  });

  it("published datasets: the Parquet the pipeline writes reads back with the declared types and the mart's values", async () => {
    const cfg = loadPlatformConfig(platformOf("dev"), "eu-west-1");
    const revenue = cfg.datasets.find((d) => d.name === "daily_revenue")!;
    const facts = [
      { name: "order_id", type: "string" },
      { name: "amount", type: "decimal(12,2)" },
      { name: "placed_at", type: "timestamp" },
      { name: "items", type: "int" },
      { name: "weight", type: "float" },
      { name: "gift", type: "boolean" },
      { name: "big", type: "bigint" },
    ];
    await admin.query(`
      CREATE SCHEMA marts_sales;
      CREATE TABLE marts_sales.daily_revenue (day date, currency text, orders bigint, revenue double precision);
      INSERT INTO marts_sales.daily_revenue VALUES ('2024-05-01', 'EUR', 8, 1234.5), ('2024-05-01', 'USD', 1, 0.1), ('2024-05-02', 'KRW', 9007199254740993, 1e15);
      CREATE TABLE marts_sales.order_facts (order_id text, amount numeric(12,2), placed_at timestamptz, items int, weight real, gift boolean, big bigint);
      INSERT INTO marts_sales.order_facts VALUES
        ('o-1', 9999999999.99, '2024-05-01T10:00:00.123Z', 2147483647, 1.5, true, -9223372036854775808),
        ('o-2', -0.01, '2024-05-01T23:59:59+02:00', -1, 0, false, 0),
        ('o-3', NULL, NULL, NULL, NULL, NULL, NULL);
    `);
    const runner = createRunner({
      config: {
        pipeline: "sales-daily",
        domain: "sales",
        datasets: [
          {
            table: "marts_sales.daily_revenue",
            dataset: revenue.name,
            columns: revenue.columns.map((c) => ({ name: c.name, type: c.type })),
            quality: qualityRules({ ...revenue.quality, freshnessColumn: undefined }),
            steward: revenue.steward,
          },
          { table: "marts_sales.order_facts", dataset: "order_facts", columns: facts },
        ],
        rowsPerPart: 2,
      },
      warehouse,
      analytics: new RawWriter(s3.client, "analytics", KEY_ARN, "sales-daily"),
      logger: quietLogger(),
      now: () => new Date("2024-05-03T02:00:00Z"),
    });
    await runner({ step: "publish", day: "2024-05-03" });
    await download(s3, "analytics", "sales/", dir);
    const parquet = (dataset: string) =>
      `read_parquet(${lit(path.join(dir, "sales", dataset, "dt=*", "*.parquet"))}, hive_partitioning = true, hive_types = {'dt': 'VARCHAR'})`;

    const types = await describeQuery(db, `SELECT * FROM ${parquet("daily_revenue")}`);
    assert.deepEqual(types, {
      ...Object.fromEntries(revenue.columns.map((c) => [c.name, duckdbType(c.type)])),
      dt: "VARCHAR",
    });
    assert.deepEqual(await rows(db, `SELECT * FROM ${parquet("daily_revenue")} ORDER BY day, currency`), [
      { day: "2024-05-01", currency: "EUR", orders: "8", revenue: 1234.5, dt: "2024-05-03" },
      { day: "2024-05-01", currency: "USD", orders: "1", revenue: 0.1, dt: "2024-05-03" },
      { day: "2024-05-02", currency: "KRW", orders: "9007199254740993", revenue: 1e15, dt: "2024-05-03" },
    ]);

    assert.deepEqual(await describeQuery(db, `SELECT * EXCLUDE (dt) FROM ${parquet("order_facts")}`), {
      order_id: "VARCHAR",
      amount: "DECIMAL(12,2)",
      placed_at: "TIMESTAMP",
      items: "INTEGER",
      weight: "FLOAT",
      gift: "BOOLEAN",
      big: "BIGINT",
    });
    assert.deepEqual(
      await rows(
        db,
        `SELECT * EXCLUDE (dt) REPLACE (epoch_ms(placed_at) AS placed_at) FROM ${parquet("order_facts")} ORDER BY order_id`,
      ),
      [
        {
          order_id: "o-1",
          amount: "9999999999.99",
          placed_at: String(Date.parse("2024-05-01T10:00:00.123Z")),
          items: 2147483647,
          weight: 1.5,
          gift: true,
          big: "-9223372036854775808",
        },
        {
          order_id: "o-2",
          amount: "-0.01",
          placed_at: String(Date.parse("2024-05-01T21:59:59Z")),
          items: -1,
          weight: 0,
          gift: false,
          big: "0",
        },
        { order_id: "o-3", amount: null, placed_at: null, items: null, weight: null, gift: null, big: null },
      ],
    );
  });
});
