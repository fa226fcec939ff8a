import { strict as assert } from "assert";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { DynamoDBRecord } from "aws-lambda";
import { createDbEventsHandler } from "../../components/ingestion/handlers/db-events";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { capturedMetrics, KEY_ARN, lambdaContext, LocalS3, metricSum, quietLogger, startS3 } from "./support";

function change(
  seq: number,
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  item: DynamoDBRecord["dynamodb"],
): DynamoDBRecord {
  return {
    eventID: `ev${seq}`,
    eventName,
    eventSource: "aws:dynamodb",
    awsRegion: "eu-west-1",
    dynamodb: {
      SequenceNumber: String(1000 + seq),
      ApproximateCreationDateTime: 1717200000 + seq,
      StreamViewType: "NEW_AND_OLD_IMAGES",
      ...item,
    },
  };
}

describe("ingestion: db-events handler", () => {
  let s3: LocalS3;
  before(async () => (s3 = await startS3(["raw"])));
  after(async () => s3.stop());

  const source = { name: "carts", domain: "sales", root: "sales/source=carts/" };

  it("writes each change with keys, old and new images; an undecodable record is kept under _rejected/ with its reason, never retried", async () => {
    const m = capturedMetrics("carts");
    const handler = createDbEventsHandler({
      source,
      raw: new RawWriter(s3.client, "raw", KEY_ARN, "carts"),
      logger: quietLogger(),
      metrics: m.metrics,
    });
    const records = [
      change(1, "INSERT", {
        Keys: { pk: { S: "cart#1" } },
        NewImage: { pk: { S: "cart#1" }, total: { N: "12.5" }, items: { L: [{ S: "sku-1" }] } },
      }),
      change(2, "MODIFY", {
        Keys: { pk: { S: "cart#1" } },
        OldImage: { pk: { S: "cart#1" }, total: { N: "12.5" } },
        NewImage: { pk: { S: "cart#1" }, total: { N: "20" } },
      }),
      change(3, "INSERT", { Keys: { pk: {} as never }, NewImage: {} }), // an attribute value with no type: cannot be decoded
      change(4, "REMOVE", { Keys: { pk: { S: "cart#2" } }, OldImage: { pk: { S: "cart#2" } } }),
    ];
    const r = await handler({ Records: records }, lambdaContext("carts-stream"));
    assert.deepEqual(r.batchItemFailures, []);
    const all = await s3.keys("raw", source.root);
    const keys = all.filter((k) => !k.includes("_rejected/"));
    assert.deepEqual(
      keys,
      ["ev1", "ev2", "ev4"].map((id) => `${source.root}dt=2024-06-01/${id}.json`),
    );
    const [rejectKey] = all.filter((k) => k.includes("_rejected/"));
    assert.match(rejectKey, /_rejected\/dt=\d{4}-\d{2}-\d{2}\/ev3\.json$/);
    const rejected = JSON.parse(
      await (await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: rejectKey }))).Body!.transformToString(),
    );
    assert.match(rejected.reasons[0], /keys\.pk must have exactly one type tag/);
    assert.equal(rejected.record.eventID, "ev3");
    const stored = JSON.parse(
      await (await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: keys[1] }))).Body!.transformToString(),
    );
    assert.deepEqual(stored.keys, { pk: "cart#1" });
    assert.equal(stored.oldImage.total, 12.5);
    assert.equal(stored.newImage.total, 20);
    assert.equal(stored.eventName, "MODIFY");
    assert.equal(metricSum(m.emitted(), "RawObjectsWritten"), 3);
  });

  it("a retried batch lands on the same keys", async () => {
    const handler = createDbEventsHandler({
      source: { ...source, root: "sales/source=carts-2/" },
      raw: new RawWriter(s3.client, "raw", KEY_ARN, "carts"),
      logger: quietLogger(),
      metrics: capturedMetrics("c").metrics,
    });
    const batch = { Records: [change(1, "INSERT", { Keys: { pk: { S: "a" } }, NewImage: { pk: { S: "a" } } })] };
    await handler(batch, lambdaContext());
    await handler(batch, lambdaContext());
    assert.equal((await s3.keys("raw", "sales/source=carts-2/")).length, 1);
  });
});
