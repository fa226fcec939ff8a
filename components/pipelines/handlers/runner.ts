// Pipeline steps that run in the warehouse, invoked by the pipeline's state machine:
//   { step: "transform" }           CALL the configured marts procedure (staging → marts)
//   { step: "publish", at }         evaluate every published dataset's quality rules on its mart (the gate: one
//                                   failing rule stops the whole publish with QualityGateFailed, nothing written),
//                                   then export each mart to the analytics zone as Parquet with the dataset's
//                                   declared columns, under <root><domain>/<dataset>/dt=<day>/part-NNNNN.parquet,
//                                   the gate's passing result as _quality.json, and a _manifest.json written last.
//                                   Nothing is rounded: bigint and numeric arrive as text, json and jsonb as their text.
// Object names come from config, never from the state machine's input: the input can only choose the day.
import type { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import type { QualityRule } from "../../core/quality";
import { parseDay, utcDay } from "../../ingestion/keys";
import { parseTimestamp } from "../../ingestion/records/time";
import { optionalEnv, requireEnv } from "../../ingestion/handlers/lib/env";
import { RawWriter } from "../../ingestion/handlers/lib/raw";
import { logger as makeLogger, packagedConfig, s3Client } from "../../ingestion/handlers/lib/runtime";
import { EXACT_TYPES, qualified, Warehouse, warehouseFromEnv } from "../../ingestion/handlers/lib/warehouse";
import { PIPELINE_METRICS, PIPELINES_SERVICE } from "../../observability/metrics";
import { ExportColumn, parquetFile } from "./parquet";
import { evaluateGate, QualityGateFailed } from "./quality-gate";

/** A mart the publish step exports: `table` is `schema.table`, `dataset` the analytics dataset it becomes. */
export interface PublishedMart {
  readonly table: string;
  readonly dataset: string;
  /** The dataset's declared columns, in order: exactly what each Parquet file holds. */
  readonly columns: readonly ExportColumn[];
  /** The dataset's quality rules, evaluated before anything is written. @default none */
  readonly quality?: readonly QualityRule[];
  /** Who is alerted when the rules fail (named in the failure). */
  readonly steward?: string;
}

export interface RunnerConfig {
  readonly pipeline: string;
  readonly domain: string;
  /** Prefix before `<domain>/` in the analytics bucket: `analytics/` in the restricted bucket. @default "" */
  readonly root?: string;
  /** `schema.procedure` called by the transform step. */
  readonly procedure?: string;
  /** Marts exported by the publish step. */
  readonly datasets: readonly PublishedMart[];
  /** Rows per part file. @default 10000 */
  readonly rowsPerPart?: number;
}

export type RunnerEvent =
  { readonly step: "transform" } | { readonly step: "publish"; readonly at?: string; readonly day?: string };

export interface RunnerDeps {
  readonly config: RunnerConfig;
  readonly warehouse: Warehouse;
  readonly analytics: RawWriter;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Receives each dataset's count of failing rules (0 when it passed): the quality alarm's metric. */
  readonly recordQuality?: (dataset: string, failedRules: number) => void;
  /** Told of each dataset published (`<domain>.<name>`), once its manifest is written: the freshness alarm's metric. */
  readonly recordPublished?: (dataset: string) => void;
}

/** Where a dataset's day lives in the analytics bucket. */
export const publishPrefix = (config: Pick<RunnerConfig, "root" | "domain">, dataset: string, day: string) =>
  `${config.root ?? ""}${config.domain}/${dataset}/dt=${day}/`;

const partName = (i: number) => `part-${String(i).padStart(5, "0")}.parquet`;

/** An event the runner cannot act on, named by field; retrying cannot fix it. */
export class InvalidRunnerEvent extends Error {
  override readonly name = "InvalidRunnerEvent";
}

/** The event, checked field by field: a wrong one is an InvalidRunnerEvent naming it, never a TypeError. */
export function checkRunnerEvent(event: unknown): RunnerEvent {
  const show = (v: unknown) => (v === undefined ? "nothing" : (JSON.stringify(v)?.slice(0, 100) ?? String(v)));
  const bad = (field: string, allowed: string, got: unknown): never => {
    throw new InvalidRunnerEvent(`${field} must be ${allowed}, got ${show(got)}`);
  };
  if (event === null || typeof event !== "object" || Array.isArray(event)) return bad("event", "an object", event);
  const e = event as Record<string, unknown>;
  if (e.step === "transform") return { step: "transform" };
  if (e.step !== "publish") return bad("step", "'transform' or 'publish'", e.step);
  if (e.day !== undefined && !(typeof e.day === "string" && parseDay(e.day)))
    bad("day", "a calendar day YYYY-MM-DD", e.day);
  if (e.at !== undefined && !(typeof e.at === "string" && parseTimestamp(e.at)))
    bad("at", "an ISO 8601 timestamp within the calendar", e.at);
  return e as RunnerEvent;
}

export function createRunner(deps: RunnerDeps): (event: RunnerEvent, context?: Context) => Promise<unknown> {
  const { config, warehouse, analytics, logger } = deps;
  const rowsPerPart = config.rowsPerPart ?? 10_000;

  const transform = async () => {
    if (!config.procedure) return { skipped: "no procedure configured" };
    const started = Date.now();
    await warehouse.transaction((sql) => sql.query(`CALL ${qualified(config.procedure!)}()`));
    logger.info("transform done", { procedure: config.procedure, ms: Date.now() - started });
    return { procedure: config.procedure, ms: Date.now() - started };
  };

  const publish = async (day: string) => {
    const now = deps.now?.() ?? new Date();
    // The gate: rules are evaluated on the marts as they stand; the transform before it is the marts' only writer.
    const gate = await warehouse.transaction((sql) =>
      evaluateGate(
        sql,
        config.datasets.map((d) => ({ ...d, dataset: `${config.domain}.${d.dataset}` })),
        now,
      ),
    );
    for (const g of gate) deps.recordQuality?.(g.dataset, g.rules.filter((r) => !r.passed).length);
    const failures = gate.filter((g) => !g.passed);
    if (failures.length > 0) {
      logger.error("quality gate failed: nothing published", { failures });
      throw new QualityGateFailed(failures);
    }
    const out: { dataset: string; rows: number; parts: number }[] = [];
    for (const [k, { table, dataset, columns }] of config.datasets.entries()) {
      const prefix = publishPrefix(config, dataset, day);
      // A cursor streams the mart in chunks, in one read-consistent snapshot, without holding it all in memory.
      const result = await warehouse.transaction(async (sql) => {
        await sql.query(`DECLARE export_cursor NO SCROLL CURSOR FOR SELECT * FROM ${qualified(table)}`);
        let rows = 0;
        let parts = 0;
        for (;;) {
          // Exact types: json and jsonb columns arrive as the warehouse's text, never through JSON.parse's doubles.
          const chunk = await sql.query({
            text: `FETCH FORWARD ${rowsPerPart} FROM export_cursor`,
            types: EXACT_TYPES,
          });
          if (chunk.rows.length === 0 && parts > 0) break;
          await analytics.put({
            key: `${prefix}${partName(parts)}`,
            body: parquetFile(columns, chunk.rows),
            contentType: "application/vnd.apache.parquet",
          });
          parts++;
          rows += chunk.rows.length;
          if (chunk.rows.length < rowsPerPart) break;
        }
        await sql.query("CLOSE export_cursor");
        return { rows, parts };
      });
      // The gate's passing result, kept beside the data it judged.
      await analytics.put({
        key: `${prefix}_quality.json`,
        body: JSON.stringify({ ...gate[k], day, evaluatedAt: now.toISOString() }),
      });
      // Written last: readers trust only the parts it lists, so a re-run with fewer parts never exposes stale ones.
      await analytics.put({
        key: `${prefix}_manifest.json`,
        body: JSON.stringify({
          pipeline: config.pipeline,
          dataset,
          table,
          day,
          format: "parquet",
          rows: result.rows,
          parts: Array.from({ length: result.parts }, (_, i) => partName(i)),
          quality: "_quality.json",
          publishedAt: (deps.now?.() ?? new Date()).toISOString(),
        }),
      });
      deps.recordPublished?.(`${config.domain}.${dataset}`);
      out.push({ dataset, ...result });
    }
    logger.info("published", { datasets: out });
    return { day, datasets: out, quality: gate };
  };

  return async (input) => {
    const event = checkRunnerEvent(input);
    if (event.step === "transform") return transform();
    const day = event.day ?? utcDay(event.at ? parseTimestamp(event.at)! : (deps.now?.() ?? new Date()));
    return publish(day);
  };
}

let live: ReturnType<typeof createRunner> | undefined;

export const handler = (event: RunnerEvent, context: Context): Promise<unknown> =>
  (live ??= (() => {
    const config = packagedConfig<RunnerConfig>("pipeline.json");
    const metrics = new Metrics({
      namespace: optionalEnv("METRICS_NAMESPACE") ?? "data-platform/ingestion",
      serviceName: PIPELINES_SERVICE,
    });
    return createRunner({
      config,
      warehouse: warehouseFromEnv(),
      analytics: new RawWriter(
        s3Client(),
        requireEnv("ANALYTICS_BUCKET"),
        requireEnv("ANALYTICS_KEY_ARN"),
        config.pipeline,
      ),
      logger: makeLogger(config.pipeline),
      recordQuality: (dataset, failed) => {
        // One metric per dataset, flushed at once (a single-metric instance carries its own dimension).
        const m = metrics.singleMetric();
        m.addDimension("dataset", dataset);
        m.addMetric(PIPELINE_METRICS.qualityRulesFailed, MetricUnit.Count, failed);
      },
      recordPublished: (dataset) => {
        const m = metrics.singleMetric();
        m.addDimension("dataset", dataset);
        m.addMetric(PIPELINE_METRICS.datasetPublished, MetricUnit.Count, 1);
      },
    });
  })())(event, context);
