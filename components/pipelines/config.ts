import { z } from "zod";
import type { Environment } from "../core/types";
import type { Problem } from "../core/problems";
import { PLATFORM_SQL_NAMES, reservedIdentifier } from "../core/identifiers";
import type { SourceConfig } from "../ingestion/config";
import type { QualityRule } from "../core/quality";

// Config of `pipelines[]`: scheduled raw → staging → marts → analytics runs, one state machine each.

const NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const QUALIFIED = /^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/;
const SCHEDULE = /^(cron\([^)]+\)|rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\))$/;

export const pipelineSchema = z.strictObject({
  name: z
    .string()
    .regex(NAME, { message: "must be 3-32 lower-case letters, digits or hyphens, starting with a letter" }),
  /** Owning domain: its analytics prefix receives the published marts. */
  domain: z.string().min(2),
  description: z.string().min(3).optional(),
  /** EventBridge Scheduler expression. */
  schedule: z.string().regex(SCHEDULE, { message: "must be cron(...) or rate(<n> minutes|hours|days)" }),
  /** @default "UTC" */
  timezone: z
    .string()
    .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, { message: "must be an IANA time zone such as Europe/Paris" })
    .optional(),
  /** object-events sources whose recent days are (re)loaded into staging first. */
  loads: z.array(z.string().regex(NAME)).min(1, { message: "must name at least one object-events source" }),
  /** Days the load step catches up (today and the days before). @default 2 */
  loadWindowDays: z.number().int().min(1).max(31).optional(),
  /** Warehouse procedure (`schema.name`) that builds the marts from staging. */
  transform: z
    .strictObject({ procedure: z.string().regex(QUALIFIED, { message: "must be schema.procedure in lower case" }) })
    .optional(),
  /** Marts exported to the analytics zone for BI. */
  publish: z
    .array(
      z.strictObject({
        table: z.string().regex(QUALIFIED, { message: "must be schema.table in lower case" }),
        dataset: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, { message: "must be a lower-case folder name" }),
      }),
    )
    .optional(),
  retry: z
    .strictObject({
      /** @default 3 */ maxAttempts: z.number().int().min(0).max(10).optional(),
      /** @default 10 */ intervalSeconds: z.number().int().min(1).max(3600).optional(),
      /** @default 2 */ backoffRate: z.number().min(1).max(10).optional(),
    })
    .optional(),
  /** Whole-run timeout. @default 60 */
  timeoutMinutes: z.number().int().min(1).max(1440).optional(),
});
export const pipelinesSchema = z.array(pipelineSchema);

export type PipelineInput = z.input<typeof pipelineSchema>;
export type PipelineConfig = z.output<typeof pipelineSchema>;

export interface ResolvedPipeline extends PipelineConfig {
  readonly timezone: string;
  readonly loadWindowDays: number;
  readonly publish: { table: string; dataset: string }[];
  readonly retry: { maxAttempts: number; intervalSeconds: number; backoffRate: number };
  readonly timeoutMinutes: number;
  readonly logRetentionDays: number;
}

const LOG_RETENTION: Record<Environment, number> = { dev: 7, staging: 30, prod: 365 };

export function resolvePipeline(p: PipelineConfig, environment: Environment): ResolvedPipeline {
  return {
    ...p,
    timezone: p.timezone ?? "UTC",
    loadWindowDays: p.loadWindowDays ?? 2,
    publish: p.publish ?? [],
    retry: {
      maxAttempts: p.retry?.maxAttempts ?? 3,
      intervalSeconds: p.retry?.intervalSeconds ?? 10,
      backoffRate: p.retry?.backoffRate ?? 2,
    },
    timeoutMinutes: p.timeoutMinutes ?? 60,
    logRetentionDays: LOG_RETENTION[environment],
  };
}

export function validatePipelines(
  pipelines: readonly PipelineConfig[],
  sources: readonly SourceConfig[],
  domains: readonly { name: string }[],
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  pipelines.forEach((p, i) => {
    const at = (f: string) => `pipelines[${i}].${f}`;
    if (seen.has(p.name)) problems.push({ path: at("name"), message: `duplicate pipeline name '${p.name}'` });
    seen.add(p.name);
    if (!domains.some((d) => d.name === p.domain))
      problems.push({ path: at("domain"), message: `unknown domain '${p.domain}'` });
    p.loads.forEach((l, j) => {
      const s = sources.find((x) => x.name === l);
      if (!s) problems.push({ path: at(`loads[${j}]`), message: `unknown source '${l}'` });
      else if (s.kind !== "object-events")
        problems.push({
          path: at(`loads[${j}]`),
          message: `'${l}' is a ${s.kind} source; a pipeline loads through object-events sources`,
        });
    });
    // Publishing exports a table to BI readers: only the pipeline's own domain's marts, never staging or another's.
    (p.publish ?? []).forEach((x, j) => {
      const [schema, table] = x.table.split(".");
      const marts = `marts_${p.domain}`;
      if (schema !== marts)
        problems.push({
          path: at(`publish[${j}].table`),
          message: `'${x.table}' is outside this pipeline's marts schema; publish tables of ${marts} only`,
        });
      const reserved = reservedIdentifier(table, [...PLATFORM_SQL_NAMES.stagingTables]);
      if (reserved) problems.push({ path: at(`publish[${j}].table`), message: reserved });
    });
    if (!p.transform && (p.publish ?? []).length === 0)
      problems.push({
        path: at("transform"),
        message: "a pipeline needs a transform procedure, marts to publish, or both",
      });
    if (p.timezone && p.schedule.startsWith("rate("))
      problems.push({ path: at("timezone"), message: "applies to cron(...) expressions only" });
  });
  return problems;
}

/** What a pipeline needs of an analytics dataset it publishes (from the domain's `datasets[]`). */
export interface PublishedDatasetSpec {
  readonly domain: string;
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** The dataset's quality rules: the publish gate. */
  readonly quality: readonly QualityRule[];
  readonly steward: string;
  /** Hours within which a new publish is expected: its freshness alarm. @default none */
  readonly freshnessHours?: number;
}
