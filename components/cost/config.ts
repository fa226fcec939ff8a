import { z } from "zod";
import type { Problem } from "../core/problems";
import type { Environment } from "../core/types";

// The `cost` section: what the environment may spend a month (an AWS Budget, and a policy rule on the plan's
// estimate), who hears of unusual spend, and the volume assumptions that price usage-driven services offline.

const usd = (what: string) => z.number({ message: `must be ${what} in USD` }).positive({ message: "must be above 0" });

/** Expected traffic of one source: what its requests, functions, queues, tables and raw objects are priced by. */
export const volumeSchema = z.strictObject({
  /** Records the source receives a month. */
  recordsPerMonth: z.number().int().min(0).max(1e12),
  /** Average size of one record in KB. @default 1 */
  averageRecordKb: z.number().positive().max(1024).optional(),
});

export const costSchema = z.strictObject({
  /**
   * What the environment may cost a month: an AWS Budget alerts at 80 % of actual and 100 % of forecast spend, and
   * the plan's estimate above it is a policy violation (mandatory in dev, advisory elsewhere).
   * @default dev 1500, staging 4000, prod 25000
   */
  monthlyBudgetUsd: usd("a monthly amount").optional(),
  /** A monthly budget per domain (tracked through the `data-domain` cost-allocation tag). @default an even share of monthlyBudgetUsd */
  domainBudgetsUsd: z.record(z.string(), usd("a monthly amount")).optional(),
  /** Cost Anomaly Detection alerts when an anomaly's total impact reaches this. @default dev 50, staging 100, prod 250 */
  anomalyAlertUsd: usd("an amount").optional(),
  /** Hours a day the warehouse runs queries: Redshift Serverless bills its RPUs only then. @default dev 2, staging 4, prod 12 */
  warehouseHoursPerDay: z.number().min(0).max(24).optional(),
  /** TB that Athena scans a month across the workgroups. @default dev 0.05, staging 0.2, prod 1 */
  athenaScannedTbPerMonth: z.number().min(0).max(10_000).optional(),
  /** Expected volume per source name. @default every source: dev 100 000, staging 1 000 000, prod 10 000 000 records of 1 KB a month */
  volumes: z.record(z.string(), volumeSchema).optional(),
});

export type CostInput = z.input<typeof costSchema>;
export type CostConfig = z.output<typeof costSchema>;

export interface SourceVolume {
  readonly source: string;
  readonly kind: string;
  readonly domain: string;
  /** The Kafka topic an http source also publishes to (a delivered topic is priced by Firehose's ingest). */
  readonly kafkaTopic?: string;
  readonly recordsPerMonth: number;
  readonly averageRecordKb: number;
  /** Whether the figure comes from the config or the profile's default. */
  readonly assumed: "config" | "default";
}

export interface ResolvedCost {
  readonly monthlyBudgetUsd: number;
  readonly domainBudgetsUsd: Readonly<Record<string, number>>;
  readonly anomalyAlertUsd: number;
  readonly warehouseHoursPerDay: number;
  readonly athenaScannedTbPerMonth: number;
  readonly volumes: readonly SourceVolume[];
}

export const COST_PROFILES: Record<
  Environment,
  Omit<ResolvedCost, "domainBudgetsUsd" | "volumes"> & { records: number }
> = {
  dev: {
    monthlyBudgetUsd: 1500,
    anomalyAlertUsd: 50,
    warehouseHoursPerDay: 2,
    athenaScannedTbPerMonth: 0.05,
    records: 100_000,
  },
  staging: {
    monthlyBudgetUsd: 4000,
    anomalyAlertUsd: 100,
    warehouseHoursPerDay: 4,
    athenaScannedTbPerMonth: 0.2,
    records: 1_000_000,
  },
  prod: {
    monthlyBudgetUsd: 25000,
    anomalyAlertUsd: 250,
    warehouseHoursPerDay: 12,
    athenaScannedTbPerMonth: 1,
    records: 10_000_000,
  },
};

const round = (n: number) => Math.round(n * 100) / 100;

/** Profile defaults under explicit values; each domain without a budget gets an even share of the environment's. */
export function resolveCost(
  c: CostConfig | undefined,
  environment: Environment,
  domains: readonly { name: string }[],
  sources: readonly { name: string; kind: string; domain: string; kafkaTopic?: string }[],
): ResolvedCost {
  const d = COST_PROFILES[environment];
  const monthlyBudgetUsd = c?.monthlyBudgetUsd ?? d.monthlyBudgetUsd;
  const share = domains.length > 0 ? round(monthlyBudgetUsd / domains.length) : 0;
  return {
    monthlyBudgetUsd,
    domainBudgetsUsd: Object.fromEntries(domains.map((x) => [x.name, c?.domainBudgetsUsd?.[x.name] ?? share])),
    anomalyAlertUsd: c?.anomalyAlertUsd ?? d.anomalyAlertUsd,
    warehouseHoursPerDay: c?.warehouseHoursPerDay ?? d.warehouseHoursPerDay,
    athenaScannedTbPerMonth: c?.athenaScannedTbPerMonth ?? d.athenaScannedTbPerMonth,
    volumes: sources.map((s) => {
      const v = c?.volumes?.[s.name];
      return {
        source: s.name,
        kind: s.kind,
        domain: s.domain,
        ...(s.kafkaTopic ? { kafkaTopic: s.kafkaTopic } : {}),
        recordsPerMonth: v?.recordsPerMonth ?? d.records,
        averageRecordKb: v?.averageRecordKb ?? 1,
        assumed: v ? "config" : "default",
      };
    }),
  };
}

/** Names in `cost` must be the config's own: a budget or volume for an unknown domain or source is a typo. */
export function validateCost(
  c: CostConfig | undefined,
  ctx: { domains: readonly { name: string }[]; sources: readonly { name: string }[] },
): Problem[] {
  const problems: Problem[] = [];
  const domains = ctx.domains.map((d) => d.name);
  const sources = ctx.sources.map((s) => s.name);
  for (const name of Object.keys(c?.domainBudgetsUsd ?? {}))
    if (!domains.includes(name))
      problems.push({
        path: `cost.domainBudgetsUsd.${name}`,
        message: `is not a declared domain (domains: ${domains.join(", ")})`,
      });
  for (const name of Object.keys(c?.volumes ?? {}))
    if (!sources.includes(name))
      problems.push({
        path: `cost.volumes.${name}`,
        message: `is not a declared source (sources: ${sources.join(", ") || "none"})`,
      });
  const sum = Object.values(c?.domainBudgetsUsd ?? {}).reduce((a, b) => a + b, 0);
  if (c?.monthlyBudgetUsd !== undefined && sum > c.monthlyBudgetUsd)
    problems.push({
      path: "cost.domainBudgetsUsd",
      message: `add up to ${sum} USD, more than cost.monthlyBudgetUsd (${c.monthlyBudgetUsd})`,
    });
  return problems;
}
