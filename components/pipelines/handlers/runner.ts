// Pipeline steps that run in the warehouse, invoked by the pipeline's state machine:
//   { step: "transform" }           CALL the configured marts procedure (staging → marts)
//   { step: "publish", at }         export each configured mart to the analytics zone for BI, as JSON lines under
//                                   <domain>/<dataset>/dt=<day>/part-NNNNN.jsonl plus a _manifest.json written last;
//                                   numbers (bigint, numeric, inside json/jsonb) keep every digit.
// Object names come from config, never from the state machine's input: the input can only choose the day.
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { parseDay, utcDay } from "../../ingestion/keys";
import { parseTimestamp } from "../../ingestion/handlers/lib/time";
import { requireEnv } from "../../ingestion/handlers/lib/env";
import { RawWriter } from "../../ingestion/handlers/lib/raw";
import { logger as makeLogger, packagedConfig, s3Client } from "../../ingestion/handlers/lib/runtime";
import { stringifyJson } from "../../ingestion/handlers/lib/json";
import { EXACT_TYPES, qualified, Warehouse, warehouseFromEnv } from "../../ingestion/handlers/lib/warehouse";

export interface RunnerConfig {
  readonly pipeline: string;
  readonly domain: string;
  /** `schema.procedure` called by the transform step. */
  readonly procedure?: string;
  /** Marts exported by the publish step: `table` is `schema.table`, `dataset` the folder name in the analytics zone. */
  readonly datasets: readonly { readonly table: string; readonly dataset: string }[];
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
}

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
    const out: { dataset: string; rows: number; parts: number }[] = [];
    for (const { table, dataset } of config.datasets) {
      const prefix = `${config.domain}/${dataset}/dt=${day}/`;
      // A cursor streams the mart in chunks, in one read-consistent snapshot, without holding it all in memory.
      const result = await warehouse.transaction(async (sql) => {
        await sql.query(`DECLARE export_cursor NO SCROLL CURSOR FOR SELECT * FROM ${qualified(table)}`);
        let rows = 0;
        let parts = 0;
        for (;;) {
          // Exact types: bigint, numeric and the numbers inside json/jsonb columns keep every digit.
          const chunk = await sql.query({
            text: `FETCH FORWARD ${rowsPerPart} FROM export_cursor`,
            types: EXACT_TYPES,
          });
          if (chunk.rows.length === 0 && parts > 0) break;
          await analytics.put({
            key: `${prefix}part-${String(parts).padStart(5, "0")}.jsonl`,
            body: chunk.rows.map((r) => stringifyJson(r)).join("\n"),
          });
          parts++;
          rows += chunk.rows.length;
          if (chunk.rows.length < rowsPerPart) break;
        }
        await sql.query("CLOSE export_cursor");
        return { rows, parts };
      });
      // Written last: readers trust only the parts it lists, so a re-run with fewer parts never exposes stale ones.
      await analytics.put({
        key: `${prefix}_manifest.json`,
        body: JSON.stringify({
          pipeline: config.pipeline,
          dataset,
          table,
          day,
          rows: result.rows,
          parts: Array.from({ length: result.parts }, (_, i) => `part-${String(i).padStart(5, "0")}.jsonl`),
          publishedAt: (deps.now?.() ?? new Date()).toISOString(),
        }),
      });
      out.push({ dataset, ...result });
    }
    logger.info("published", { datasets: out });
    return { day, datasets: out };
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
    });
  })())(event, context);
