import { z } from "zod";
import type { Problem } from "../core/problems";
import type { Environment } from "../core/types";
import {
  ClusterConfig,
  ClusterProfile,
  clusterProblems,
  clusterSchema,
  CLUSTER_PROFILES,
  resolveCluster,
} from "./cluster-config";
import { COMPUTE_ROOT } from "./config-fields";
import {
  QueryEngineConfig,
  QueryEngineProfile,
  queryEngineProblems,
  queryEngineSchema,
  QUERY_ENGINE_PROFILES,
  resolveQueryEngine,
} from "./query-config";
import { resolveSpark, SparkConfig, SparkProfile, sparkProblems, sparkSchema, SPARK_PROFILES } from "./spark-config";

// The `platform.compute` section of a stack file: where Kubernetes comes from (cluster-config.ts), Spark and its
// scheduled jobs (spark-config.ts), and the query engine (query-config.ts). Objects are strict (an unknown key is a
// typo); optional fields are filled by each part's profile defaults.

export { COMPUTE_ROOT, isAllowListCidr } from "./config-fields";
export * from "./cluster-config";
export * from "./spark-config";
export * from "./query-config";

export const computeSchema = z.strictObject({
  /** @default { mode: eks } */
  cluster: clusterSchema.optional(),
  /** Present: Spark operator, history server and scheduled jobs. */
  spark: sparkSchema.optional(),
  /** Present: Trino (or Presto) over lake, warehouse and Kafka. */
  queryEngine: queryEngineSchema.optional(),
});

export type ComputeInput = z.input<typeof computeSchema>;
export type ComputeParsed = z.output<typeof computeSchema>;

export interface ComputeConfig {
  readonly cluster: ClusterConfig;
  readonly spark?: SparkConfig;
  readonly queryEngine?: QueryEngineConfig;
}

interface ComputeProfile {
  readonly cluster: ClusterProfile;
  readonly spark: SparkProfile;
  readonly queryEngine: QueryEngineProfile;
}

/** Each environment's defaults for the three parts, side by side. */
export const COMPUTE_PROFILES: Record<Environment, ComputeProfile> = {
  dev: { cluster: CLUSTER_PROFILES.dev, spark: SPARK_PROFILES.dev, queryEngine: QUERY_ENGINE_PROFILES.dev },
  staging: {
    cluster: CLUSTER_PROFILES.staging,
    spark: SPARK_PROFILES.staging,
    queryEngine: QUERY_ENGINE_PROFILES.staging,
  },
  prod: { cluster: CLUSTER_PROFILES.prod, spark: SPARK_PROFILES.prod, queryEngine: QUERY_ENGINE_PROFILES.prod },
};

/** Profile defaults under the user's values: what the user writes wins, field by field. */
export function resolveComputeConfig(parsed: ComputeParsed, environment: Environment): ComputeConfig {
  return {
    cluster: resolveCluster(parsed.cluster, environment),
    spark: parsed.spark ? resolveSpark(parsed.spark, environment) : undefined,
    queryEngine: parsed.queryEngine ? resolveQueryEngine(parsed.queryEngine, environment) : undefined,
  };
}

export interface ComputeCheckContext {
  readonly environment: Environment;
  /** Declared domains (name only is needed). */
  readonly domains: readonly { readonly name: string }[];
  readonly azCount: number;
}

/** Parses the section alone: problems with the same `platform.compute.jobs[0].name` paths the root loader uses. */
export function parseComputeConfig(raw: unknown): { data?: ComputeParsed; problems: Problem[] } {
  const result = computeSchema.safeParse(raw);
  if (result.success) return { data: result.data, problems: [] };
  return {
    problems: result.error.issues.flatMap((issue) => {
      const at = issue.path.reduce<string>(
        (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : `${acc}.${String(k)}`),
        COMPUTE_ROOT,
      );
      if (issue.code === "unrecognized_keys")
        return issue.keys.map((k) => ({ path: `${at}.${k}`, message: "unknown key (is it a typo?)" }));
      return [{ path: at, message: issue.message }];
    }),
  };
}

/**
 * Rules no single field can express. Takes the parsed section (to know what the user wrote) and the resolved one
 * (to judge the effective values), and returns every problem at once.
 */
export function computeProblems(parsed: ComputeParsed, resolved: ComputeConfig, ctx: ComputeCheckContext): Problem[] {
  const problems: Problem[] = [];
  const at = (path: string, message: string) => problems.push({ path: `${COMPUTE_ROOT}.${path}`, message });
  const { cluster } = resolved;
  clusterProblems(cluster, ctx, at, parsed.cluster);
  if (resolved.spark) {
    const spotGroup =
      cluster.mode === "eks" && Object.values(cluster.nodeGroups).some((g) => g.dedicatedTo === "spark-executors");
    sparkProblems(resolved.spark, { domains: ctx.domains, spotGroup, eks: cluster.mode === "eks" }, at);
  }
  if (resolved.queryEngine) queryEngineProblems(resolved.queryEngine, parsed.queryEngine, ctx.environment, at);
  return problems;
}
