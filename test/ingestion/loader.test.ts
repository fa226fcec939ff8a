import { strict as assert } from "assert";
import { createHash } from "crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { Client } from "pg";
import { createLoader, LoaderEvent, parseRecords, refusedRecords } from "../../components/ingestion/handlers/loader";
import { pgWarehouse, Sql, stagingDdl, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { capturedMetrics, LocalPostgres, LocalS3, metricSum, quietLogger, startPostgres, startS3 } from "./support";

const ROOT = "sales/source=orders/";

describe("ingestion: object loader into warehouse staging", function () {
  this.timeout(30_000);
  let s3: LocalS3;
  let pg: LocalPostgres;
  let admin: Client;
  const warehouses: Warehouse[] = [];
  const warehouse = (port = pg.port) => {
    const w = pgWarehouse(
      { engine: "postgres", host: "127.0.0.1", port, database: "postgres", tls: false },
      async () => ({ username: "postgres", password: pg.password }),
    );
    warehouses.push(w);
    return w;
  };
  const put = (key: string, body: string) =>
    s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: body }));
  const rows = async (sql: string) => (await admin.query(sql)).rows;
  const loader = (w = warehouse(), m = capturedMetrics("orders-loader"), table = "orders") =>
    createLoader({
      config: { name: "orders-loader", root: ROOT, table, maxBackfillDays: 31 },
      bucket: "raw",
      s3: s3.client,
      warehouse: w,
      logger: quietLogger(),
      metrics: m.metrics,
    });
  const created = (key: string, bucket = "raw"): LoaderEvent => ({
    "detail-type": "Object Created",
    detail: { bucket: { name: bucket }, object: { key } },
  });

  before(async () => {
    [s3, pg] = await Promise.all([startS3(["raw"]), startPostgres()]);
    admin = pg.client();
    await admin.connect();
    await admin.query("CREATE SCHEMA staging");
    for (const ddl of stagingDdl("orders", "postgres")) await admin.query(ddl);
  });
  after(async () => {
    await Promise.all(warehouses.map((w) => w.close()));
    await admin.end();
    await Promise.all([s3.stop(), pg.stop()]);
  });
  beforeEach(async () => {
    await admin.query("TRUNCATE staging.orders, staging.load_ledger, staging.load_rejects");
  });

  it("loads an object once: a redelivered event and a concurrent duplicate insert nothing more", async () => {
    const key = `${ROOT}dt=2024-05-01/o-1.json`;
    await put(key, JSON.stringify({ order_id: "o-1", amount: 12 }));
    const m = capturedMetrics("orders-loader");
    const l = loader(warehouse(), m);
    assert.deepEqual(await l.handler(created(key)), { key, status: "loaded", rows: 1, rejected: 0 });
    assert.equal(((await l.handler(created(key))) as { status: string }).status, "duplicate");
    const [a, b] = await Promise.all([loader().loadObject(key), loader().loadObject(key)]);
    assert.deepEqual([a.status, b.status], ["duplicate", "duplicate"]);
    assert.deepEqual(
      await rows(
        "SELECT source, object_key, record->>'order_id' AS id, (record->>'amount')::int AS amount FROM staging.orders",
      ),
      [{ source: "orders-loader", object_key: key, id: "o-1", amount: 12 }],
    );
    assert.equal((await rows("SELECT * FROM staging.load_ledger")).length, 1);
    assert.equal(metricSum(m.emitted(), "ObjectsLoaded"), 1);
  });

  it("creates its staging tables on first use, as the loader group, through a login that holds nothing else", async () => {
    await admin.query(
      "CREATE ROLE loader NOLOGIN; GRANT USAGE, CREATE ON SCHEMA staging TO loader; GRANT SELECT, INSERT ON staging.load_ledger, staging.load_rejects TO loader",
    );
    await admin.query("CREATE ROLE svc_loader LOGIN PASSWORD 'svc-pass'; GRANT loader TO svc_loader");
    const w = pgWarehouse(
      { engine: "postgres", host: "127.0.0.1", port: pg.port, database: "postgres", tls: false, group: "loader" },
      async () => ({ username: "svc_loader", password: "svc-pass" }),
    );
    warehouses.push(w);
    const key = `${ROOT}dt=2024-05-02/p-1.json`;
    await put(key, JSON.stringify({ payment_id: "p-1" }));
    const l = createLoader({
      config: { name: "payments-loader", root: ROOT, table: "payments", maxBackfillDays: 31 },
      bucket: "raw",
      s3: s3.client,
      warehouse: w,
      logger: quietLogger(),
      metrics: capturedMetrics("payments-loader").metrics,
    });
    assert.equal((await l.loadObject(key)).status, "loaded");
    assert.deepEqual(
      await rows("SELECT tableowner FROM pg_tables WHERE schemaname = 'staging' AND tablename = 'payments'"),
      [{ tableowner: "loader" }],
    );
    assert.deepEqual(await rows("SELECT record->>'payment_id' AS id FROM staging.payments"), [{ id: "p-1" }]);
    await assert.rejects(
      w.transaction((sql) => sql.query("CREATE TABLE public.escape (x int)")),
      /permission denied/,
      "nothing outside staging",
    );
  });

  it("lets exactly one of two simultaneous first deliveries load", async () => {
    const key = `${ROOT}dt=2024-05-01/race.json`;
    await put(key, JSON.stringify([{ n: 1 }, { n: 2 }]));
    const results = await Promise.all([loader().loadObject(key), loader().loadObject(key)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["duplicate", "loaded"]);
    assert.equal((await rows("SELECT * FROM staging.orders")).length, 2);
  });

  it("loads the good lines of a JSON-lines object and keeps each bad line with its reason", async () => {
    const key = `${ROOT}dt=2024-05-02/lines.json`;
    await put(key, '{"n":1}\n{"n":2,\n{"n":3}\n');
    const r = await loader().loadObject(key);
    assert.deepEqual(r, { key, status: "loaded", rows: 2, rejected: 1 });
    const [reject] = await rows("SELECT line, reason, raw_text FROM staging.load_rejects");
    assert.equal(reject.line, 2);
    assert.match(reject.reason, /^malformed JSON/);
    assert.equal(reject.raw_text, '{"n":2,');
  });

  it("ignores keys outside the source's record partitions and refuses events for another bucket", async () => {
    const l = loader();
    assert.equal((await l.loadObject(`${ROOT}_rejected/dt=2024-05-01/x.json`)).status, "ignored");
    assert.equal((await l.loadObject("sales/source=other/dt=2024-05-01/x.json")).status, "ignored");
    await assert.rejects(l.handler(created(`${ROOT}dt=2024-05-01/o-1.json`, "evil")), /another|this loader reads raw/);
  });

  it("accepts URL-encoded keys from event notifications", async () => {
    const key = `${ROOT}dt=2024-05-03/enc.json`;
    await put(key, "{}");
    assert.equal(((await loader().handler(created(key.replace(/=/g, "%3D")))) as { status: string }).status, "loaded");
  });

  it("plans a backfill by day and refuses bad or oversized ranges", async () => {
    const l = loader();
    assert.deepEqual(await l.handler({ action: "plan", from: "2024-02-28", to: "2024-03-01" }), {
      days: ["2024-02-28", "2024-02-29", "2024-03-01"],
    });
    await assert.rejects(l.handler({ action: "plan", from: "2024-03-02", to: "2024-03-01" }), /before/);
    await assert.rejects(
      l.handler({ action: "plan", from: "2024-01-01", to: "2024-12-31" }),
      /exceeds the limit of 31/,
    );
    await assert.rejects(l.handler({ action: "plan", from: "2024-02-30", to: "2024-03-01" }), /YYYY-MM-DD/);
  });

  it("replays a day idempotently, and a day that failed on a warehouse outage completes on retry", async () => {
    for (let i = 0; i < 3; i++) await put(`${ROOT}dt=2024-04-10/d${i}.json`, JSON.stringify({ i }));
    await put(`${ROOT}dt=2024-04-11/other.json`, "{}");
    const down = loader(warehouse(1)); // nothing listens on port 1
    await assert.rejects(
      down.handler({ action: "load-day", day: "2024-04-10" }),
      /3 of 3 objects failed for 2024-04-10/,
    );
    const l = loader();
    assert.deepEqual(await l.handler({ action: "load-day", day: "2024-04-10" }), {
      day: "2024-04-10",
      objects: 3,
      loaded: 3,
      duplicates: 0,
      rows: 3,
      rejected: 0,
    });
    assert.deepEqual(await l.handler({ action: "load-day", day: "2024-04-10" }), {
      day: "2024-04-10",
      objects: 3,
      loaded: 0,
      duplicates: 3,
      rows: 0,
      rejected: 0,
    });
    const w = (await l.handler({ action: "load-window", at: "2024-04-11T03:00:00Z", days: 2 })) as {
      days: { day: string; loaded: number }[];
    };
    assert.deepEqual(
      w.days.map((d) => [d.day, d.loaded]),
      [
        ["2024-04-10", 0],
        ["2024-04-11", 1],
      ],
    );
    assert.equal((await rows("SELECT * FROM staging.orders")).length, 4);
  });

  it("copies records exactly: escapes, tabs, Unicode, CRLF lines and integers beyond 2^53 as written", async () => {
    const key = `${ROOT}dt=2024-05-03/tricky.json`;
    // As a client would write them: JSON escapes (\t, \\, \", \n, \u0007) inside strings, whitespace around a line.
    const lines = [
      String.raw`{"id":"a","text":"tab\there \\ back\\slash \"quoted\" \n newline"}`,
      String.raw`{"id":"b","text":"한글 😀 \u0007","big":12345678901234567890123}`,
      `\t{"id":"c","n":-0.000001234} `,
    ];
    await put(key, lines.join("\r\n") + "\r\n");
    assert.deepEqual(await loader().loadObject(key), { key, status: "loaded", rows: 3, rejected: 0 });
    const got = await rows(
      "SELECT record_index, record->>'text' AS text, record->>'big' AS big FROM staging.orders ORDER BY record_index",
    );
    assert.deepEqual(
      got.map((r) => [r.record_index, r.text, r.big]),
      [
        [0, 'tab\there \\ back\\slash "quoted" \n newline', null],
        [1, "한글 😀 \u0007", "12345678901234567890123"],
        [2, null, null],
      ],
    );
  });

  /** The warehouse, recording every COPY statement its transactions run (and waiting on `copied` after each). */
  const recording = (w: Warehouse, copied?: () => Promise<void>) => {
    const copies: string[] = [];
    const spy: Warehouse = {
      ...w,
      transaction: (fn) =>
        w.transaction((sql) =>
          fn({
            ...sql,
            copyFrom: async (statement: string, chunks: Parameters<Sql["copyFrom"]>[1]) => {
              copies.push(statement);
              const n = await sql.copyFrom(statement, chunks);
              await copied?.();
              return n;
            },
          }),
        ),
    };
    return { spy, copies };
  };

  it("streams JSON lines into COPY as written; a redelivery is settled by checksum without reading a row", async () => {
    const key = `${ROOT}dt=2024-05-04/stream.json`;
    const lines = [
      String.raw`{"id":"a","text":"tab\there \\ \"quoted\" \n","z":1,"a":2}`,
      '{"id":"b","text":"한글 😀","big":12345678901234567890123,"price":10.50}',
      '{"id":"c","nested":{"list":[1,-0,true,null,{"k":"v"}]}}',
    ];
    const body = lines.join("\r\n") + "\r\n";
    await put(key, body);
    const { spy, copies } = recording(warehouse());
    const l = loader(spy);
    assert.deepEqual(await l.loadObject(key), { key, status: "loaded", rows: 3, rejected: 0 });
    assert.equal(copies.length, 1);
    assert.match(copies[0], /FROM STDIN \(FORMAT binary\)$/);
    assert.deepEqual(
      await rows(
        "SELECT record_index, record::text AS text, record::jsonb->>'id' AS id FROM staging.orders ORDER BY 1",
      ),
      lines.map((text, i) => ({ record_index: i, text, id: ["a", "b", "c"][i] })),
      "json keeps each record's text: member order, number spelling; every record casts to jsonb",
    );
    const checksum = createHash("sha256").update(body).digest("hex");
    assert.deepEqual(
      await rows(`SELECT checksum, rows_loaded, rows_rejected FROM staging.load_ledger WHERE object_key = '${key}'`),
      [{ checksum, rows_loaded: 3, rows_rejected: 0 }],
    );
    assert.equal((await l.loadObject(key)).status, "duplicate");
    assert.equal(copies.length, 1, "the same ETag again: the exact path finds the checksum, nothing is copied");
    await put(key, lines[0]);
    assert.deepEqual(await l.loadObject(key), { key, status: "loaded", rows: 1, rejected: 0 });
    assert.equal(copies.length, 2, "new content under the key streams again");
    const bad = `${ROOT}dt=2024-05-04/bad-line.json`;
    await put(bad, '{"id":"d"}\n{"id":\n{"id": "e"}\n');
    assert.deepEqual(await l.loadObject(bad), { key: bad, status: "loaded", rows: 2, rejected: 1 });
    assert.match(copies[2], /binary/, "a bad line and a line that needs the parser stream too");
    assert.equal(copies.length, 3);
    assert.deepEqual(
      await rows(`SELECT record::text AS text FROM staging.orders WHERE object_key = '${bad}' ORDER BY record_index`),
      [{ text: '{"id":"d"}' }, { text: '{"id":"e"}' }],
    );
    assert.deepEqual(await rows(`SELECT line, raw_text FROM staging.load_rejects WHERE object_key = '${bad}'`), [
      { line: 2, raw_text: '{"id":' },
    ]);
  });

  it("two simultaneous streams of one new object: one loads, the other waits on the ledger and rolls back", async () => {
    const key = `${ROOT}dt=2024-05-06/race-lines.json`;
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ id: `r-${i}`, n: i }));
    await put(key, lines.join("\n"));
    // Neither claims the ledger before both have copied every row.
    let arrived = 0;
    let release = () => {};
    const both = new Promise<void>((r) => (release = r));
    const barrier = () => (++arrived === 2 && release(), both);
    const [a, b] = [recording(warehouse(), barrier), recording(warehouse(), barrier)];
    const results = await Promise.all([loader(a.spy).loadObject(key), loader(b.spy).loadObject(key)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["duplicate", "loaded"]);
    assert.deepEqual([a.copies.length, b.copies.length], [1, 1], "both streamed");
    assert.deepEqual(await rows(`SELECT count(*)::int AS n FROM staging.orders WHERE object_key = '${key}'`), [
      { n: 5000 },
    ]);
    assert.equal((await rows(`SELECT 1 FROM staging.load_ledger WHERE object_key = '${key}'`)).length, 1);
  });

  it("an S3 read that fails mid-stream fails the object whole: no row, no ledger entry; the retry loads it", async () => {
    const key = `${ROOT}dt=2024-05-07/cut.json`;
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `c-${i}` }));
    await put(key, lines.join("\n"));
    let cut = true;
    const flaky = new Proxy(s3.client, {
      get(target, prop, receiver) {
        if (prop !== "send") return Reflect.get(target, prop, receiver);
        return async (command: Parameters<typeof target.send>[0]) => {
          const out = (await target.send(command as never)) as { Body?: AsyncIterable<Uint8Array> };
          if (!cut || !out.Body) return out;
          cut = false;
          const body = out.Body;
          out.Body = (async function* () {
            for await (const chunk of body) {
              yield chunk.subarray(0, chunk.length >> 1); // half the first chunk arrives, then the connection drops
              throw new Error("connection reset by peer");
            }
          })();
          return out;
        };
      },
    });
    const l = createLoader({
      config: { name: "orders-loader", root: ROOT, table: "orders" },
      bucket: "raw",
      s3: flaky,
      warehouse: warehouse(),
      logger: quietLogger(),
      metrics: capturedMetrics("orders-loader").metrics,
    });
    await assert.rejects(l.loadObject(key), /connection reset by peer/);
    assert.deepEqual(await rows(`SELECT count(*)::int AS n FROM staging.orders WHERE object_key = '${key}'`), [
      { n: 0 },
    ]);
    assert.equal((await rows(`SELECT 1 FROM staging.load_ledger WHERE object_key = '${key}'`)).length, 0);
    assert.deepEqual(await l.loadObject(key), { key, status: "loaded", rows: 3000, rejected: 0 });
  });

  it("falls back to the exact path when COPY refuses a streamed record, and keeps loading a jsonb staging table", async () => {
    await admin.query(
      "CREATE TABLE staging.legacy (LIKE staging.orders INCLUDING DEFAULTS); ALTER TABLE staging.legacy ALTER COLUMN record TYPE jsonb; ALTER TABLE staging.legacy ADD CONSTRAINT no_poison CHECK (record->>'id' IS DISTINCT FROM 'poison')",
    );
    try {
      const key = `${ROOT}dt=2024-05-05/legacy.json`;
      await put(key, '{"id":"a","n":1.50}\n{"id":"poison"}\n{"id":"b","n":123456789012345678901234567890}\n');
      const { spy, copies } = recording(warehouse());
      assert.deepEqual(await loader(spy, undefined, "legacy").loadObject(key), {
        key,
        status: "loaded",
        rows: 2,
        rejected: 1,
      });
      assert.deepEqual(
        copies.map((c) => /binary/.test(c)),
        [true, false, false],
        "streamed (binary, with jsonb's version byte), then the exact path: refused, searched, loaded without it",
      );
      assert.deepEqual(await rows("SELECT record->>'id' AS id, record->>'n' AS n FROM staging.legacy ORDER BY 1"), [
        { id: "a", n: "1.50" },
        { id: "b", n: "123456789012345678901234567890" },
      ]);
      const [reject] = await rows(`SELECT line, reason FROM staging.load_rejects WHERE object_key = '${key}'`);
      assert.equal(reject.line, 2);
      assert.match(reject.reason, /SQLSTATE 23514/);
    } finally {
      await admin.query("DROP TABLE staging.legacy");
    }
  });

  it("parses single values, arrays and JSON lines", () => {
    assert.equal(parseRecords('{"a":1}').records.length, 1);
    assert.equal(parseRecords("[1,2,3]").records.length, 3);
    assert.deepEqual(parseRecords("  ").records, []);
  });

  it("sends records jsonb refuses (U+0000, a lone surrogate) to load_rejects with the reason; the rest of the day loads", async () => {
    const day = "2024-06-10";
    await put(`${ROOT}dt=${day}/nul.json`, '{"id":"nul","note":"a\\u0000b"}');
    await put(`${ROOT}dt=${day}/sur.json`, '{"id":"sur","note":"\\ud800"}');
    await put(
      `${ROOT}dt=${day}/big.json`,
      '{"id":"big","n":123456789012345678901234567890,"d":0.1000000000000000055511151231257827}',
    );
    await put(`${ROOT}dt=${day}/lines.json`, '{"id":"l1"}\n{"id":"l2","bad":"\\u0000"}\n{"id":"l3"}');
    const l = loader();
    const r = await l.handler({ action: "load-day", day });
    assert.deepEqual(r, { day, objects: 4, loaded: 4, duplicates: 0, rows: 3, rejected: 3 });
    const rejects = await rows("SELECT object_key, line, reason FROM staging.load_rejects ORDER BY object_key, line");
    assert.deepEqual(
      rejects.map((x) => [x.object_key.split("/").pop(), x.line]),
      [
        ["lines.json", 2],
        ["nul.json", 1],
        ["sur.json", 1],
      ],
    );
    assert.match(rejects[0].reason, /line 2\.bad contains the character U\+0000/);
    assert.match(rejects[2].reason, /record\.note contains an unpaired UTF-16 surrogate/);
    const [big] = await rows(
      "SELECT record->>'n' AS n, record->>'d' AS d FROM staging.orders WHERE record->>'id' = 'big'",
    );
    assert.equal(big.n, "123456789012345678901234567890", "integers beyond 2^53 keep every digit in jsonb");
    assert.equal(big.d, "0.1000000000000000055511151231257827");
    assert.deepEqual(await l.handler({ action: "load-day", day }), {
      day,
      objects: 4,
      loaded: 0,
      duplicates: 4,
      rows: 0,
      rejected: 0,
    });
  });

  it("rejects a record the warehouse refuses unexpectedly with its reason, row by row; the rest of the object and day load once", async () => {
    // A refusal nothing checks for beforehand: a constraint the warehouse enforces on one record.
    await admin.query(
      "ALTER TABLE staging.orders ADD CONSTRAINT no_poison CHECK (record->>'id' IS DISTINCT FROM 'poison')",
    );
    try {
      const day = "2024-06-11";
      const key = `${ROOT}dt=${day}/mixed.json`;
      await put(key, '{"id":"a"}\n{"id":"poison","n":1}\n{"id":"b","bad":"\\u0000"}\n{"id":"c"}');
      await put(`${ROOT}dt=${day}/clean.json`, '{"id":"d"}');
      const l = loader();
      assert.deepEqual(await l.handler({ action: "load-day", day }), {
        day,
        objects: 2,
        loaded: 2,
        duplicates: 0,
        rows: 3,
        rejected: 2,
      });
      assert.deepEqual(
        (await rows("SELECT record->>'id' AS id, record_index FROM staging.orders ORDER BY 1")).map((r) => r.id),
        ["a", "c", "d"],
      );
      const rejects = await rows("SELECT line, reason, raw_text FROM staging.load_rejects ORDER BY line");
      assert.deepEqual(
        rejects.map((r) => r.line),
        [2, 3],
      );
      assert.match(
        rejects[0].reason,
        /^line 2: the warehouse refused the record \(SQLSTATE 23514\): new row for relation "orders" violates check constraint "no_poison"/,
      );
      assert.equal(rejects[0].raw_text, '{"id":"poison","n":1}');
      assert.deepEqual(
        await rows(`SELECT rows_loaded, rows_rejected FROM staging.load_ledger WHERE object_key = '${key}'`),
        [{ rows_loaded: 2, rows_rejected: 2 }],
      );
      assert.equal(((await l.loadObject(key)) as { status: string }).status, "duplicate");
    } finally {
      await admin.query("ALTER TABLE staging.orders DROP CONSTRAINT no_poison");
    }
  });

  it("finds every refused record without savepoints too (Redshift's way: one pass per refusal)", async () => {
    await admin.query(
      "ALTER TABLE staging.orders ADD CONSTRAINT no_poison CHECK (record->>'id' NOT LIKE 'poison%'); CREATE OR REPLACE FUNCTION json_parse(text) RETURNS jsonb LANGUAGE sql AS 'SELECT $1::jsonb'",
    );
    try {
      const w = warehouse();
      const noSavepoints: Warehouse = {
        engine: "redshift",
        transaction: (fn) => w.transaction(fn),
        close: () => w.close(),
      };
      const records = ['{"id":"a"}', '{"id":"poison-1"}', '{"id":"b"}', '{"id":"poison-2"}'];
      const refused = await refusedRecords(noSavepoints, { source: "s", key: "k", table: "orders" }, records);
      assert.deepEqual([...refused.keys()], [1, 3]);
      assert.equal((await rows("SELECT count(*)::int AS n FROM staging.orders"))[0].n, 0, "the search keeps no rows");
    } finally {
      await admin.query("ALTER TABLE staging.orders DROP CONSTRAINT no_poison");
    }
  });

  it("refuses malformed events with a message naming the field", async () => {
    const l = loader();
    const cases: [unknown, RegExp][] = [
      [{ action: "load-day" }, /^day must be a calendar day YYYY-MM-DD, got nothing$/],
      [{ action: "load-day", day: "2024-02-30" }, /^day must be a calendar day/],
      [{ action: "load-window", at: "yesterday" }, /^at must be an ISO 8601 timestamp/],
      [{ action: "load-window", at: "2024-01-01T00:00:00Z", days: 0 }, /^days must be an integer from 1 to 31/],
      [{ action: "drop" }, /^action must be 'plan', 'load-day' or 'load-window'/],
      [null, /^event must be an object/],
      [{ "detail-type": "Object Created", detail: {} }, /^detail\.bucket\.name must be a bucket name/],
      [
        { "detail-type": "Object Created", detail: { bucket: { name: "raw" }, object: { key: "%E0%A4%A" } } },
        /^detail\.object\.key is not a valid URL-encoded key/,
      ],
    ];
    for (const [event, message] of cases)
      await assert.rejects(l.handler(event as LoaderEvent), (e: Error) => {
        assert.equal(e.name, "InvalidLoaderEvent");
        assert.match(e.message, message);
        return true;
      });
  });
});
