import { strict as assert } from "assert";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { Client } from "pg";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { pgWarehouse, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { createRunner } from "../../components/pipelines/handlers/runner";
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

  const runner = (rowsPerPart = 2, procedure: string | undefined = "marts.refresh_sales") =>
    createRunner({
      config: {
        pipeline: "sales-daily",
        domain: "sales",
        procedure,
        datasets: [{ table: "marts.daily_revenue", dataset: "daily_revenue" }],
        rowsPerPart,
      },
      warehouse,
      analytics: new RawWriter(s3.client, "analytics", KEY_ARN, "sales-daily"),
      logger: quietLogger(),
      now: () => new Date("2024-05-04T02:00:00Z"),
    });

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

  it("publishes the mart to the analytics zone in parts with a manifest, and a re-run rewrites the same day", async () => {
    const r = (await runner()({ step: "publish", at: "2024-05-04T02:00:00Z" })) as {
      datasets: { rows: number; parts: number }[];
    };
    assert.deepEqual(r.datasets, [{ dataset: "daily_revenue", rows: 3, parts: 2 }]);
    const keys = await s3.keys("analytics", "sales/daily_revenue/dt=2024-05-04/");
    assert.deepEqual(
      keys.map((k) => k.split("/").pop()),
      ["_manifest.json", "part-00000.jsonl", "part-00001.jsonl"],
    );
    const manifest = JSON.parse(
      await (
        await s3.client.send(new GetObjectCommand({ Bucket: "analytics", Key: keys[0] }))
      ).Body!.transformToString(),
    );
    assert.equal(manifest.rows, 3);
    assert.deepEqual(manifest.parts, ["part-00000.jsonl", "part-00001.jsonl"]);
    await runner(10)({ step: "publish", day: "2024-05-04" });
    const again = JSON.parse(
      await (
        await s3.client.send(new GetObjectCommand({ Bucket: "analytics", Key: keys[0] }))
      ).Body!.transformToString(),
    );
    assert.deepEqual(again.parts, ["part-00000.jsonl"], "the manifest lists only the current run's parts");
  });

  it("publishes big numbers digit for digit: bigint, numeric and the numbers inside jsonb", async () => {
    await admin.query(`
      CREATE TABLE marts.exact (id bigint, amount numeric, attrs jsonb, ratio double precision, at timestamptz, note text);
      INSERT INTO marts.exact VALUES (9007199254740993, 12345678901234567890.000000000000000001,
        '{"n": 123456789012345678901234567890, "d": 0.1000000000000000055511151231257827, "s": "x"}',
        0.5, '2024-05-03T10:00:00Z', 'NaN');
      INSERT INTO marts.exact VALUES (1, 'NaN', 'null', NULL, NULL, NULL);
    `);
    const r = createRunner({
      config: { pipeline: "exact", domain: "sales", datasets: [{ table: "marts.exact", dataset: "exact" }] },
      warehouse,
      analytics: new RawWriter(s3.client, "analytics", KEY_ARN, "exact"),
      logger: quietLogger(),
    });
    await r({ step: "publish", day: "2024-05-03" });
    const part = await (
      await s3.client.send(
        new GetObjectCommand({ Bucket: "analytics", Key: "sales/exact/dt=2024-05-03/part-00000.jsonl" }),
      )
    ).Body!.transformToString();
    assert.deepEqual(part.split("\n"), [
      '{"id":9007199254740993,"amount":12345678901234567890.000000000000000001,"attrs":{"d":0.1000000000000000055511151231257827,"n":123456789012345678901234567890,"s":"x"},"ratio":0.5,"at":"2024-05-03T10:00:00.000Z","note":"NaN"}',
      '{"id":1,"amount":"NaN","attrs":null,"ratio":null,"at":null,"note":null}',
    ]);
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
