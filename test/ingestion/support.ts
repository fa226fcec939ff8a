// Real local servers and small Lambda-runtime stand-ins for running handlers in-process.
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from "@aws-lambda-powertools/idempotency";
import { BasePersistenceLayer, IdempotencyRecord } from "@aws-lambda-powertools/idempotency/persistence";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";

// Credentials for the local S3 server; quiet logs; no SDK nagging about the local Node version.
process.env.AWS_ACCESS_KEY_ID = "LOCAL";
process.env.AWS_SECRET_ACCESS_KEY = "LOCAL";
process.env.AWS_REGION = "eu-west-1";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.POWERTOOLS_LOG_LEVEL = "SILENT";

import type { Client } from "pg";
import { pgWarehouse, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { LocalPostgres, LocalS3, startPostgres, startS3 } from "../../tools/local-servers";

export { LocalPostgres, LocalS3, startPostgres, startS3 };

export const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/raw-zone";

/**
 * Idempotency persistence written against Powertools' documented base class, with the DynamoDB layer's put
 * condition (absent, expired, or in progress past its expiry). No local DynamoDB server exists on npm's side of
 * this machine, so this in-memory layer stands in for the table; the Powertools logic around it is the real one.
 */
export class MemoryPersistence extends BasePersistenceLayer {
  readonly items = new Map<string, IdempotencyRecord>();

  protected async _getRecord(key: string): Promise<IdempotencyRecord> {
    const r = this.items.get(key);
    if (!r) throw new IdempotencyItemNotFoundError();
    return r;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const old = this.items.get(record.idempotencyKey);
    const now = Date.now();
    const free =
      !old ||
      (old.expiryTimestamp !== undefined && old.expiryTimestamp < now / 1000) ||
      (old.getStatus() === IdempotencyRecordStatus.INPROGRESS &&
        old.inProgressExpiryTimestamp !== undefined &&
        old.inProgressExpiryTimestamp < now);
    if (!free) throw new IdempotencyItemAlreadyExistsError(`exists: ${record.idempotencyKey}`, old);
    this.items.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.items.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.items.delete(record.idempotencyKey);
  }
}

/** The Lambda context object the runtime passes (an input, not a service). */
export function lambdaContext(functionName = "test-fn", remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "stream",
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function quietLogger(): Logger {
  return new Logger({ serviceName: "test", logLevel: "SILENT" });
}

/** A Metrics instance whose EMF output is captured instead of printed; `emitted()` returns the parsed documents. */
export function capturedMetrics(
  source: string,
  namespace = "acme-dev/ingestion",
): { metrics: Metrics; emitted(): Record<string, unknown>[] } {
  const lines: string[] = [];
  const metrics = new Metrics({ namespace, serviceName: "ingestion", defaultDimensions: { source } });
  (metrics as unknown as { console: { log(s: string): void } }).console = { log: (s: string) => lines.push(s) };
  return { metrics, emitted: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Sum of one metric across captured EMF documents. */
export function metricSum(docs: Record<string, unknown>[], name: string): number {
  return docs.reduce(
    (sum, d) =>
      sum +
      (typeof d[name] === "number"
        ? (d[name] as number)
        : Array.isArray(d[name])
          ? (d[name] as number[]).reduce((a, b) => a + b, 0)
          : 0),
    0,
  );
}
/** An API Gateway (payload v2) POST /records event, as the HTTP API sends it. */
export function httpRequest(
  body: string,
  headers: Record<string, string> = {},
  isBase64Encoded = false,
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "POST /records",
    rawPath: "/records",
    rawQueryString: "",
    headers,
    body,
    isBase64Encoded,
    requestContext: { http: { method: "POST", path: "/records" } } as APIGatewayProxyEventV2["requestContext"],
  };
}

/** A local S3 server, an embedded PostgreSQL with a `staging` schema, an admin client, and the handlers' warehouse on it. */
export interface LocalWarehouse {
  readonly s3: LocalS3;
  readonly pg: LocalPostgres;
  readonly admin: Client;
  readonly warehouse: Warehouse;
  stop(): Promise<void>;
}

export async function startLocalWarehouse(buckets: string[]): Promise<LocalWarehouse> {
  const [s3, pg] = await Promise.all([startS3(buckets), startPostgres()]);
  const admin = pg.client();
  await admin.connect();
  await admin.query("CREATE SCHEMA staging");
  const warehouse = pgWarehouse(
    { engine: "postgres", host: "127.0.0.1", port: pg.port, database: "postgres", tls: false },
    async () => ({ username: "postgres", password: pg.password }),
  );
  return {
    s3,
    pg,
    admin,
    warehouse,
    stop: async () => {
      await warehouse.close();
      await admin.end();
      await Promise.all([s3.stop(), pg.stop()]);
    },
  };
}
