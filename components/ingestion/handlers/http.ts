// HTTP source: API Gateway (payload v2) → validate → raw zone (→ Kafka). 202 with counts, 400 listing invalid
// records and why (at most MAX_ERRORS, with how many were left out), 413 over the size limit, 415 for a content
// type or encoding other than JSON (plain or gzip), 422 for an Idempotency-Key reused with another payload.
// Valid records in a partly invalid batch still land: their keys are derived from content or id, so the client
// can resend the whole corrected batch without duplicates. Answers of 4xx are never cached under the key.
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { intEnv, requireEnv } from "./lib/env";
import { idempotencyStore, idempotentHandler, PersistenceStore } from "./lib/idempotency";
import { prepare, SourceRuntime } from "./lib/intake";
import type { Publish } from "./lib/kafka";
import { RawWriter } from "./lib/raw";
import { logger as makeLogger, metrics as makeMetrics, packagedConfig, recordOutcome, s3Client } from "./lib/runtime";
import { decodeBody, parseBatch } from "./lib/body";
import { compileValidator, RecordError, Validator } from "../records/validate";

/** Most per-record errors listed in one answer: with 10 capped reasons each, an answer stays far below 6 MB. */
export const MAX_ERRORS = 100;

export interface HttpSourceConfig extends SourceRuntime {
  readonly schema?: object;
  /** @default 1048576 */
  readonly maxBodyBytes?: number;
  /** @default 500 */
  readonly maxRecords?: number;
  readonly kafkaTopic?: string;
}

export interface HttpDeps {
  readonly source: HttpSourceConfig;
  readonly raw: RawWriter;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly publish?: Publish;
  readonly idempotency?: PersistenceStore;
  readonly now?: () => Date;
}

type Result = APIGatewayProxyStructuredResultV2;

export interface Accepted {
  readonly accepted: number;
  readonly rejected: number;
  readonly errors?: RecordError[];
  /** Invalid records not listed in `errors` (beyond MAX_ERRORS). */
  readonly errorsOmitted?: number;
}

/** Thrown for failures worth retrying (storage, Kafka); the wrapper turns them into 503 and forgets the attempt. */
class Retryable extends Error {}

/** Carries a 4xx answer out of the idempotent section, so the key is released instead of caching the refusal. */
class ClientAnswer extends Error {
  constructor(readonly result: Result) {
    super(`client error ${result.statusCode}`);
  }
}

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): Result => ({
  statusCode,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

export function createHttpHandler(
  deps: HttpDeps,
): (event: APIGatewayProxyEventV2, context: Context) => Promise<Result> {
  const { source, raw, logger, metrics } = deps;
  const validate: Validator = compileValidator(source.schema);
  const maxBodyBytes = source.maxBodyBytes ?? 1_048_576;
  const maxRecords = source.maxRecords ?? 500;
  const now = deps.now ?? (() => new Date());

  const refuse = (statusCode: number, body: object): never => {
    throw new ClientAnswer(json(statusCode, body));
  };

  const process = async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const body = decodeBody(event, maxBodyBytes);
    if (!body.ok) return refuse(body.status, { message: body.message, accepted: 0, rejected: 0 });
    const parsed = parseBatch(body.text, maxRecords);
    if (!parsed.ok) return refuse(parsed.status, { message: parsed.reason, accepted: 0, rejected: 0 });

    const { objects, errors } = prepare(parsed.records, validate, source, now());
    const failed = await raw.putAll(objects);
    if (failed.length > 0) {
      logger.error("raw write failed", { failed: failed.map((f) => ({ key: f.key, error: f.error.message })) });
      throw new Retryable(`${failed.length} of ${objects.length} records could not be stored`);
    }
    if (deps.publish && source.kafkaTopic && objects.length > 0) {
      try {
        await deps.publish(
          source.kafkaTopic,
          objects.map((o) => ({ key: o.id, value: o.body })),
        );
      } catch (e) {
        logger.error("kafka publish failed", { error: (e as Error).message });
        throw new Retryable("records stored but not yet published; retry the request");
      }
    }
    recordOutcome(metrics, { accepted: objects.length, rejected: errors.length, written: objects.length });
    if (errors.length > 0) {
      logger.warn("records rejected", { rejected: errors.length, accepted: objects.length });
      return refuse(400, {
        message: `${errors.length} of ${parsed.records.length} records are invalid`,
        accepted: objects.length,
        rejected: errors.length,
        errors: errors.slice(0, MAX_ERRORS),
        ...(errors.length > MAX_ERRORS ? { errorsOmitted: errors.length - MAX_ERRORS } : {}),
      });
    }
    return json(202, { accepted: objects.length, rejected: 0 });
  };

  // A client retry carrying the same Idempotency-Key and body gets the first 202 back without re-processing;
  // the same key with another body is refused with 422.
  const once = idempotentHandler(
    (event: APIGatewayProxyEventV2) => process(event),
    deps.idempotency,
    'headers."idempotency-key"',
    3600,
    "[body, isBase64Encoded]",
  );

  return async (event, context) => {
    try {
      return await once(event, context);
    } catch (e) {
      if (e instanceof ClientAnswer) return e.result;
      if ((e as Error).name === "IdempotencyValidationError")
        return json(422, {
          message:
            "this Idempotency-Key was already used for a different body; use a new key for a new or corrected request",
          accepted: 0,
          rejected: 0,
        });
      if (e instanceof Retryable || (e as Error).name === "IdempotencyAlreadyInProgressError") {
        logger.warn("retryable failure", { error: (e as Error).message });
        return json(503, { message: (e as Error).message }, { "retry-after": "5" });
      }
      throw e;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

let live: ReturnType<typeof createHttpHandler> | undefined;

/** The handler as deployed; `publish` is given by the Kafka-enabled entry (http-kafka.ts) only. */
export function fromEnvironment(publish?: Publish): ReturnType<typeof createHttpHandler> {
  const source = packagedConfig<HttpSourceConfig>();
  return createHttpHandler({
    source: { ...source, maxBodyBytes: intEnv("MAX_BODY_BYTES", source.maxBodyBytes ?? 1_048_576) },
    raw: new RawWriter(s3Client(), requireEnv("RAW_BUCKET"), requireEnv("RAW_KEY_ARN"), source.name),
    logger: makeLogger(source.name),
    metrics: makeMetrics(source.name),
    publish,
    idempotency: idempotencyStore(),
  });
}

export const handler = (event: APIGatewayProxyEventV2, context: Context): Promise<Result> =>
  (live ??= fromEnvironment())(event, context);
