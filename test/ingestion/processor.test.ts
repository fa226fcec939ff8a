import { strict as assert } from "assert";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { MSKEvent, MSKRecord } from "aws-lambda";
import {
  acceptedKey,
  createProcessorHandler,
  PartitionFailures,
  recordName,
} from "../../components/ingestion/handlers/processor";
import { RawObject, RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { rejectedKey } from "../../components/ingestion/keys";
import { capturedMetrics, KEY_ARN, LocalS3, metricSum, quietLogger, startS3 } from "./support";

// The stream processor's handler against a real S3-compatible server: poison records are parked with their reasons
// without failing the invocation, a redelivered batch lands on the same keys, and a transient failure stops only its
// partition, which is applied strictly in offset order.

const TOPIC = "sales.orders";
const T0 = Date.UTC(2024, 5, 1, 12);
const schema = {
  type: "object",
  required: ["order_id", "amount"],
  additionalProperties: false,
  properties: { order_id: { type: "string" }, amount: { type: "number", minimum: 0 } },
};

function record(partition: number, offset: number, value: string | Buffer | null): MSKRecord {
  const bytes = value === null ? undefined : typeof value === "string" ? Buffer.from(value, "utf8") : value;
  return {
    topic: TOPIC,
    partition,
    offset,
    timestamp: T0 + offset * 1000,
    timestampType: "CREATE_TIME",
    key: Buffer.from(`k${offset}`).toString("base64"),
    value: bytes ? bytes.toString("base64") : (undefined as unknown as string),
    headers: [],
  };
}

const event = (...records: MSKRecord[]): MSKEvent => {
  const byPartition: MSKEvent["records"] = {};
  for (const r of records) (byPartition[`${r.topic}-${r.partition}`] ??= []).push(r);
  return {
    eventSource: "aws:kafka",
    eventSourceArn: "arn:aws:kafka:eu-west-1:123456789012:cluster/acme/abc",
    bootstrapServers: "b-1:9098",
    records: byPartition,
  };
};

/** A writer that records the order of puts and fails the first put of chosen keys (a transient S3 error). */
class FlakyWriter extends RawWriter {
  readonly order: string[] = [];
  constructor(
    s3: LocalS3,
    private readonly failOnce: Set<string>,
  ) {
    super(s3.client, "raw", KEY_ARN, "orders-enricher");
  }
  override async put(o: RawObject): Promise<void> {
    if (this.failOnce.delete(o.key)) throw new Error("SlowDown: please reduce your request rate");
    await super.put(o);
    this.order.push(o.key);
  }
}

describe("ingestion: stream processor handler", () => {
  let s3: LocalS3;
  before(async () => (s3 = await startS3(["raw"])));
  after(async () => s3.stop());
  const text = async (key: string) =>
    (await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: key }))).Body!.transformToString();
  const processor = (root: string) => ({ name: "orders-enricher", domain: "sales", root, topic: TOPIC, schema });

  it("parks poison records with their reasons and exact value, never failing the batch or touching good records", async () => {
    const root = "sales/processor=poison/";
    const m = capturedMetrics("orders-enricher");
    const handler = createProcessorHandler({
      processor: processor(root),
      raw: new RawWriter(s3.client, "raw", KEY_ARN, "orders-enricher"),
      logger: quietLogger(),
      metrics: m.metrics,
    });
    const good = [record(0, 1, '{"order_id":"o-1","amount":12.50}'), record(0, 6, '{"order_id":"o-6","amount":1}')];
    const poison = [
      record(0, 2, "{not json"),
      record(0, 3, Buffer.from([0xff, 0xfe, 0x00])),
      record(0, 4, null),
      record(0, 5, '{"order_id":"o-5","amount":-3}'),
    ];
    await handler(event(good[0], ...poison, good[1]));

    const keys = await s3.keys("raw", root);
    assert.deepEqual(keys, [...good.map((r) => acceptedKey(root, r)), ...poison.map((r) => park(root, r))].sort());
    // Accepted records keep every digit as sent.
    assert.equal(await text(acceptedKey(root, good[0])), '{"amount":12.50,"order_id":"o-1"}');
    const parked = await Promise.all(poison.map(async (r) => JSON.parse(await text(park(root, r)))));
    assert.match(parked[0].reasons[0], /JSON/i);
    assert.equal(parked[0].rawText, "{not json");
    assert.deepEqual(parked[1].reasons, ["value is not UTF-8 text"]);
    assert.equal(parked[1].rawText, `base64:${Buffer.from([0xff, 0xfe, 0x00]).toString("base64")}`);
    assert.match(parked[2].reasons[0], /no value/);
    assert.match(parked[3].reasons.join(" "), /amount.*>= 0/);
    assert.deepEqual(parked[3].record, { order_id: "o-5", amount: -3 });
    assert.deepEqual(parked[3].origin, { topic: TOPIC, partition: 0, offset: 5, timestamp: T0 + 5000 });
    assert.equal(metricSum(m.emitted(), "RecordsAccepted") + metricSum(m.emitted(), "RecordsRejected"), 6);
  });

  it("a redelivered batch lands on the same keys with the same content", async () => {
    const root = "sales/processor=redelivery/";
    const handler = createProcessorHandler({
      processor: processor(root),
      raw: new RawWriter(s3.client, "raw", KEY_ARN, "orders-enricher"),
      logger: quietLogger(),
      metrics: capturedMetrics("x").metrics,
    });
    const batch = event(record(3, 10, '{"order_id":"a","amount":1}'), record(3, 11, "oops"));
    await handler(batch);
    const first = await s3.keys("raw", root);
    const bodies = await Promise.all(first.map(text));
    await handler(batch);
    assert.deepEqual(await s3.keys("raw", root), first);
    assert.deepEqual(await Promise.all(first.map(text)), bodies);
    assert.equal(first.length, 2);
  });

  it("a transient failure stops only its partition, in offset order; the redelivery completes it", async () => {
    const root = "sales/processor=ordering/";
    const p0 = [1, 2, 3, 4].map((o) => record(0, o, `{"order_id":"p0-${o}","amount":${o}}`));
    const p1 = [7, 8].map((o) => record(1, o, `{"order_id":"p1-${o}","amount":${o}}`));
    const writer = new FlakyWriter(s3, new Set([acceptedKey(root, p0[1])]));
    const handler = createProcessorHandler({
      processor: processor(root),
      raw: writer,
      logger: quietLogger(),
      metrics: capturedMetrics("x").metrics,
    });
    // Lambda hands partitions in offset order; the handler does not rely on it.
    const batch = event(p0[2], p1[1], p0[0], p0[3], p0[1], p1[0]);
    await assert.rejects(handler(batch), (e: unknown) => {
      assert.ok(e instanceof PartitionFailures);
      assert.deepEqual(
        e.failed.map((f) => [f.partition, f.offset]),
        [[`${TOPIC}-0`, 2]],
      );
      return true;
    });
    // Partition 0 stopped at offset 2: nothing after it was written; partition 1 is complete.
    assert.deepEqual(await s3.keys("raw", root), [p0[0], p1[0], p1[1]].map((r) => acceptedKey(root, r)).sort());
    await handler(batch);
    assert.deepEqual(await s3.keys("raw", root), [...p0, ...p1].map((r) => acceptedKey(root, r)).sort());
    const p0Writes = writer.order.filter((k) => k.includes("/p0-"));
    assert.deepEqual(
      p0Writes,
      [p0[0], p0[0], p0[1], p0[2], p0[3]].map((r) => acceptedKey(root, r)),
      "each partition is written strictly in offset order, on both deliveries",
    );
    assert.equal(recordName(p0[1]), "p0-o2");
  });
});

const park = (root: string, r: MSKRecord) => rejectedKey(root, new Date(r.timestamp), recordName(r));
