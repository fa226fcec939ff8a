import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { Problem } from "../core/problems";
import { topicSchemaProblems, validateIngestion } from "../dataflow/section";
import { sparkStreamProblems } from "../compute/spark-streams";
import { computeProblems } from "../compute/config";
import { validateStreaming } from "../streaming/config";
import { deliveryTableProblems } from "../streaming/delivery";
import { validateWarehouse } from "../warehouse/config";
import { applyProfile, ResolvedConfig } from "./profiles";
import { platformSchema, PlatformParsed } from "./schema";
import { validateBi } from "../bi/config";
import { validateAccess } from "../security/config";
import { validateDatasets } from "../datasets/validate";
import { validateCost } from "../cost/config";

export type { Problem };

/**
 * Raised before any resource is declared; lists every problem at once so one edit fixes them all.
 * A RunError, so `pulumi up` prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
  constructor(readonly problems: readonly Problem[]) {
    super(`invalid platform config:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export const CONFIG_ROOT = "platform";

function joinPath(path: readonly PropertyKey[], root: string): string {
  return [root, ...path]
    .reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : `${acc}.${String(k)}`), "")
    .slice(1);
}

type Issue = z.core.$ZodIssue;

/** What one member of a union accepts, from the issue it raised at the union's own value. */
function allowedBy(branch: readonly Issue[]): string {
  const top = branch.find((i) => i.path.length === 0) ?? branch[0];
  if (!top) return "something else";
  if (top.code === "invalid_value") return top.values.map((v) => JSON.stringify(v)).join(" | ");
  if (top.code === "invalid_type") return top.expected === "object" ? "an object" : `a ${top.expected}`;
  return top.message;
}

/**
 * zod issues → problems. A union names what failed: when the value has the shape of exactly one member (its
 * problems lie inside the value), that member's problems with their full paths; otherwise every allowed form.
 */
function problemsFromIssues(issues: readonly Issue[], base: readonly PropertyKey[], root: string): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        problems.push({ path: joinPath([...path, key], root), message: "unknown key (is it a typo?)" });
    } else if (issue.code === "invalid_type" && issue.input === undefined) {
      problems.push({ path: joinPath(path, root), message: `is required (${issue.expected})` });
    } else if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const shaped = issue.errors.filter(
        (b) => b.length > 0 && b.every((i) => i.path.length > 0 || i.code === "unrecognized_keys"),
      );
      if (shaped.length === 1) problems.push(...problemsFromIssues(shaped[0], path, root));
      else
        problems.push({
          path: joinPath(path, root),
          message: `must be one of: ${issue.errors.map(allowedBy).join("; or ")}`,
        });
    } else {
      problems.push({ path: joinPath(path, root), message: issue.message });
    }
  }
  return problems;
}

/** zod issues → problems with paths users can find in their YAML (or their program, under another `root`). */
export function problemsFromZod(error: z.ZodError, root = CONFIG_ROOT): Problem[] {
  return problemsFromIssues(error.issues, [], root);
}

/** An AWS region name such as eu-west-1. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The stack's `aws:region`: required, and shaped like one (it names AZs, ARNs and endpoints). */
export function regionProblems(region: string | undefined): Problem[] {
  if (region === undefined || region === "")
    return [{ path: "aws:region", message: "is required: set `aws:region` in the stack file, e.g. eu-west-1" }];
  if (!REGION_PATTERN.test(region))
    return [{ path: "aws:region", message: `'${region}' is not an AWS region name such as eu-west-1` }];
  return [];
}

/** Rules no single field can express: uniqueness, consistency between fields, and what prod refuses. */
export function crossChecks(parsed: PlatformParsed, resolved: ResolvedConfig): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  parsed.domains.forEach((d, i) => {
    const first = seen.get(d.name);
    if (first !== undefined)
      problems.push({
        path: `platform.domains[${i}].name`,
        message: `duplicate domain '${d.name}' (also at platform.domains[${first}])`,
      });
    else seen.set(d.name, i);
  });
  const net = parsed.network;
  if (net?.existing && net.cidr) {
    problems.push({
      path: "platform.network.cidr",
      message: "conflicts with platform.network.existing.cidr: an existing VPC brings its own CIDR; set one of them",
    });
  }
  if (net?.availabilityZones && net.availabilityZones.length !== resolved.network.azCount) {
    problems.push({
      path: "platform.network.availabilityZones",
      message: `lists ${net.availabilityZones.length} zones but platform.network.azCount is ${resolved.network.azCount}`,
    });
  }
  if (resolved.environment !== "dev" && parsed.lake?.forceDestroy === true) {
    problems.push({
      path: "platform.lake.forceDestroy",
      message: `is refused in ${resolved.environment}: emptying buckets on destroy would delete the lake's data; only dev may set it`,
    });
  }
  if (resolved.environment === "prod") {
    if (parsed.network?.azCount === 2)
      problems.push({
        path: "platform.network.azCount",
        message: "is refused in prod: prod must survive the loss of an AZ, use 3",
      });
    if (parsed.network?.natGateways === "single")
      problems.push({
        path: "platform.network.natGateways",
        message: "is refused in prod: a single NAT gateway is a single point of failure, use per-az",
      });
    if (parsed.security?.keyDeletionWindowDays !== undefined && parsed.security.keyDeletionWindowDays < 30) {
      problems.push({
        path: "platform.security.keyDeletionWindowDays",
        message: "is refused in prod: a deleted key makes its data unreadable; prod keeps the 30-day window",
      });
    }
  }
  const capability = {
    environment: resolved.environment,
    azCount: resolved.network.azCount,
    domains: resolved.domains,
  };
  problems.push(...validateWarehouse(parsed.warehouse, resolved.warehouse, capability));
  problems.push(...validateStreaming(parsed.streaming, resolved.streaming, capability));
  const ingestion = [
    ...validateIngestion(parsed, {
      domains: resolved.domains,
      warehouse: resolved.warehouse.enabled,
      kafka: resolved.streaming.enabled,
      topics: resolved.streaming.topics,
    }),
    ...topicSchemaProblems(parsed.streaming?.topics),
  ];
  problems.push(...ingestion.map((p) => ({ path: `${CONFIG_ROOT}.${p.path}`, message: p.message })));
  const datasets = validateDatasets(parsed.domains, {
    sources: parsed.sources ?? [],
    pipelines: parsed.pipelines ?? [],
  });
  problems.push(...datasets.map((p) => ({ path: `${CONFIG_ROOT}.${p.path}`, message: p.message })));
  if (parsed.compute && resolved.compute)
    problems.push(...computeProblems(parsed.compute, resolved.compute, capability));
  const streams = resolved.compute?.spark?.streams ?? [];
  if (streams.length > 0 && !resolved.streaming.enabled)
    problems.push({
      path: "platform.compute.spark.streams",
      message: "needs the platform's Kafka (streaming.enabled)",
    });
  sparkStreamProblems(
    streams,
    { domains: parsed.domains, topics: resolved.streaming.topics, jobs: resolved.compute?.spark?.jobs ?? [] },
    (path, message) => problems.push({ path: `platform.compute.${path}`, message }),
  );
  deliveryTableProblems(resolved.streaming.topics, parsed.domains, (path, message) =>
    problems.push({ path: `platform.streaming.${path}`, message }),
  );
  const { rawInfrequentAccessAfterDays: ia, rawArchiveAfterDays: archive } = resolved.lake;
  if (archive < ia + 30)
    problems.push({
      path: "platform.lake.rawArchiveAfterDays",
      message: `must be at least 30 days after rawInfrequentAccessAfterDays (${ia})`,
    });
  problems.push(
    ...validateAccess(parsed.access, resolved.access, {
      environment: resolved.environment,
      prefix: `${resolved.name}-${resolved.environment}`,
      domains: resolved.domains,
    }),
  );
  problems.push(
    ...validateBi(parsed.bi, resolved.bi, {
      environment: resolved.environment,
      hasKubernetes: resolved.compute !== undefined,
      warehouseEngine: resolved.warehouse.enabled ? resolved.warehouse.engine : undefined,
    }),
  );
  problems.push(
    ...validateCost(parsed.cost, { domains: resolved.domains, sources: parsed.sources ?? [] }).map((p) => ({
      path: `${CONFIG_ROOT}.${p.path}`,
      message: p.message,
    })),
  );
  return problems;
}

/**
 * Parses, fills profile defaults and cross-checks the platform config.
 * Throws one ConfigError that lists every problem; never returns a half-valid config.
 */
export function loadPlatformConfig(raw: unknown, region: string | undefined): ResolvedConfig {
  const regional = regionProblems(region);
  if (raw === undefined || raw === null)
    throw new ConfigError([
      ...regional,
      { path: CONFIG_ROOT, message: "is required: set `data-platform:platform` in the stack file" },
    ]);
  const result = platformSchema.safeParse(raw);
  if (!result.success) throw new ConfigError([...regional, ...problemsFromZod(result.error)]);
  const resolved = applyProfile(result.data, region ?? "");
  const problems = [...regional, ...crossChecks(result.data, resolved)];
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}
