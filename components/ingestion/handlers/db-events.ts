// DynamoDB stream → change records in the raw zone. Partial batch failures let Lambda bisect the batch and retry
// only from the failed record; after the mapping's retry limit the failed batch's metadata goes to the on-failure
// destination. Each change lands on a key derived from its stream event id, so retries overwrite, never duplicate.
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { canonicalJson, rawKey, rejectedKey } from "../keys";
import { LosslessNumber } from "../records/json";
import { requireEnv } from "./lib/env";
import type { SourceRuntime } from "./lib/intake";
import { RawWriter, rejectedBody } from "./lib/raw";
import { logger as makeLogger, metrics as makeMetrics, packagedConfig, recordOutcome, s3Client } from "./lib/runtime";

export interface DbEventsDeps {
  readonly source: SourceRuntime;
  readonly raw: RawWriter;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

type Image = NonNullable<NonNullable<DynamoDBRecord["dynamodb"]>["NewImage"]>;

/** A stream record the handler cannot turn into a change record; stored under _rejected/ with the reason. */
export class UnusableChange extends Error {
  override readonly name = "UnusableChange";
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * One DynamoDB attribute value as exact JSON: N keeps its digits (DynamoDB allows 38), B stays base64 text,
 * string/number/binary sets become arrays in the order DynamoDB gives. Iterative depth is bounded by DynamoDB's
 * own 32 levels; an unknown type is an UnusableChange naming the attribute, never a silent `{}`.
 */
export function attributeValue(v: unknown, path: string, depth = 0): unknown {
  if (depth > 40) throw new UnusableChange(`${path} is nested deeper than DynamoDB allows`);
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new UnusableChange(`${path} is not a DynamoDB attribute value`);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length !== 1) throw new UnusableChange(`${path} must have exactly one type tag`);
  const [tag, value] = entries[0];
  const number = (n: unknown, at: string) => {
    if (typeof n !== "string" || !NUMBER.test(n)) throw new UnusableChange(`${at} is not a DynamoDB number`);
    return new LosslessNumber(n);
  };
  const list = (x: unknown): unknown[] => {
    if (!Array.isArray(x)) throw new UnusableChange(`${path}.${tag} must be a list`);
    return x;
  };
  const text = (x: unknown, at: string) => {
    if (typeof x !== "string") throw new UnusableChange(`${at} must be a string`);
    return x;
  };
  switch (tag) {
    case "S":
    case "B":
      return text(value, `${path}.${tag}`);
    case "N":
      return number(value, `${path}.N`);
    case "BOOL":
      if (typeof value !== "boolean") throw new UnusableChange(`${path}.BOOL must be true or false`);
      return value;
    case "NULL":
      return null;
    case "SS":
    case "BS":
      return list(value).map((x, i) => text(x, `${path}.${tag}[${i}]`));
    case "NS":
      return list(value).map((x, i) => number(x, `${path}.NS[${i}]`));
    case "L":
      return list(value).map((x, i) => attributeValue(x, `${path}[${i}]`, depth + 1));
    case "M":
      return image(value as Image, path, depth + 1);
    default:
      throw new UnusableChange(`${path} has the unknown DynamoDB type '${tag.slice(0, 20)}'`);
  }
}

function image(m: Image | undefined, path: string, depth = 0): Record<string, unknown> | undefined {
  if (m === undefined) return undefined;
  if (m === null || typeof m !== "object") throw new UnusableChange(`${path} is not a DynamoDB map`);
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, attributeValue(v, `${path}.${k}`, depth)] as const));
}

/** The stored change record: what changed, when, and the item before and after, every value exact. */
export function changeRecord(record: DynamoDBRecord): { id: string; at: Date; body: string } {
  const d = record.dynamodb;
  if (!record.eventID || !d?.Keys || !d.SequenceNumber)
    throw new UnusableChange("stream record lacks eventID, Keys or SequenceNumber");
  const seconds = d.ApproximateCreationDateTime;
  const at = new Date(typeof seconds === "number" && Number.isFinite(seconds) ? seconds * 1000 : Date.now());
  if (Number.isNaN(at.getTime()) || at.getUTCFullYear() > 9999)
    throw new UnusableChange("ApproximateCreationDateTime is not a time");
  const body = canonicalJson({
    eventId: record.eventID,
    eventName: record.eventName,
    sequenceNumber: d.SequenceNumber,
    approximateCreationTime: at.toISOString(),
    keys: image(d.Keys, "keys"),
    newImage: image(d.NewImage, "newImage") ?? null,
    oldImage: image(d.OldImage, "oldImage") ?? null,
  });
  return { id: record.eventID, at, body };
}

export function createDbEventsHandler(
  deps: DbEventsDeps,
): (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> {
  const { source, raw, logger, metrics } = deps;
  return async (event, context) => {
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    let written = 0;
    let rejected = 0;
    try {
      const response = await processPartialResponse(
        event,
        async (record: DynamoDBRecord) => {
          let change: ReturnType<typeof changeRecord>;
          try {
            change = changeRecord(record);
          } catch (e) {
            if (!(e instanceof UnusableChange)) throw e;
            // Retrying cannot fix it: keep the whole stream record with the reason instead of failing the shard.
            const at = new Date();
            const id = record.eventID ?? `${record.dynamodb?.SequenceNumber ?? "unknown"}`;
            await raw.put({
              key: rejectedKey(source.root, at, id),
              body: rejectedBody({ source: source.name, receivedAt: at, reasons: [e.message], record }),
            });
            logger.warn("stream record rejected", { eventID: record.eventID, reason: e.message });
            rejected++;
            return;
          }
          await raw.put({ key: rawKey(source.root, change.at, change.id), body: change.body });
          written++;
        },
        processor,
        { context, throwOnFullBatchFailure: false },
      );
      if (response.batchItemFailures.length > 0)
        logger.error("stream records failed; the batch is bisected and retried", {
          failed: response.batchItemFailures,
        });
      return response;
    } finally {
      recordOutcome(metrics, { accepted: written, rejected, written });
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

let live: ReturnType<typeof createDbEventsHandler> | undefined;

export const handler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> =>
  (live ??= (() => {
    const source = packagedConfig<SourceRuntime>();
    return createDbEventsHandler({
      source,
      raw: new RawWriter(s3Client(), requireEnv("RAW_BUCKET"), requireEnv("RAW_KEY_ARN"), source.name),
      logger: makeLogger(source.name),
      metrics: makeMetrics(source.name),
    });
  })())(event, context);
