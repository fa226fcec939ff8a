import type { Problem } from "../core/problems";
import type { Classification, Environment } from "../core/types";
import {
  ingestionConfigSchema,
  IngestionConfig,
  ResolvedIngestion,
  resolveIngestion,
  validateIngestion,
} from "../dataflow/section";
import { resolveWarehouseConfig, validateWarehouse, WarehouseConfig, warehouseSchema } from "../warehouse/config";
import { CONFIG_ROOT, ConfigError, problemsFromZod } from "./load";

// One section of the platform config, validated and resolved on its own, for programs that use the components
// without DataPlatform. Problems are named from the section's root (`ingestion.sources[0].schema`, `warehouse.…`).

export interface SectionContext {
  readonly environment: Environment;
  /** The domains the section may name, with their classification. */
  readonly domains: readonly { readonly name: string; readonly classification: Classification }[];
}

function refuse(problems: readonly Problem[]): void {
  if (problems.length > 0) throw new ConfigError(problems);
}

const rerooted = (problems: readonly Problem[], root: string) =>
  problems.map((p) => ({ ...p, path: p.path.replace(new RegExp(`^${CONFIG_ROOT}\\.${root}\\b`), root) }));

/** Sources and pipelines (the `sources`, `pipelines` and `monitoring` keys of the platform config), with profile defaults. */
export function ingestionSection(
  input: unknown,
  ctx: SectionContext & {
    /** Receives alerts unless `monitoring` names others. */
    readonly owner: string;
    /** Whether a warehouse exists (object-events sources and pipelines load into it). @default false */
    readonly warehouse?: boolean;
    /** Kafka topics http sources may publish to. @default none: no Kafka */
    readonly topics?: readonly { readonly name: string; readonly domain: string }[];
  },
): ResolvedIngestion {
  const parsed = ingestionConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(problemsFromZod(parsed.error, "ingestion"));
  const cfg: IngestionConfig = parsed.data;
  const problems = validateIngestion(cfg, {
    domains: ctx.domains,
    warehouse: ctx.warehouse ?? false,
    kafka: (ctx.topics ?? []).length > 0,
    topics: ctx.topics,
  });
  refuse(problems.map((p) => ({ ...p, path: `ingestion.${p.path}` })));
  return resolveIngestion(cfg, ctx.environment, ctx.domains, ctx.owner);
}

/** The warehouse section (engine, sizes, backups) with the profile's defaults, checked against the network's AZs. */
export function warehouseSection(input: unknown, ctx: SectionContext & { readonly azCount: number }): WarehouseConfig {
  const parsed = warehouseSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ConfigError(problemsFromZod(parsed.error, "warehouse"));
  const config = resolveWarehouseConfig(parsed.data, ctx.environment);
  refuse(
    rerooted(
      validateWarehouse(parsed.data, config, { environment: ctx.environment, azCount: ctx.azCount }),
      "warehouse",
    ),
  );
  return config;
}
