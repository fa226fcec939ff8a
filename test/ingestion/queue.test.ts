import { strict as assert } from "assert";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { createQueueHandler } from "../../components/ingestion/handlers/queue";
import { RawObject, RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { ORDER_SCHEMA, order } from "./fixtures";
import {
  capturedMetrics,
  KEY_ARN,
  lambdaContext,
  LocalS3,
  MemoryPersistence,
  metricSum,
  quietLogger,
  startS3,
} from "./support";

function message(id: string, body: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders",
    awsRegion: "eu-west-1",
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1714557600000",
      SenderId: "s",
      ApproximateFirstReceiveTimestamp: "1714557600000",
    },
    messageAttributes: {},
  };
}

/** Real S3 writes, except for keys containing `fail`: a storage outage confined to one message. */
class FlakyWriter extends RawWriter {
  override async put(o: RawObject): Promise<void> {
    if (o.key.includes("fail")) throw new Error("S3 503 SlowDown");
    await super.put(o);
  }
}

describe("ingestion: queue handler", () => {
  let s3: LocalS3;
  before(async () => (s3 = await startS3(["raw"])));
  after(async () => s3.stop());

  const NOW = new Date("2024-05-10T08:00:00Z");
  const source = {
    name: "payments",
    domain: "sales",
    root: "sales/source=payments/",
    schema: ORDER_SCHEMA,
    timeField: "created_at",
  };
  const batch: SQSEvent = {
    Records: [
      message("m-1", JSON.stringify(order(1))),
      message("m-bad-json", "{not json"),
      message("m-invalid", JSON.stringify({ order_id: "o-9", amount: "lots" })),
      message("m-fail", JSON.stringify(order(2))),
      message("m-5", JSON.stringify(order(3))),
    ],
  };

  it("lands good messages, keeps bad ones with reasons, and returns only the transient failure for retry", async () => {
    const m = capturedMetrics("payments");
    const handler = createQueueHandler({
      source,
      raw: new FlakyWriter(s3.client, "raw", KEY_ARN, "payments"),
      logger: quietLogger(),
      metrics: m.metrics,
      now: () => NOW,
    });
    const r = await handler(batch, lambdaContext("payments-queue"));
    assert.deepEqual(r.batchItemFailures, [{ itemIdentifier: "m-fail" }]);
    assert.deepEqual(await s3.keys("raw", source.root), [
      `${source.root}_rejected/dt=2024-05-10/m-bad-json.json`,
      `${source.root}_rejected/dt=2024-05-10/m-invalid.json`,
      `${source.root}dt=2024-05-01/m-5.json`,
      `${source.root}dt=2024-05-02/m-1.json`,
    ]);
    const rejected = JSON.parse(
      await (
        await s3.client.send(
          new GetObjectCommand({ Bucket: "raw", Key: `${source.root}_rejected/dt=2024-05-10/m-invalid.json` }),
        )
      ).Body!.transformToString(),
    );
    assert.equal(rejected.record.order_id, "o-9", "the rejected record is kept as it arrived");
    assert.equal(rejected.reasons.length, 3, `every reason is listed: ${rejected.reasons.join("; ")}`);
    const bad = JSON.parse(
      await (
        await s3.client.send(
          new GetObjectCommand({ Bucket: "raw", Key: `${source.root}_rejected/dt=2024-05-10/m-bad-json.json` }),
        )
      ).Body!.transformToString(),
    );
    assert.equal(bad.rawText, "{not json");
    assert.equal(metricSum(m.emitted(), "RecordsAccepted"), 2);
    assert.equal(metricSum(m.emitted(), "RecordsRejected"), 2);
  });

  it("redelivery of the same messages adds no objects, and idempotency skips already processed ones", async () => {
    const store = new MemoryPersistence();
    const root = "sales/source=payments-2/";
    let puts = 0;
    class Counting extends RawWriter {
      override async put(o: RawObject) {
        puts++;
        await super.put(o);
      }
    }
    const handler = createQueueHandler({
      source: { ...source, root },
      raw: new Counting(s3.client, "raw", KEY_ARN, "payments"),
      logger: quietLogger(),
      metrics: capturedMetrics("p").metrics,
      idempotency: store,
      now: () => NOW,
    });
    const good = { Records: [batch.Records[0], batch.Records[4], batch.Records[2]] };
    assert.deepEqual((await handler(good, lambdaContext())).batchItemFailures, []);
    const keys = await s3.keys("raw", root);
    const first = puts;
    assert.deepEqual((await handler(good, lambdaContext())).batchItemFailures, []);
    assert.deepEqual(await s3.keys("raw", root), keys);
    assert.equal(puts, first, "already processed messages are not written again");
  });

  it("reports every message (instead of throwing) when the whole batch fails, so each retries on its own count", async () => {
    const handler = createQueueHandler({
      source,
      raw: new RawWriter(s3.client, "missing-bucket", KEY_ARN, "payments"),
      logger: quietLogger(),
      metrics: capturedMetrics("p").metrics,
    });
    const r = await handler({ Records: [batch.Records[0], batch.Records[4]] }, lambdaContext());
    assert.deepEqual(
      // A partial batch response is a set: the order of failures carries no meaning.
      r.batchItemFailures.map((f) => f.itemIdentifier).sort(),
      ["m-1", "m-5"],
    );
  });
});
