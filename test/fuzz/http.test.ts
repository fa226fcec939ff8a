// Fuzz: the HTTP intake against a real local S3 server. Whatever the body, headers or Idempotency-Key reuse, the
// answer is never 5xx, always fits Lambda's limit and names its reasons; accepted records are stored exactly once
// with their exact text, and published to Kafka with that text; rejected ones are never stored; a used key never
// replays an answer about another body.
import { strict as assert } from "assert";
import { gzipSync } from "zlib";
import fc from "fast-check";
import { createHttpHandler } from "../../components/ingestion/handlers/http";
import { canonicalJson, stringifyJson } from "../../components/ingestion/records/json";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import {
  capturedMetrics,
  httpRequest,
  KEY_ARN,
  lambdaContext,
  MemoryPersistence,
  quietLogger,
} from "../ingestion/support";
import { deep, json, Json, localRaw, numberText, params } from "./support";
import { LosslessNumber } from "../../components/ingestion/records/json";

const SCHEMA = {
  type: "object",
  properties: {
    at: { type: "string", format: "date-time" },
    code: { type: "string", pattern: "^(a+)+$" },
    n: { type: "number", minimum: 0 },
  },
};

const id = fc.oneof(
  fc.constantFrom("1", "a", "x/../y", "é"),
  fc.integer({ min: 0, max: 3 }).map((n) => new LosslessNumber(String(n))),
  numberText.map((t) => new LosslessNumber(t)),
);
const at = fc.constantFrom(
  "2024-05-01T10:00:00Z",
  "2024-02-29T23:59:59+01:00",
  "2024-02-30T10:00:00Z",
  "2023-02-29",
  "2024-13-01T00:00:00Z",
  "yesterday",
);
const record: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      { id, at, code: fc.constantFrom("aaa", `${"a".repeat(40)}!`), rest: json(3) },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: json(3) },
);

interface Transport {
  readonly contentType?: string;
  readonly gzip: "no" | "declared" | "undeclared";
  readonly base64: boolean;
  readonly corrupt: boolean;
  readonly deep: boolean;
}
const transport: fc.Arbitrary<Transport> = fc.record({
  contentType: fc.constantFrom(
    undefined,
    "application/json",
    "application/json; charset=utf-8",
    "text/csv",
    "application/json; charset=latin1",
  ),
  gzip: fc.constantFrom("no", "no", "declared", "undeclared"),
  base64: fc.boolean(),
  corrupt: fc.boolean(),
  deep: fc.boolean(),
});

describe("fuzz: http intake", function () {
  this.timeout(0);
  const local = localRaw();

  it("never 5xx, never oversize, never loses or alters an accepted record, never stores a rejected one", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        transport,
        fc.option(fc.array(record, { minLength: 1, maxLength: 3 })),
        async (records, batch, t, second) => {
          const root = `sales/source=fz-${++n}/`;
          const store = new MemoryPersistence();
          const published: string[] = [];
          const handler = createHttpHandler({
            source: {
              name: "fz",
              domain: "sales",
              root,
              schema: SCHEMA,
              idField: "id",
              timeField: "at",
              maxBodyBytes: 20_000,
              maxRecords: 4,
              kafkaTopic: "sales.orders",
            },
            publish: async (_, messages) => void published.push(...messages.map((m) => m.value)),
            raw: new RawWriter(local.s3.client, "raw", KEY_ARN, "fz"),
            logger: quietLogger(),
            metrics: capturedMetrics("fz").metrics,
            idempotency: store,
          });
          let text = stringifyJson(batch ? records : records[0]);
          if (t.deep) text = text.replace(/^\[/, `[${deep(200)},`);
          let bytes = Buffer.from(text, "utf8");
          if (t.corrupt)
            bytes = Buffer.concat([
              bytes.subarray(0, bytes.length - 1),
              Buffer.from([0xff]),
              bytes.subarray(bytes.length - 1),
            ]);
          if (t.gzip !== "no") bytes = gzipSync(bytes);
          const base64 = t.base64 || t.gzip !== "no" || t.corrupt;
          const headers: Record<string, string> = { "idempotency-key": "k" };
          if (t.contentType) headers["content-type"] = t.contentType;
          if (t.gzip === "declared") headers["content-encoding"] = "gzip";
          const send = async (body: string) => {
            const r = await handler(httpRequest(body, headers, base64), lambdaContext("fz"));
            assert.ok(Buffer.byteLength(r.body as string) < 6_000_000, "answer fits Lambda's payload limit");
            const parsed = JSON.parse(r.body as string) as {
              message?: string;
              accepted?: number;
              rejected?: number;
              errors?: { index: number; reasons: string[] }[];
              errorsOmitted?: number;
            };
            assert.ok([202, 400, 413, 415, 422].includes(r.statusCode!), `status ${r.statusCode}: ${r.body}`);
            if (r.statusCode !== 202) assert.ok(parsed.message && parsed.message.length > 0, "a refusal says why");
            for (const e of parsed.errors ?? []) {
              assert.ok(e.reasons.length > 0 && e.reasons.length <= 11);
              for (const reason of e.reasons) assert.match(reason, /record|\/|id|created|at|duplicate|more problems/);
            }
            return { status: r.statusCode!, body: parsed };
          };
          const first = await send(base64 ? bytes.toString("base64") : text);
          // A single record that is itself a JSON array is a batch to the intake: its elements are the records.
          const single = records[0];
          const list: Json[] = batch ? records : Array.isArray(single) ? single : [single];

          const stored = await local.s3.keys("raw", root);
          const bodies = await Promise.all(stored.map(local.read));
          assert.deepEqual([...published].sort(), [...bodies].sort(), "Kafka gets exactly the stored records");
          if (first.status === 202 || (first.status === 400 && first.body.errors)) {
            const refused = new Set((first.body.errors ?? []).map((e) => e.index));
            assert.equal(first.body.accepted! + first.body.rejected!, list.length);
            assert.equal(stored.length, first.body.accepted, "each accepted record stored once");
            if (first.body.errorsOmitted === undefined) {
              const expected = list
                .filter((_, i) => !refused.has(i))
                .map((r) => canonicalJson(r))
                .sort();
              assert.deepEqual([...bodies].sort(), expected, "stored exactly as sent, rejected never stored");
            }
          } else assert.equal(stored.length, 0, "a refused request writes nothing");
          if (t.contentType === "text/csv" || t.contentType?.includes("latin1") || t.gzip === "undeclared")
            assert.equal(first.status, 415);
          if (t.corrupt && t.gzip !== "undeclared" && !t.contentType?.match(/csv|latin1/))
            assert.equal(first.status, 400);

          if (second) {
            // The same key again: the same body replays a 202, another body after a 202 is refused with 422.
            const again = await send(base64 ? bytes.toString("base64") : text);
            if (first.status === 202) assert.deepEqual(again, first);
            const other = stringifyJson(second);
            const r = await send(base64 ? Buffer.from(other).toString("base64") : other);
            if (first.status === 202 && other !== text && t.gzip === "no" && !t.corrupt && !base64)
              assert.equal(r.status, 422);
            if (r.status === 422) assert.equal((await local.s3.keys("raw", root)).length, stored.length);
          }
        },
      ),
      params(15001, 25),
    );
  });
});
