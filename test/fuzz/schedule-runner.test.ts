// Fuzz: the scheduled pull against a real local S3 server (the partner API is a fetch that answers generated pages),
// and the pipeline runner against a real PostgreSQL. A pull stores every valid item once with its exact values and
// keeps every other item under _rejected/ with a reason (an item nested too deep included); only an API failure
// fails the run, as ExternalApiError, and then the watermark does not move. The runner publishes marts (Parquet)
// digit for digit, json/jsonb as the warehouse's text, and refuses any event it cannot act on with InvalidRunnerEvent.
import { strict as assert } from "assert";
import fc from "fast-check";
import { parquetReadObjects } from "hyparquet";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { Client } from "pg";
import {
  canonicalJson,
  LosslessNumber,
  parseJson,
  stringifyJson,
  unstorable,
} from "../../components/ingestion/records/json";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { pgWarehouse, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { createScheduleHandler, ExternalApiError } from "../../components/ingestion/handlers/schedule";
import { checkRunnerEvent, createRunner, InvalidRunnerEvent } from "../../components/pipelines/handlers/runner";
import {
  capturedMetrics,
  KEY_ARN,
  lambdaContext,
  LocalPostgres,
  quietLogger,
  startPostgres,
} from "../ingestion/support";
import { deep, json, Json, localRaw, numberText, params } from "./support";

/** One item of a page, as the API writes it: a valid record, noise the schema refuses, or a too-deep record. */
type Item =
  { kind: "valid"; value: Json; time: string } | { kind: "noise"; value: Json } | { kind: "deep"; text: string };

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const plainNumber = numberText.filter((t) => /^-?\d+(\.\d+)?$/.test(t) && t !== "-0");
const item: fc.Arbitrary<Item> = fc.oneof(
  fc
    .record({
      day: fc.integer({ min: 1, max: 28 }),
      amount: plainNumber,
      // What cannot be stored exactly (a lone surrogate) makes a record invalid: noise covers that.
      extra: json(2).filter((v) => unstorable(v).length === 0),
    })
    .map(({ day, amount, extra }) => {
      const time = `2024-05-${String(day).padStart(2, "0")}T12:00:00Z`;
      return { kind: "valid" as const, time, value: { updated_at: time, amount: new LosslessNumber(amount), extra } };
    }),
  // Noise never carries the fields that would make it valid or move the watermark.
  json(3)
    .filter((v) => !(isObject(v) && ("id" in v || "updated_at" in v)))
    .map((value) => ({ kind: "noise" as const, value })),
  fc.integer({ min: 65, max: 3000 }).map((d) => ({ kind: "deep" as const, text: `{"id":"deep","x":${deep(d)}}` })),
);

describe("fuzz: scheduled pull and pipeline runner", function () {
  this.timeout(0);
  const local = localRaw();
  const { read } = local;
  let n = 0;

  it("schedule: every item stored once exactly or rejected with a reason; an API failure is ExternalApiError and keeps the watermark", async () => {
    const pages = fc.array(fc.array(item, { maxLength: 5 }), { minLength: 1, maxLength: 3 });
    const failure = fc.option(
      fc.record({ page: fc.nat(2), answer: fc.constantFrom("503", "<html>", '{"items":"no"}', "[1]", "") }),
      { freq: 4 },
    );
    await fc.assert(
      fc.asyncProperty(pages, failure, async (generated, fail) => {
        const root = `marketing/source=fz-${++n}/`;
        // Ids are unique across the run, so each valid item has its own key.
        let id = 0;
        const texts = generated.map((page) =>
          page.map((it) =>
            it.kind === "deep"
              ? it.text
              : stringifyJson(it.kind === "valid" ? { id: `r${++id}`, ...(it.value as object) } : it.value),
          ),
        );
        const fetchPage: typeof fetch = async (input) => {
          const url = new URL(String(input));
          const index = Number(url.searchParams.get("cursor") ?? 0);
          if (fail && fail.page === index) {
            if (fail.answer === "503") return new Response("down", { status: 503 });
            return new Response(fail.answer, { status: 200 });
          }
          const next = index + 1 < texts.length ? `,"next":"${index + 1}"` : "";
          return new Response(`{"items":[${texts[index].join(",")}]${next}}`, { status: 200 });
        };
        const handler = createScheduleHandler({
          source: {
            name: "crm",
            domain: "marketing",
            root,
            url: "https://partner.example/v1/customers",
            watermarkField: "updated_at",
            idField: "id",
            timeField: "updated_at",
            schema: { type: "object", required: ["id", "updated_at"] },
          },
          raw: new RawWriter(local.s3.client, "raw", KEY_ARN, "crm"),
          logger: quietLogger(),
          metrics: capturedMetrics("crm").metrics,
          fetch: fetchPage,
          now: () => new Date("2024-06-01T00:00:00Z"),
        });
        const failsAt = fail && fail.page < texts.length ? fail.page : undefined;
        let summary;
        try {
          summary = await handler({}, lambdaContext());
        } catch (e) {
          assert.ok(e instanceof ExternalApiError, `only the API's failure fails the run: ${String(e)}`);
          assert.notEqual(failsAt, undefined, String(e));
          assert.deepEqual(await local.s3.keys("raw", `${root}_state/`), [], "the watermark does not move");
          return;
        }
        assert.equal(failsAt, undefined, "a failing page must fail the run");
        const all = generated.flat();
        const valid = all.filter((it) => it.kind === "valid");
        assert.equal(summary.fetched, all.length);
        assert.equal(summary.accepted, valid.length);
        assert.equal(summary.rejected, all.length - valid.length);
        // Stored records: exactly the valid items, each with its exact values.
        const stored = await local.s3.keys("raw", `${root}dt=`);
        assert.equal(stored.length, valid.length);
        const bodies = new Set(await Promise.all(stored.map(async (k) => canonicalJson(parseJsonOk(await read(k))))));
        let k = 0;
        for (const page of generated)
          for (const it of page)
            if (it.kind === "valid")
              assert.ok(bodies.has(canonicalJson({ id: `r${++k}`, ...(it.value as object) })), "exact values");
        // Rejects: each with its reasons; a too-deep item kept whole as text.
        const rejects = await Promise.all(
          (await local.s3.keys("raw", `${root}_rejected/`)).map(async (key) => JSON.parse(await read(key))),
        );
        for (const r of rejects) assert.ok(r.reasons.length > 0 && (r.record !== undefined || r.rawText));
        for (const it of all)
          if (it.kind === "deep")
            assert.ok(
              rejects.some((r) => r.rawText === it.text && /nested deeper than 64 levels/.test(r.reasons[0])),
              "a too-deep item is rejected with its reason",
            );
        if (summary.rejected > 0) assert.ok(rejects.length > 0);
        const newest =
          valid
            .map((it) => it.time)
            .sort()
            .pop() ?? null;
        assert.equal(summary.watermark, newest);
      }),
      params(15005, 15),
    );
  });

  it("runner: any event is acted on or refused with InvalidRunnerEvent naming the field", () => {
    const day = fc.oneof(fc.constantFrom("2024-02-29", "2024-02-30", "2023-02-29", "2024-13-01", "../x"), fc.string());
    const event = fc.oneof(
      json(2),
      fc.record(
        {
          step: fc.oneof(fc.constantFrom("transform", "publish"), fc.string()),
          day,
          at: fc.oneof(fc.string(), json(1)),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(event, (e) => {
        try {
          const checked = checkRunnerEvent(e);
          assert.ok(checked.step === "transform" || checked.step === "publish");
        } catch (err) {
          assert.ok(err instanceof InvalidRunnerEvent, String(err));
          assert.match((err as Error).message, /^(event|step|day|at) must be /);
        }
      }),
      params(15006, 200),
    );
  });

  describe("runner against PostgreSQL", () => {
    let pg: LocalPostgres;
    let admin: Client;
    let warehouse: Warehouse;
    before(async () => {
      pg = await startPostgres();
      admin = pg.client();
      await admin.connect();
      await admin.query("CREATE SCHEMA marts; CREATE TABLE marts.fz (id bigint, attrs jsonb)");
      warehouse = pgWarehouse(
        { engine: "postgres", host: "127.0.0.1", port: pg.port, database: "postgres", tls: false },
        async () => ({ username: "postgres", password: pg.password }),
      );
    });
    after(async () => {
      await warehouse.close();
      await admin.end();
      await pg.stop();
    });

    it("runner: publishes every row of a mart once, digit for digit", async () => {
      const storable = json(3).filter((v) => unstorable(v, "attrs", { warehouse: true }).length === 0);
      const row = fc.record({
        id: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
        attrs: storable.map((v) => stringifyJson(v)),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(row, { maxLength: 8 }), fc.integer({ min: 1, max: 4 }), async (rows, perPart) => {
          await admin.query("TRUNCATE marts.fz");
          for (const r of rows)
            await admin.query("INSERT INTO marts.fz VALUES ($1::bigint, $2::jsonb)", [r.id, r.attrs]);
          const prefix = `fz/t${++n}/`;
          const runner = createRunner({
            config: {
              pipeline: "fz",
              domain: prefix.slice(0, -1),
              datasets: [
                {
                  table: "marts.fz",
                  dataset: "fz",
                  columns: [
                    { name: "id", type: "bigint" },
                    { name: "attrs", type: "string" },
                  ],
                },
              ],
              rowsPerPart: perPart,
            },
            warehouse,
            analytics: new RawWriter(local.s3.client, "raw", KEY_ARN, "fz"),
            logger: quietLogger(),
          });
          await runner({ step: "publish", day: "2024-05-01" });
          const parts = (await local.s3.keys("raw", `${prefix}fz/dt=2024-05-01/`)).filter((k) =>
            k.endsWith(".parquet"),
          );
          const published: Record<string, unknown>[] = [];
          for (const key of parts) {
            const bytes = await (
              await local.s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: key }))
            ).Body!.transformToByteArray();
            const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
            published.push(...((await parquetReadObjects({ file })) as Record<string, unknown>[]));
          }
          // Exact values: jsonb may respell a number (1E+2 as 100) but never round it; keys are compared sorted.
          const same = (id: unknown, attrs: unknown) =>
            `${String(id)} ${canonicalJson(byValue(parseJsonOk(String(attrs))))}`;
          assert.deepEqual(
            published.map((p) => same(p.id, p.attrs)).sort(),
            rows.map((r) => same(r.id, r.attrs)).sort(),
          );
        }),
        params(15007, 10),
      );
    });
  });
});

/** A number's exact value in one spelling (jsonb writes 1E+2 as 100): digits without outer zeros, and an exponent. */
function exactValue(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const digits = `${m[2]}${m[3] ?? ""}`.replace(/^0+/, "");
  const trimmed = digits.replace(/0+$/, "");
  const exp = Number(m[4] ?? 0) - (m[3]?.length ?? 0) + (digits.length - trimmed.length);
  return trimmed === "" ? "0" : `${m[1]}${trimmed}e${exp}`;
}

/** The value with every number in its exact-value spelling, for comparing what jsonb may respell. */
function byValue(v: unknown): unknown {
  if (v instanceof LosslessNumber) return new LosslessNumber(exactValue(v.value));
  if (Array.isArray(v)) return v.map(byValue);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, byValue(x)]));
  return v;
}

function parseJsonOk(text: string): unknown {
  const parsed = parseJson(text, 1000);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}
