import { readFileSync } from "fs";
import * as path from "path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { S3Client } from "@aws-sdk/client-s3";
import { INGESTION_METRICS, METRICS_SERVICE } from "../../../observability/metrics";
import { optionalEnv } from "./env";

/** Reads the function's packaged config (`source.json` beside index.js); tests point SOURCE_CONFIG_PATH elsewhere. */
export function packagedConfig<T>(file = "source.json"): T {
  const where = optionalEnv("SOURCE_CONFIG_PATH") ?? path.join(process.env.LAMBDA_TASK_ROOT ?? __dirname, file);
  return JSON.parse(readFileSync(where, "utf8")) as T;
}

/**
 * S3 client for the lake. In Lambda it uses the regional endpoint; `AWS_ENDPOINT_URL_S3` (read by the SDK itself)
 * and S3_FORCE_PATH_STYLE let tests run the same code against a local S3-compatible server.
 */
export function s3Client(): S3Client {
  return new S3Client({ forcePathStyle: optionalEnv("S3_FORCE_PATH_STYLE") === "true" });
}

export function logger(source: string): Logger {
  return new Logger({ serviceName: METRICS_SERVICE, persistentKeys: { source } });
}

/** EMF metrics under the environment's namespace, with the `source` dimension the freshness alarms select on. */
export function metrics(source: string): Metrics {
  return new Metrics({
    namespace: optionalEnv("METRICS_NAMESPACE") ?? "data-platform/ingestion",
    serviceName: METRICS_SERVICE,
    defaultDimensions: { source },
  });
}

/** Counts what a handler did; `written` feeds the freshness alarm, so every handler that lands data emits it. */
export function recordOutcome(m: Metrics, counts: { accepted?: number; rejected?: number; written?: number }): void {
  if (counts.accepted) m.addMetric(INGESTION_METRICS.accepted, MetricUnit.Count, counts.accepted);
  if (counts.rejected) m.addMetric(INGESTION_METRICS.rejected, MetricUnit.Count, counts.rejected);
  if (counts.written) m.addMetric(INGESTION_METRICS.rawObjectsWritten, MetricUnit.Count, counts.written);
}
