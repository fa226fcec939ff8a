// Fuzz: the queue and DynamoDB-stream handlers against a real local S3 server. No message or stream record fails
// its batch (storage is up, so nothing may be retried into the DLQ or on-failure destination); each one is stored
// exactly once, accepted with its exact values or kept under _rejected/ with a reason.
import { strict as assert } from "assert";
import fc from "fast-check";
import type { DynamoDBRecord, SQSRecord } from "aws-lambda";
import { createDbEventsHandler } from "../../components/ingestion/handlers/db-events";
import { canonicalJson, LosslessNumber, parseJson, stringifyJson } from "../../components/ingestion/records/json";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import { createQueueHandler } from "../../components/ingestion/handlers/queue";
import { capturedMetrics, KEY_ARN, lambdaContext, quietLogger } from "../ingestion/support";
import { deep, json, Json, localRaw, numberText, params } from "./support";

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

/** A DynamoDB attribute value and the exact JSON the platform must store for it. */
type Attr = { av: Record<string, unknown>; plain: Json };
const attr: fc.Arbitrary<Attr> = fc.letrec<{ a: Attr }>((tie) => ({
  a: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    fc.string({ maxLength: 8 }).map((s) => ({ av: { S: s }, plain: s })),
    numberText.filter((t) => !/e400|E\+|^-0$/.test(t)).map((t) => ({ av: { N: t }, plain: new LosslessNumber(t) })),
    fc.base64String({ maxLength: 12 }).map((b) => ({ av: { B: b }, plain: b })),
    fc.boolean().map((b) => ({ av: { BOOL: b }, plain: b })),
    fc.constant({ av: { NULL: true }, plain: null }),
    fc
      .uniqueArray(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 })
      .map((ss) => ({ av: { SS: ss }, plain: ss })),
    fc
      .uniqueArray(
        numberText.filter((t) => !/e400|E\+|^-0$/.test(t)),
        { minLength: 1, maxLength: 3 },
      )
      .map((ns) => ({ av: { NS: ns }, plain: ns.map((t) => new LosslessNumber(t)) })),
    fc
      .uniqueArray(fc.base64String({ maxLength: 8 }), { minLength: 1, maxLength: 3 })
      .map((bs) => ({ av: { BS: bs }, plain: bs })),
    fc
      .array(tie("a"), { maxLength: 3 })
      .map((xs) => ({ av: { L: xs.map((x) => x.av) }, plain: xs.map((x) => x.plain) })),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("a"), { maxKeys: 3 }).map((m) => ({
      av: { M: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.av])) },
      plain: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.plain])),
    })),
  ),
})).a;
const broken = fc.constantFrom<unknown>({}, { S: 1 }, { N: "1e" }, { N: "NaN" }, { X: "?" }, { S: "a", N: "1" }, null, {
  L: "no",
});

describe("fuzz: queue and stream handlers", function () {
  this.timeout(0);
  const local = localRaw();
  const { read } = local;
  let n = 0;

  it("queue: every message stored once, exact or rejected with a reason; none fails its batch", async () => {
    const body = fc.oneof(
      json(3).map((v) => stringifyJson(v)),
      fc.string({ maxLength: 30 }),
      fc.integer({ min: 65, max: 400 }).map((d) => `{"a":${deep(d)}}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 4 }), async (bodies) => {
        const root = `sales/source=fq-${++n}/`;
        const handler = createQueueHandler({
          source: { name: "q", domain: "sales", root },
          raw: new RawWriter(local.s3.client, "raw", KEY_ARN, "q"),
          logger: quietLogger(),
          metrics: capturedMetrics("q").metrics,
          now: () => new Date("2024-05-01T00:00:00Z"),
        });
        const r = await handler({ Records: bodies.map((b, i) => message(`m${i}`, b)) }, lambdaContext());
        assert.deepEqual(r.batchItemFailures, []);
        const keys = await local.s3.keys("raw", root);
        assert.equal(keys.length, bodies.length, "one object per message, accepted or rejected");
        for (const [i, b] of bodies.entries()) {
          const accepted = keys.find((k) => k === `${root}dt=2024-05-01/m${i}.json`);
          if (accepted) {
            const parsed = parseJson(b);
            assert.ok(parsed.ok);
            assert.equal(await read(accepted), canonicalJson(parsed.value), "stored with its exact values");
          } else {
            const rejected = JSON.parse(await read(`${root}_rejected/dt=2024-05-01/m${i}.json`)) as {
              reasons: string[];
            };
            assert.ok(rejected.reasons.length > 0 && rejected.reasons.every((x) => x.length > 0));
          }
        }
      }),
      params(15002, 20),
    );
  });

  it("db-events: every change stored once with exact values (sets, big numbers, binary); an undecodable one rejected with its reason", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), attr, { maxKeys: 4 }),
            fc.option(broken, { freq: 4 }),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        async (items) => {
          const root = `sales/source=fd-${++n}/`;
          const handler = createDbEventsHandler({
            source: { name: "d", domain: "sales", root },
            raw: new RawWriter(local.s3.client, "raw", KEY_ARN, "d"),
            logger: quietLogger(),
            metrics: capturedMetrics("d").metrics,
          });
          const records: DynamoDBRecord[] = items.map(([item, bad], i) => ({
            eventID: `e${i}`,
            eventName: "INSERT",
            dynamodb: {
              SequenceNumber: String(i + 1),
              ApproximateCreationDateTime: 1717200000,
              Keys: { pk: { S: `k${i}` } },
              NewImage: {
                ...Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.av])),
                ...(bad !== null ? { broken: bad } : {}),
              } as never,
            },
          }));
          const r = await handler({ Records: records }, lambdaContext());
          assert.deepEqual(r.batchItemFailures, []);
          const keys = await local.s3.keys("raw", root);
          assert.equal(keys.length, items.length);
          for (const [i, [item, bad]] of items.entries()) {
            if (bad === null) {
              const stored = parseJson(await read(`${root}dt=2024-06-01/e${i}.json`));
              assert.ok(stored.ok);
              const image = (stored.value as { newImage: Json }).newImage;
              const expected = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.plain]));
              assert.equal(canonicalJson(image), canonicalJson(expected));
            } else {
              const key = keys.find((k) => k.endsWith(`/e${i}.json`) && k.includes("_rejected/"));
              assert.ok(key, `e${i} kept under _rejected/`);
              assert.match((JSON.parse(await read(key)) as { reasons: string[] }).reasons[0], /newImage\.broken/);
            }
          }
        },
      ),
      params(15003, 20),
    );
  });
});
