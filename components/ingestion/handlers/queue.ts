// Queue source: SQS → validate → raw zone, reporting partial batch failures. A record is never dropped:
//   valid             → stored under its event-day partition (same message, same key: redelivery overwrites)
//   malformed/invalid → stored under _rejected/ with every reason (retrying cannot fix it, so it is not retried);
//                       too deeply nested or not storable exactly counts as invalid, never as a failure
//   transient failure → reported as a batch item failure: only that message returns to the queue, and after
//                       maxReceiveCount attempts SQS moves it to the dead-letter queue.
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { rejectedKey } from "../keys";
import { requireEnv } from "./lib/env";
import { idempotencyStore, PersistenceStore } from "./lib/idempotency";
import { prepare, SourceRuntime } from "./lib/intake";
import { rejectedBody, RawWriter } from "./lib/raw";
import { logger as makeLogger, metrics as makeMetrics, packagedConfig, recordOutcome, s3Client } from "./lib/runtime";
import { parseJson } from "../records/json";
import { compileValidator } from "../records/validate";

export interface QueueSourceConfig extends SourceRuntime {
  readonly schema?: object;
}

export interface QueueDeps {
  readonly source: QueueSourceConfig;
  readonly raw: RawWriter;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly idempotency?: PersistenceStore;
  readonly now?: () => Date;
}

type Outcome = "accepted" | "rejected";

export function createQueueHandler(deps: QueueDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { source, raw, logger, metrics } = deps;
  const validate = compileValidator(source.schema);
  const now = deps.now ?? (() => new Date());

  const quarantine = async (record: SQSRecord, reasons: string[], value?: unknown): Promise<Outcome> => {
    const at = now();
    const body = rejectedBody({
      source: source.name,
      receivedAt: at,
      reasons,
      ...(value !== undefined ? { record: value } : { rawText: record.body }),
    });
    await raw.put({ key: rejectedKey(source.root, at, record.messageId), body });
    logger.warn("message rejected", { messageId: record.messageId, reasons });
    return "rejected";
  };

  const processRecord = async (record: SQSRecord): Promise<Outcome> => {
    const parsed = parseJson(record.body);
    if (!parsed.ok) return quarantine(record, [parsed.reason]);
    const value = parsed.value;
    const { objects, errors } = prepare([value], validate, source, now(), [record.messageId]);
    if (errors.length > 0) return quarantine(record, errors[0].reasons, value);
    await raw.put(objects[0]);
    return "accepted";
  };

  const config = new IdempotencyConfig({ eventKeyJmesPath: "messageId", expiresAfterSeconds: 6 * 3600 });
  const once = deps.idempotency
    ? makeIdempotent(processRecord, {
        persistenceStore: deps.idempotency,
        config,
        keyPrefix: process.env.AWS_LAMBDA_FUNCTION_NAME ?? "local",
      })
    : processRecord;

  return async (event, context) => {
    config.registerLambdaContext(context);
    const processor = new BatchProcessor(EventType.SQS);
    const counts = { accepted: 0, rejected: 0 };
    try {
      const response = await processPartialResponse(
        event,
        async (record: SQSRecord) => {
          counts[await once(record)]++;
        },
        processor,
        { context, throwOnFullBatchFailure: false },
      );
      if (response.batchItemFailures.length > 0)
        logger.error("messages will be retried", { failed: response.batchItemFailures.length });
      return response;
    } finally {
      recordOutcome(metrics, { accepted: counts.accepted, rejected: counts.rejected, written: counts.accepted });
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

let live: ReturnType<typeof createQueueHandler> | undefined;

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  (live ??= (() => {
    const source = packagedConfig<QueueSourceConfig>();
    return createQueueHandler({
      source,
      raw: new RawWriter(s3Client(), requireEnv("RAW_BUCKET"), requireEnv("RAW_KEY_ARN"), source.name),
      logger: makeLogger(source.name),
      metrics: makeMetrics(source.name),
      idempotency: idempotencyStore(),
    });
  })())(event, context);
