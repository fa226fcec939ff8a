// Fuzz: the stream processor (MSK → raw zone) against a real local S3 server. Whatever the records hold (JSON that
// fails the schema, numbers beyond 2^53, deep nesting, bytes that are not UTF-8, tombstones), storage is up, so the
// batch never fails: each record is stored once under its Kafka coordinates, exactly as sent, or parked with its
// reasons; a redelivered batch lands on the same keys.
import { strict as assert } from "assert";
import fc from "fast-check";
import type { MSKEvent, MSKRecord } from "aws-lambda";
import {
  canonicalJson,
  LosslessNumber,
  parseJson,
  stringifyJson,
  unstorable,
} from "../../components/ingestion/records/json";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { acceptedKey, createProcessorHandler } from "../../components/ingestion/handlers/processor";
import { capturedMetrics, KEY_ARN, quietLogger } from "../ingestion/support";
import { deep, json, localRaw, numberText, params } from "./support";

const TOPIC = "sales.orders";
const schema = {
  type: "object",
  required: ["order_id", "amount"],
  properties: { order_id: { type: "string" }, amount: { type: "number" } },
};
const T0 = Date.UTC(2024, 5, 1, 12);

/** A record's value as bytes, and whether it must be accepted. */
const value = fc.oneof(
  fc
    .record({ id: fc.string({ maxLength: 8 }), amount: numberText.filter((t) => !/e400/.test(t)), extra: json(2) })
    .map(({ id, amount, extra }) => {
      const order = { order_id: id, amount: new LosslessNumber(amount), extra };
      // Valid unless it holds what cannot be stored exactly (a lone surrogate): then either outcome is checked.
      return { bytes: Buffer.from(stringifyJson(order), "utf8"), valid: unstorable(order).length === 0 || undefined };
    }),
  json(3).map((v) => ({ bytes: Buffer.from(stringifyJson(v), "utf8"), valid: undefined })),
  fc
    .integer({ min: 65, max: 3000 })
    .map((d) => ({ bytes: Buffer.from(`{"order_id":"x","amount":${deep(d)}}`), valid: false })),
  fc
    .uint8Array({ maxLength: 12 })
    .map((b) => ({ bytes: Buffer.concat([Buffer.from([0xff]), Buffer.from(b)]), valid: false })),
  fc.constant({ bytes: Buffer.alloc(0), valid: false }),
);

describe("fuzz: stream processor", function () {
  this.timeout(0);
  const local = localRaw();
  const { read } = local;
  let n = 0;

  it("processor: every record stored once exactly or parked with reasons; no batch fails while storage is up", async () => {
    const records = fc.array(fc.record({ partition: fc.nat(2), v: value }), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(records, async (generated) => {
        const root = `sales/processor=fz-${++n}/`;
        const msk: MSKRecord[] = generated.map((g, offset) => ({
          topic: TOPIC,
          partition: g.partition,
          offset,
          timestamp: T0 + offset * 1000,
          timestampType: "CREATE_TIME",
          key: "",
          value: g.v.bytes.toString("base64"),
          headers: [],
        }));
        const event: MSKEvent = { eventSource: "aws:kafka", eventSourceArn: "arn", bootstrapServers: "b", records: {} };
        for (const r of msk) (event.records[`${TOPIC}-${r.partition}`] ??= []).push(r);
        const handler = createProcessorHandler({
          processor: { name: "orders-enricher", domain: "sales", root, topic: TOPIC, schema },
          raw: new RawWriter(local.s3.client, "raw", KEY_ARN, "orders-enricher"),
          logger: quietLogger(),
          metrics: capturedMetrics("orders-enricher").metrics,
        });
        await handler(event); // resolves: storage is up, so nothing is redelivered
        const accepted = new Set(await local.s3.keys("raw", `${root}dt=`));
        const parked = await local.s3.keys("raw", `${root}_rejected/`);
        assert.equal(accepted.size + parked.length, msk.length, "each record stored exactly once");
        for (const [i, r] of msk.entries()) {
          const key = acceptedKey(root, r);
          if (generated[i].v.valid === true) assert.ok(accepted.has(key), `record ${i} accepted`);
          if (generated[i].v.valid === false) assert.ok(!accepted.has(key), `record ${i} parked`);
          if (accepted.has(key)) {
            const sent = parseJson(generated[i].v.bytes.toString("utf8"));
            assert.ok(sent.ok);
            assert.equal(canonicalJson(sent.ok ? sent.value : null), await read(key));
          }
        }
        for (const key of parked) assert.ok(JSON.parse(await read(key)).reasons.length > 0);
        await handler(event); // a redelivered batch lands on the same keys
        assert.equal((await local.s3.keys("raw", root)).length, msk.length);
      }),
      params(15010, 15),
    );
  });
});
