import { strict as assert } from "assert";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { parquetReadObjects } from "hyparquet";
import type { Client } from "pg";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { pgWarehouse, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import type { QualityRule } from "../../components/core/quality";
import { createRunner, RunnerConfig } from "../../components/pipelines/handlers/runner";
import { QualityGateFailed } from "../../components/pipelines/handlers/quality-gate";
import { KEY_ARN, LocalPostgres, LocalS3, quietLogger, startPostgres, startS3 } from "../ingestion/support";

describe("pipelines: warehouse step runner", function () {
  this.timeout(30_000);
  let s3: LocalS3;
  let pg: LocalPostgres;
  let admin: Client;
  let warehouse: Warehouse;

  before(async () => {
    [s3, pg] = await Promise.all([startS3(["analytics"]), startPostgres()]);
    admin = pg.client();
    await admin.connect();
    // The minimal warehouse side of the contract: staging rows, a mart, and the procedure that builds it.
    await admin.query(`
      CREATE SCHEMA staging; CREATE SCHEMA marts;
      CREATE TABLE staging.orders (source text, object_key text, record_index int, record jsonb, loaded_at timestamptz DEFAULT now());
      CREATE TABLE marts.daily_revenue (day date PRIMARY KEY, orders int, revenue numeric);
      CREATE PROCEDURE marts.refresh_sales() LANGUAGE sql AS $$
        DELETE FROM marts.daily_revenue;
        INSERT INTO marts.daily_revenue SELECT (record->>'created_at')::date, count(*), sum((record->>'amount')::numeric) FROM staging.orders GROUP BY 1;
      $$;
      INSERT INTO staging.orders (source, object_key, record_index, record) SELECT 'o', 'k' || g, 0, jsonb_build_object('created_at', '2024-05-0' || (1 + g % 3), 'amount', g) FROM generate_series(1, 25) g;
    `);
    warehouse = pgWarehouse(
      { engine: "postgres", host: "127.0.0.1", port: pg.port, database: "postgres", tls: false },
      async () => ({ username: "postgres", password: pg.password }),
    );
  });
  after(async () => {
    await warehouse.close();
    await admin.end();
    await Promise.all([s3.stop(), pg.stop()]);
  });

  const COLUMNS = [
    { name: "day", type: "date" },
    { name: "orders", type: "bigint" },
    { name: "revenue", type: "decimal(12,2)" },
  ];
  const RULES: QualityRule[] = [
    { kind: "complete", column: "revenue" },
    { kind: "unique", columns: ["day"] },
    { kind: "rowCount", min: 1, max: 10 },
    { kind: "freshness", column: "day", hours: 72 },
  ];
  const recorded: [string, number][] = [];
  const published: string[] = [];
  const runner = (
    rowsPerPart = 2,
    procedure: string | undefined = "marts.refresh_sales",
    extra: Partial<RunnerConfig> = {},
    quality: QualityRule[] = RULES,
  ) =>
    createRunner({
      config: {
        pipeline: "sales-daily",
        domain: "sales",
        procedure,
        datasets: [
          {
            table: "marts.daily_revenue",
            dataset: "daily_revenue",
            columns: COLUMNS,
            quality,
            steward: "minji.kim@acme.example",
          },
        ],
        rowsPerPart,
        ...extra,
      },
      warehouse,
      analytics: new RawWriter(s3.client, "analytics", KEY_ARN, "sales-daily"),
      logger: quietLogger(),
      now: () => new Date("2024-05-04T02:00:00Z"),
      recordQuality: (d, n) => recorded.push([d, n]),
      recordPublished: (d) => published.push(d),
    });
  const text = async (key: string) =>
    (await s3.client.send(new GetObjectCommand({ Bucket: "analytics", Key: key }))).Body!.transformToString();

  it("transforms staging into the mart by calling the configured procedure", async () => {
    const r = (await runner()({ step: "transform" })) as { procedure: string };
    assert.equal(r.procedure, "marts.refresh_sales");
    const rows = (await admin.query("SELECT day::text, orders, revenue::int FROM marts.daily_revenue ORDER BY day"))
      .rows;
    assert.deepEqual(
      rows.map((r) => r.orders),
      [8, 9, 8],
    );
    assert.equal(
      rows.reduce((a, r) => a + r.revenue, 0),
      325,
    );
  });

  it("publishes the mart as Parquet parts with its quality result and a manifest; a re-run rewrites the same day", async () => {
    recorded.length = 0;
    published.length = 0;
    const r = (await runner()({ step: "publish", at: "2024-05-04T02:00:00Z" })) as {
      datasets: { rows: number; parts: number }[];
      quality: { dataset: string; passed: boolean; rules: { rule: string; passed: boolean }[] }[];
    };
    assert.deepEqual(r.datasets, [{ dataset: "daily_revenue", rows: 3, parts: 2 }]);
    assert.deepEqual(recorded, [["sales.daily_revenue", 0]], "a pass is recorded as 0 failing rules");
    assert.deepEqual(published, ["sales.daily_revenue"], "the publish is the freshness signal");
    const keys = await s3.keys("analytics", "sales/daily_revenue/dt=2024-05-04/");
    assert.deepEqual(
      keys.map((k) => k.split("/").pop()),
      ["_manifest.json", "_quality.json", "part-00000.parquet", "part-00001.parquet"],
    );
    const part = await s3.client.send(new GetObjectCommand({ Bucket: "analytics", Key: keys[2] }));
    assert.equal(part.ContentType, "application/vnd.apache.parquet");
    assert.equal(
      Buffer.from(await part.Body!.transformToByteArray())
        .subarray(0, 4)
        .toString(),
      "PAR1",
    );
    const manifest = JSON.parse(await text(keys[0]));
    assert.equal(manifest.rows, 3);
    assert.equal(manifest.format, "parquet");
    assert.deepEqual(manifest.parts, ["part-00000.parquet", "part-00001.parquet"]);
    const quality = JSON.parse(await text(keys[1]));
    assert.equal(quality.passed, true);
    assert.equal(quality.steward, "minji.kim@acme.example");
    assert.deepEqual(
      quality.rules.map((x: { rule: string; observed: string }) => [x.rule, x.observed]),
      [
        ['IsComplete "revenue"', "0 null value(s)"],
        ['IsUnique "day"', "0 duplicated value(s)"],
        ["RowCount >= 1 and RowCount <= 10", "3 row(s)"],
        ['DataFreshness "day" <= 72 hours', "newest value 26.0 hour(s) old"],
      ],
    );
    await runner(10)({ step: "publish", day: "2024-05-04" });
    assert.deepEqual(JSON.parse(await text(keys[0])).parts, ["part-00000.parquet"], "only the current run's parts");
  });

  it("the quality gate stops the whole publish, names the failing rules and the steward, and writes nothing", async () => {
    recorded.length = 0;
    published.length = 0;
    await admin.query("INSERT INTO marts.daily_revenue VALUES ('2024-04-01', 1, NULL)");
    try {
      const failing: QualityRule[] = [
        ...RULES,
        { kind: "allowedValues", column: "orders", values: ["8", "9"] },
        { kind: "unique", columns: ["orders", "revenue"] },
      ];
      const err = await runner(
        2,
        undefined,
        {},
        failing,
      )({ step: "publish", day: "2024-05-05" }).then(
        () => assert.fail("published despite failing rules"),
        (e: Error) => e,
      );
      assert.ok(err instanceof QualityGateFailed);
      assert.equal(err.name, "QualityGateFailed", "the state machine catches the error by this name");
      assert.equal(
        err.message,
        'sales.daily_revenue (steward minji.kim@acme.example): IsComplete "revenue" -> 1 null value(s); ' +
          'ColumnValues "orders" in ["8", "9"] -> 1 value(s) outside the list; ' +
          'IsPrimaryKey "orders" "revenue" -> 0 duplicated value(s), 1 incomplete key(s)',
      );
      assert.deepEqual(recorded, [["sales.daily_revenue", 3]]);
      assert.deepEqual(published, [], "a stopped publish is no freshness signal");
      assert.deepEqual(await s3.keys("analytics", "sales/daily_revenue/dt=2024-05-05/"), [], "nothing published");
    } finally {
      await admin.query("DELETE FROM marts.daily_revenue WHERE day = '2024-04-01'");
    }
  });

  it("a stale mart fails its freshness rule", async () => {
    const stale = createRunner({
      config: {
        pipeline: "sales-daily",
        domain: "sales",
        datasets: [{ table: "marts.daily_revenue", dataset: "daily_revenue", columns: COLUMNS, quality: RULES }],
      },
      warehouse,
      analytics: new RawWriter(s3.client, "analytics", KEY_ARN, "sales-daily"),
      logger: quietLogger(),
      now: () => new Date("2024-06-01T00:00:00Z"),
    });
    await assert.rejects(
      stale({ step: "publish" }),
      /DataFreshness "day" <= 72 hours -> newest value 696\.0 hour\(s\) old/,
    );
  });

  it("a restricted domain's marts land under the restricted bucket's analytics/ root", async () => {
    await runner(10, undefined, { root: "analytics/" })({ step: "publish", day: "2024-05-06" });
    const keys = await s3.keys("analytics", "analytics/sales/daily_revenue/dt=2024-05-06/");
    assert.equal(keys.length, 3);
    assert.deepEqual(await s3.keys("analytics", "sales/daily_revenue/dt=2024-05-06/"), []);
  });

  it("publishes big numbers digit for digit: bigint, decimal, and json/jsonb kept as the warehouse's text", async () => {
    await admin.query(`
      CREATE TABLE marts.exact (id bigint, amount numeric(38,18), attrs jsonb, raw json);
      INSERT INTO marts.exact VALUES (9007199254740993, 12345678901234567890.000000000000000001,
        '{"n": 123456789012345678901234567890, "d": 0.1000000000000000055511151231257827}', '[9007199254740993]');
    `);
    const r = createRunner({
      config: {
        pipeline: "exact",
        domain: "sales",
        datasets: [
          {
            table: "marts.exact",
            dataset: "exact",
            columns: [
              { name: "id", type: "bigint" },
              { name: "amount", type: "decimal(38,18)" },
              { name: "attrs", type: "string" },
              { name: "raw", type: "string" },
            ],
          },
        ],
      },
      warehouse,
      analytics: new RawWriter(s3.client, "analytics", KEY_ARN, "exact"),
      logger: quietLogger(),
    });
    await r({ step: "publish", day: "2024-05-03" });
    const part = await s3.client.send(
      new GetObjectCommand({ Bucket: "analytics", Key: "sales/exact/dt=2024-05-03/part-00000.parquet" }),
    );
    const bytes = await part.Body!.transformToByteArray();
    const [row] = (await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
    })) as Record<string, unknown>[];
    assert.equal(row.id, 9007199254740993n);
    // jsonb's own text (its key order and spacing), not a rounded re-serialisation and not "[object Object]".
    assert.equal(row.attrs, '{"d": 0.1000000000000000055511151231257827, "n": 123456789012345678901234567890}');
    assert.equal(row.raw, "[9007199254740993]");
  });

  it("refuses a malformed day and unknown steps, and rejects unsafe configured names", async () => {
    await assert.rejects(runner()({ step: "publish", day: "../../x" }), /YYYY-MM-DD/);
    await assert.rejects(
      runner()({ step: "drop" } as never),
      /^InvalidRunnerEvent: step must be 'transform' or 'publish', got "drop"$/,
    );
    await assert.rejects(
      runner()({ step: "publish", at: "not a time" }),
      /^InvalidRunnerEvent: at must be an ISO 8601 timestamp/,
    );
    await assert.rejects(runner()({ step: "publish", day: "2024-02-30" }), /day must be a calendar day/);
    await assert.rejects(runner()(null as never), /event must be an object/);
    await assert.rejects(runner(2, "marts.x(); DROP TABLE y")({ step: "transform" }), /invalid SQL identifier/);
    await assert.rejects(
      runner(2, "marts.x; DROP TABLE marts.daily_revenue")({ step: "transform" }),
      /expected schema.name/,
    );
  });
});
