// DynamoDB stream → change records in the raw zone. Partial batch failures let Lambda bisect the batch and retry
// only from the failed record; after the mapping's retry limit the failed batch's metadata goes to the on-failure
// destination. Each change lands on a key derived from its stream event id, so retries overwrite, never duplicate.
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { AttributeValue as SdkAttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { canonicalJson, rawKey } from "../keys";
import { requireEnv } from "./lib/env";
import type { SourceRuntime } from "./lib/intake";
import { RawWriter } from "./lib/raw";
import { logger as makeLogger, metrics as makeMetrics, packagedConfig, recordOutcome, s3Client } from "./lib/runtime";

export interface DbEventsDeps {
  readonly source: SourceRuntime;
  readonly raw: RawWriter;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

type Image = NonNullable<NonNullable<DynamoDBRecord["dynamodb"]>["NewImage"]>;
const plain = (image: Image | undefined) =>
  image ? unmarshall(image as Record<string, SdkAttributeValue>, { wrapNumbers: false }) : undefined;

/** The stored change record: what changed, when, and the item before and after. */
export function changeRecord(record: DynamoDBRecord): { id: string; at: Date; body: string } {
  const d = record.dynamodb;
  if (!record.eventID || !d?.Keys || !d.SequenceNumber)
    throw new Error("stream record lacks eventID, Keys or SequenceNumber");
  const at = new Date((d.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000);
  const body = canonicalJson({
    eventId: record.eventID,
    eventName: record.eventName,
    sequenceNumber: d.SequenceNumber,
    approximateCreationTime: at.toISOString(),
    keys: plain(d.Keys),
    newImage: plain(d.NewImage) ?? null,
    oldImage: plain(d.OldImage) ?? null,
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
    try {
      const response = await processPartialResponse(
        event,
        async (record: DynamoDBRecord) => {
          const change = changeRecord(record);
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
      recordOutcome(metrics, { accepted: written, written });
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
