import { strict as assert } from "assert";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createHttpHandler, HttpDeps } from "../../components/ingestion/handlers/http";
import { RawObject, RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { ORDERS, order } from "./fixtures";
import {
  capturedMetrics,
  httpRequest,
  KEY_ARN,
  lambdaContext,
  LocalS3,
  MemoryPersistence,
  metricSum,
  quietLogger,
  startS3,
} from "./support";

const request = httpRequest;

/** A real writer that also counts the puts it makes, to show when processing is skipped. */
class CountingWriter extends RawWriter {
  puts = 0;
  override async put(o: RawObject): Promise<void> {
    this.puts++;
    await super.put(o);
  }
}

describe("ingestion: http handler", () => {
  let s3: LocalS3;
  before(async () => {
    s3 = await startS3(["raw"]);
  });
  after(async () => s3.stop());

  let writer: CountingWriter;
  let emitted: () => Record<string, unknown>[];
  let bucket = 0;
  const setup = async (extra: Partial<HttpDeps> = {}) => {
    // A fresh prefix per test keeps assertions about object counts independent.
    const root = `sales/source=orders-${++bucket}/`;
    writer = new CountingWriter(s3.client, "raw", KEY_ARN, "orders");
    const m = capturedMetrics("orders");
    emitted = m.emitted;
    const handler = createHttpHandler({
      source: { ...ORDERS, root },
      raw: writer,
      logger: quietLogger(),
      metrics: m.metrics,
      ...extra,
    });
    return { handler, root };
  };
  const call = async (h: Awaited<ReturnType<typeof setup>>["handler"], e: APIGatewayProxyEventV2) => {
    const r = await h(e, lambdaContext("orders-http"));
    return { status: r.statusCode, body: JSON.parse(r.body as string) as Record<string, unknown> };
  };

  it("accepts a valid record with 202, stores it under its event-day partition and emits the freshness metric", async () => {
    const { handler, root } = await setup();
    const r = await call(handler, request(JSON.stringify(order(1))));
    assert.equal(r.status, 202);
    assert.deepEqual(r.body, { accepted: 1, rejected: 0 });
    assert.deepEqual(await s3.keys("raw", root), [`${root}dt=2024-05-02/o-1.json`]);
    assert.equal(metricSum(emitted(), "RawObjectsWritten"), 1);
    assert.equal((emitted()[0] as { source: string }).source, "orders");
  });

  it("answers 400 listing every invalid record with all its reasons, while the valid ones still land", async () => {
    const { handler, root } = await setup();
    const batch = [
      order(1),
      { order_id: "o-2", amount: -5, currency: "GBP", created_at: "yesterday" },
      order(3),
      { amount: 1, extra: true },
      "not-an-object",
    ];
    const r = await call(handler, request(JSON.stringify(batch)));
    assert.equal(r.status, 400);
    assert.equal(r.body.accepted, 2);
    assert.equal(r.body.rejected, 3);
    const errors = r.body.errors as { index: number; reasons: string[] }[];
    assert.deepEqual(
      errors.map((e) => e.index),
      [1, 3, 4],
    );
    assert.equal(
      errors[0].reasons.length,
      3,
      `amount, currency and created_at are all wrong: ${errors[0].reasons.join("; ")}`,
    );
    assert.ok(
      errors[1].reasons.some((s) => s.includes("'order_id'")) && errors[1].reasons.some((s) => s.includes("'extra'")),
    );
    assert.deepEqual(await s3.keys("raw", root), [`${root}dt=2024-05-01/o-3.json`, `${root}dt=2024-05-02/o-1.json`]);
    assert.equal(metricSum(emitted(), "RecordsRejected"), 3);
  });

  it("rejects malformed JSON with 400 and the parser's reason, writing nothing", async () => {
    const { handler, root } = await setup();
    const r = await call(handler, request('{"order_id": "o-1", '));
    assert.equal(r.status, 400);
    assert.match(String(r.body.message), /^malformed JSON/);
    assert.deepEqual(await s3.keys("raw", root), []);
  });

  it("answers 413 for an oversize body and for too many records", async () => {
    const { handler } = await setup();
    const big = await call(handler, request(JSON.stringify({ ...order(1), note: "x".repeat(5000) })));
    assert.equal(big.status, 413);
    assert.match(String(big.body.message), /exceeds the limit of 4096 bytes/);
    const many = await call(
      handler,
      request(JSON.stringify(Array.from({ length: 21 }, (_, i) => ({ order_id: `${i}` })))),
    );
    assert.equal(many.status, 413);
    assert.equal(writer.puts, 0);
  });

  it("decodes base64 bodies", async () => {
    const { handler, root } = await setup();
    const r = await call(
      handler,
      request(Buffer.from(JSON.stringify([order(4), order(5)])).toString("base64"), {}, true),
    );
    assert.equal(r.status, 202);
    assert.equal((await s3.keys("raw", root)).length, 2);
  });

  it("stores a duplicate delivery on the same keys: no second copy", async () => {
    const { handler, root } = await setup();
    const body = JSON.stringify([order(1), order(2)]);
    await call(handler, request(body));
    await call(handler, request(body));
    assert.deepEqual(await s3.keys("raw", root), [`${root}dt=2024-05-02/o-1.json`, `${root}dt=2024-05-03/o-2.json`]);
  });

  it("replays the first response for a repeated Idempotency-Key without processing again", async () => {
    const store = new MemoryPersistence();
    const { handler } = await setup({ idempotency: store });
    const headers = { "idempotency-key": "client-retry-1" };
    const first = await call(handler, request(JSON.stringify([order(1), order(2)]), headers));
    const puts = writer.puts;
    const again = await call(handler, request(JSON.stringify([order(1), order(2)]), headers));
    assert.deepEqual(again, first);
    assert.equal(writer.puts, puts, "the repeat must not write");
    assert.equal(store.items.size, 1);
    assert.match(
      [...store.items.keys()][0],
      /^local#[A-Za-z0-9+/=]+$/,
      "keys carry the function-name prefix the IAM condition expects",
    );
  });

  it("answers 503 when storage fails, and forgets the attempt so the client's retry is processed", async () => {
    const store = new MemoryPersistence();
    const m = capturedMetrics("orders");
    const broken = createHttpHandler({
      source: ORDERS,
      raw: new RawWriter(s3.client, "no-such-bucket", KEY_ARN, "orders"),
      logger: quietLogger(),
      metrics: m.metrics,
      idempotency: store,
    });
    const headers = { "idempotency-key": "k-503" };
    const r = await broken(request(JSON.stringify(order(1)), headers), lambdaContext());
    assert.equal(r.statusCode, 503);
    assert.equal((r.headers as Record<string, string>)["retry-after"], "5");
    assert.equal(store.items.size, 0, "a failed attempt must not be remembered as done");
  });

  it("publishes accepted records to Kafka keyed by record id, and answers 503 if Kafka is down", async () => {
    const sent: { topic: string; keys: string[] }[] = [];
    const { handler } = await setup({
      source: { ...ORDERS, root: "sales/source=orders-k/", kafkaTopic: "sales.orders" },
      publish: async (topic, msgs) => void sent.push({ topic, keys: msgs.map((m) => m.key) }),
    });
    const r = await call(handler, request(JSON.stringify([order(1), { bad: 1 }, order(2)])));
    assert.equal(r.status, 400);
    assert.deepEqual(sent, [{ topic: "sales.orders", keys: ["o-1", "o-2"] }], "only valid records are published");

    const { handler: down } = await setup({
      source: { ...ORDERS, kafkaTopic: "sales.orders" },
      publish: async () => Promise.reject(new Error("broker unreachable")),
    });
    assert.equal((await call(down, request(JSON.stringify(order(1))))).status, 503);
  });

  it("rejects a record whose event time cannot be partitioned", async () => {
    const { handler } = await setup({ source: { ...ORDERS, schema: undefined } });
    const r = await call(handler, request(JSON.stringify({ order_id: "x", created_at: "10000-01-01T00:00:00Z" })));
    assert.equal(r.status, 400);
    assert.match((r.body.errors as { reasons: string[] }[])[0].reasons[0], /created_at/);
  });
});
