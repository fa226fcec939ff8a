// Regression cases for hostile and careless input, against the real handlers and a real local S3 server:
// each case here once answered 5xx, lost or altered a record, or blocked a batch.
import { strict as assert } from "assert";
import { gzipSync } from "zlib";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { APIGatewayProxyEventV2, DynamoDBRecord, SQSRecord } from "aws-lambda";
import { createDbEventsHandler } from "../../components/ingestion/handlers/db-events";
import { createHttpHandler, HttpDeps, MAX_ERRORS } from "../../components/ingestion/handlers/http";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { createQueueHandler } from "../../components/ingestion/handlers/queue";
import { ORDERS, order } from "./fixtures";
import {
  capturedMetrics,
  httpRequest,
  KEY_ARN,
  lambdaContext,
  LocalS3,
  MemoryPersistence,
  quietLogger,
  startS3,
} from "./support";

const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

describe("ingestion: adversarial input", () => {
  let s3: LocalS3;
  before(async () => (s3 = await startS3(["raw"])));
  after(async () => s3.stop());

  let n = 0;
  const text = async (key: string) =>
    (await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: key }))).Body!.transformToString("utf8");

  describe("http intake", () => {
    const setup = (extra: Partial<HttpDeps> = {}, source: Partial<typeof ORDERS> = {}) => {
      const root = `sales/source=adv-${++n}/`;
      const handler = createHttpHandler({
        source: { ...ORDERS, root, ...source },
        raw: new RawWriter(s3.client, "raw", KEY_ARN, "orders"),
        logger: quietLogger(),
        metrics: capturedMetrics("orders").metrics,
        ...extra,
      });
      const call = async (e: APIGatewayProxyEventV2) => {
        const r = await handler(e, lambdaContext("orders-http"));
        return {
          status: r.statusCode!,
          size: Buffer.byteLength(r.body as string),
          body: JSON.parse(r.body as string) as Record<string, unknown>,
        };
      };
      return { call, root };
    };
    const reasons = (body: Record<string, unknown>) =>
      (body.errors as { reasons: string[] }[]).flatMap((e) => e.reasons);

    it("answers 400 naming the record for a member nested 3,000 levels deep, and writes nothing", async () => {
      const { call, root } = setup({}, { schema: undefined, maxBodyBytes: 100_000 });
      const body = `[{"order_id":"a","created_at":"2024-05-01T00:00:00Z"},{"order_id":"b","deep":${nested(3000)}}]`;
      const r = await call(httpRequest(body));
      assert.equal(r.status, 400);
      assert.match(String(r.body.message), /record 1 is nested deeper than 64 levels/);
      assert.deepEqual(await s3.keys("raw", root), []);
    });

    it("keeps integers beyond 2^53 and long decimals digit for digit, on distinct keys", async () => {
      const { call, root } = setup({}, { schema: undefined, idField: "id", timeField: undefined });
      const body =
        '[{"id":9007199254740993,"v":0.1000000000000000055511151231257827},{"id":9007199254740992,"v":1e400}]';
      const r = await call(httpRequest(body));
      assert.equal(r.status, 400, "1e400 is beyond a double: refused with its reason, the other record lands");
      assert.match(reasons(r.body)[0], /record\.v is 1e400, outside the range/);
      const keys = await s3.keys("raw", root);
      assert.equal(keys.length, 1);
      assert.match(keys[0], /\/9007199254740993\.json$/);
      assert.equal(await text(keys[0]), '{"id":9007199254740993,"v":0.1000000000000000055511151231257827}');
      const ok = await call(httpRequest('{"id":9007199254740992,"v":1}'));
      assert.equal(ok.status, 202);
      assert.equal((await s3.keys("raw", root)).length, 2, "the neighbouring id lands on its own key");
    });

    it("reports records with the same id in one batch, the string '1' and the number 1 included, storing one", async () => {
      const { call, root } = setup({}, { schema: undefined, idField: "id", timeField: undefined });
      const r = await call(httpRequest('[{"id":1,"v":"a"},{"id":"1","v":"b"},{"id":2},{"id":2,"v":"c"}]'));
      assert.equal(r.status, 400);
      assert.equal(r.body.accepted, 2);
      assert.equal(r.body.rejected, 2);
      const errors = r.body.errors as { index: number; reasons: string[] }[];
      assert.deepEqual(
        errors.map((e) => e.index),
        [1, 3],
      );
      assert.match(errors[0].reasons[0], /duplicate id in this batch: record 0/);
      const keys = await s3.keys("raw", root);
      assert.equal(keys.length, 2);
      assert.equal(await text(keys.find((k) => k.endsWith("/1.json"))!), '{"id":1,"v":"a"}');
    });

    it("binds an Idempotency-Key to its body: a corrected batch after a 400 is processed, another body is refused with 422", async () => {
      const store = new MemoryPersistence();
      const { call, root } = setup({ idempotency: store });
      const headers = { "idempotency-key": "k-1" };
      const bad = await call(httpRequest(JSON.stringify([order(1), { ...order(2), amount: -1 }]), headers));
      assert.equal(bad.status, 400);
      assert.equal(store.items.size, 0, "a 4xx is never cached");
      const fixed = JSON.stringify([order(1), order(2)]);
      assert.equal((await call(httpRequest(fixed, headers))).status, 202);
      assert.equal((await s3.keys("raw", root)).length, 2, "the corrected record is stored");
      const replay = await call(httpRequest(fixed, headers));
      assert.equal(replay.status, 202);
      const other = await call(httpRequest(JSON.stringify([order(3)]), headers));
      assert.equal(other.status, 422);
      assert.match(String(other.body.message), /already used for a different body/);
      assert.equal((await s3.keys("raw", root)).length, 2, "a refused request writes nothing");
    });

    it("caps the error list and each record's reasons, saying how many were left out, so the answer fits Lambda's 6 MB", async () => {
      const { call } = setup({}, { maxBodyBytes: 6_000_000, maxRecords: 10_000 });
      const junk = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`unknown_member_${i}`, i]));
      const batch = Array.from({ length: 600 }, () => junk);
      const body = JSON.stringify(batch);
      assert.ok(body.length > 5_000_000);
      const r = await call(httpRequest(body));
      assert.equal(r.status, 400);
      assert.equal(r.body.rejected, 600);
      assert.equal((r.body.errors as unknown[]).length, MAX_ERRORS);
      assert.equal(r.body.errorsOmitted, 600 - MAX_ERRORS);
      const first = (r.body.errors as { reasons: string[] }[])[0].reasons;
      assert.equal(first.length, 11);
      assert.match(first[10], /and \d+ more problems/);
      assert.ok(r.size < 1_000_000, `answer of ${r.size} bytes`);
    });

    it("refuses invalid UTF-8, undeclared gzip and non-JSON content types with the right status; accepts declared gzip", async () => {
      const { call, root } = setup();
      const invalid = Buffer.concat([
        Buffer.from('{"order_id":"o-1","note":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]);
      const utf8 = await call(httpRequest(invalid.toString("base64"), {}, true));
      assert.equal(utf8.status, 400);
      assert.match(String(utf8.body.message), /not valid UTF-8/);
      const gz = gzipSync(JSON.stringify([order(1), order(2)])).toString("base64");
      const undeclared = await call(httpRequest(gz, { "content-type": "application/json" }, true));
      assert.equal(undeclared.status, 415);
      const csv = await call(httpRequest("order_id,amount\no-1,1", { "content-type": "text/csv" }));
      assert.equal(csv.status, 415);
      const latin = await call(httpRequest("{}", { "content-type": "application/json; charset=iso-8859-1" }));
      assert.equal(latin.status, 415);
      const br = await call(httpRequest(gz, { "content-encoding": "br" }, true));
      assert.equal(br.status, 415);
      assert.deepEqual(await s3.keys("raw", root), []);
      const declared = await call(
        httpRequest(gz, { "content-type": "application/json", "content-encoding": "gzip" }, true),
      );
      assert.equal(declared.status, 202);
      assert.equal((await s3.keys("raw", root)).length, 2);
    });

    it("answers 413 for a gzip body that expands beyond the limit", async () => {
      const { call } = setup();
      const bomb = gzipSync(JSON.stringify({ ...order(1), note: " ".repeat(10_000_000) })).toString("base64");
      const r = await call(httpRequest(bomb, { "content-encoding": "gzip" }, true));
      assert.equal(r.status, 413);
    });

    it("refuses calendar-invalid dates instead of rolling them into the next day's partition", async () => {
      const { call, root } = setup();
      const r = await call(httpRequest(JSON.stringify([order(1, { created_at: "2024-02-30T10:00:00Z" })])));
      assert.equal(r.status, 400);
      assert.match(reasons(r.body).join(), /created_at must match format "date-time"/);
      const noSchema = setup({}, { schema: undefined });
      const r2 = await noSchema.call(httpRequest(JSON.stringify({ order_id: "x", created_at: "2023-02-29" })));
      assert.equal(r2.status, 400);
      assert.match(reasons(r2.body)[0], /created_at is not an ISO 8601 timestamp within the calendar/);
      assert.deepEqual(await s3.keys("raw", root), []);
    });

    it("validates a catastrophic pattern in linear time", async () => {
      const { call } = setup(
        {},
        { schema: { type: "object", properties: { s: { type: "string", pattern: "^(a+)+$" } } } },
      );
      const started = Date.now();
      const r = await call(httpRequest(JSON.stringify({ s: `${"a".repeat(3000)}!` })));
      assert.equal(r.status, 400);
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });

    it("refuses strings with unpaired surrogates (UTF-8 cannot store them) naming the field", async () => {
      const { call } = setup({}, { schema: undefined });
      const r = await call(httpRequest('{"order_id":"x","note":"\\ud800"}'));
      assert.equal(r.status, 400);
      assert.match(reasons(r.body)[0], /record\.note contains an unpaired UTF-16 surrogate/);
    });
  });

  describe("queue", () => {
    const message = (id: string, body: string): SQSRecord => ({
      messageId: id,
      receiptHandle: "h",
      body,
      attributes: {} as SQSRecord["attributes"],
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:q",
      awsRegion: "eu-west-1",
    });

    it("rejects a deeply nested message with its reason instead of failing it into the DLQ; big numbers stay exact", async () => {
      const root = `sales/source=q-${++n}/`;
      const handler = createQueueHandler({
        source: { name: "q", domain: "sales", root },
        raw: new RawWriter(s3.client, "raw", KEY_ARN, "q"),
        logger: quietLogger(),
        metrics: capturedMetrics("q").metrics,
        now: () => new Date("2024-05-01T00:00:00Z"),
      });
      const r = await handler(
        { Records: [message("m1", `{"a":${nested(5000)}}`), message("m2", '{"n":123456789012345678901234567890}')] },
        lambdaContext(),
      );
      assert.deepEqual(r.batchItemFailures, []);
      const keys = await s3.keys("raw", root);
      assert.deepEqual(keys, [`${root}_rejected/dt=2024-05-01/m1.json`, `${root}dt=2024-05-01/m2.json`]);
      assert.match(JSON.parse(await text(keys[0])).reasons[0], /nested deeper than 64 levels/);
      assert.equal(await text(keys[1]), '{"n":123456789012345678901234567890}');
    });
  });

  describe("db-events", () => {
    it("stores string, number and binary sets, 38-digit numbers and exact decimals losslessly", async () => {
      const root = `sales/source=d-${++n}/`;
      const handler = createDbEventsHandler({
        source: { name: "d", domain: "sales", root },
        raw: new RawWriter(s3.client, "raw", KEY_ARN, "d"),
        logger: quietLogger(),
        metrics: capturedMetrics("d").metrics,
      });
      const record: DynamoDBRecord = {
        eventID: "e1",
        eventName: "INSERT",
        dynamodb: {
          SequenceNumber: "1",
          ApproximateCreationDateTime: 1717200000,
          Keys: { pk: { N: "12345678901234567890123456789012345678" } },
          NewImage: {
            pk: { N: "12345678901234567890123456789012345678" },
            tags: { SS: ["a", "b"] },
            scores: { NS: ["1", "0.30000000000000000000000000000000001"] },
            blobs: { BS: ["AAEC"] },
            blob: { B: "/w==" },
            price: { N: "19.990000000000000000000000000001" },
          },
        },
      };
      const r = await handler({ Records: [record] }, lambdaContext());
      assert.deepEqual(r.batchItemFailures, []);
      const [key] = await s3.keys("raw", root);
      const body = await text(key);
      assert.match(body, /"keys":\{"pk":12345678901234567890123456789012345678\}/);
      assert.match(body, /"tags":\["a","b"\]/);
      assert.match(body, /"scores":\[1,0\.30000000000000000000000000000000001\]/);
      assert.match(body, /"blobs":\["AAEC"\]/);
      assert.match(body, /"blob":"\/w=="/);
      assert.match(body, /"price":19\.990000000000000000000000000001/);
    });
  });
});
