import { z } from "zod";
import type { Classification, Environment } from "../core/types";
import { monitoringSchema, resolveMonitoring, ResolvedMonitoring } from "../observability/config";
import { pipelinesSchema, ResolvedPipeline, resolvePipeline, validatePipelines } from "../pipelines/config";
import type { Problem } from "../core/problems";
import { ResolvedCdcSource, resolveCdcSource } from "../cdc/config";
import { payloadAjv, schemaPatternProblems } from "../ingestion/records/validate";
import { ResolvedSource, resolveSource, sourcesSchema } from "../ingestion/config";
import { validateSources, ValidationContext } from "../ingestion/validate-sources";

/**
 * The keys this module adds to the root config object (`data-platform:platform`): spread them into the root
 * strict object. All optional: a platform without sources or pipelines still gets monitoring of what it has.
 */
export const ingestionConfigShape = {
  /** Where data comes from: see docs/ingestion.md. @default [] */
  sources: sourcesSchema.optional(),
  /** Scheduled raw → warehouse → analytics runs. @default [] */
  pipelines: pipelinesSchema.optional(),
  /** Alert recipients and thresholds. @default the profile's thresholds, alerts to governance.owner */
  monitoring: monitoringSchema.optional(),
};
export const ingestionConfigSchema = z.strictObject(ingestionConfigShape);
export type IngestionConfig = z.output<typeof ingestionConfigSchema>;

export interface ResolvedIngestion {
  readonly sources: readonly ResolvedSource[];
  /** `cdc` sources: DMS replications into the raw zone, merged into warehouse staging. */
  readonly cdc: readonly ResolvedCdcSource[];
  readonly pipelines: readonly ResolvedPipeline[];
  readonly monitoring: ResolvedMonitoring;
}

/** Cross-field rules over sources and pipelines together, as `{ path, message }` problems (empty when valid). */
export function validateIngestion(cfg: IngestionConfig, ctx: ValidationContext): Problem[] {
  const sources = cfg.sources ?? [];
  return [...validateSources(sources, ctx), ...validatePipelines(cfg.pipelines ?? [], sources, ctx.domains)];
}

/** Topic schemas (streaming.topics[].schema) compile, with linear-time patterns only, like source schemas. */
export function topicSchemaProblems(topics: readonly { readonly schema?: unknown }[] | undefined): Problem[] {
  const problems: Problem[] = [];
  (topics ?? []).forEach((t, i) => {
    if (!t.schema) return;
    const path = `streaming.topics[${i}].schema`;
    const patterns = schemaPatternProblems(t.schema, path);
    problems.push(...patterns);
    if (patterns.length === 0)
      try {
        payloadAjv().compile(t.schema as object);
      } catch (e) {
        problems.push({ path, message: `is not a valid JSON Schema: ${(e as Error).message}` });
      }
  });
  return problems;
}

/** Profile defaults filled in; call only after `validateIngestion` returned no problems. */
export function resolveIngestion(
  cfg: IngestionConfig,
  environment: Environment,
  domains: readonly { name: string; classification: Classification }[],
  owner: string,
): ResolvedIngestion {
  const classificationOf = (d: string) => domains.find((x) => x.name === d)?.classification ?? "confidential";
  return {
    sources: (cfg.sources ?? []).flatMap((s) =>
      s.kind === "cdc" ? [] : [resolveSource(s, environment, classificationOf(s.domain))],
    ),
    cdc: (cfg.sources ?? []).flatMap((s) =>
      s.kind === "cdc" ? [resolveCdcSource(s, environment, classificationOf(s.domain))] : [],
    ),
    pipelines: (cfg.pipelines ?? []).map((p) => resolvePipeline(p, environment)),
    monitoring: resolveMonitoring(cfg.monitoring, environment, owner),
  };
}
