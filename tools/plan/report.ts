import type { PlannedResource } from "../../policies/engine/args";
import type { Verdicts } from "../../policies/engine/evaluate";
import type { Changes } from "./changes";
import { changeCounts, changesSection } from "./changes-report";
import type { CostEstimate } from "./cost";
import { CostChange, costChangeSection, costSection } from "./cost-report";
import { environmentBudget } from "./budget";
import { datasetsSection } from "./datasets";
import type { Lineage } from "../../components/datasets/lineage";
import type { UnusedWaiver } from "./waivers";

/** plan.json's format: bumped when a field changes meaning, so a reader can refuse a plan it cannot compare. */
export const PLAN_FORMAT = 2;

export interface PlanDocument {
  readonly format: typeof PLAN_FORMAT;
  readonly stack: string;
  readonly environment: string;
  /**
   * Every registration as the engine would receive it: URN, type, name, custom or component, provider, parent,
   * dependencies, property dependencies, inputs and the options that matter for change. Enough to judge the plan
   * again (`replay`) or to compare two plans without running either program.
   */
  readonly resources: readonly PlannedResource[];
  readonly policies: readonly { policy: string; level: string; urn?: string; message: string }[];
  readonly waivers: Verdicts["waivers"];
  /** Waivers in the policy config that match no resource of their rule: stale, or misspelt. */
  readonly unusedWaivers: readonly UnusedWaiver[];
  /** With `--against`: every resource's change from the base plan and the data-loss verdicts. */
  readonly changes?: Changes;
  /** The monthly cost per resource, component and domain: idle, and usage from the volume assumptions (cost.ts). */
  readonly cost?: CostEstimate;
  /** With `--against`: the estimate's change per resource. */
  readonly costChange?: CostChange;
}

export function planDocument(
  stack: string,
  environment: string,
  resources: readonly PlannedResource[],
  verdicts: Verdicts,
  unused: readonly UnusedWaiver[] = [],
  changes?: Changes,
  cost?: CostEstimate,
  costChange?: CostChange,
): PlanDocument {
  return {
    format: PLAN_FORMAT,
    stack,
    environment,
    resources,
    policies: verdicts.violations,
    waivers: verdicts.waivers,
    unusedWaivers: unused,
    ...(changes ? { changes } : {}),
    ...(cost ? { cost } : {}),
    ...(costChange ? { costChange } : {}),
  };
}

/** The component a resource belongs to: its nearest `data-platform:` ancestor (or itself). */
export function owningComponent(r: PlannedResource, byUrn: Map<string, PlannedResource>): string {
  let cur: PlannedResource | undefined = r;
  while (cur) {
    if (cur.type.startsWith("data-platform:") && cur.type !== "data-platform:lake:SecureBucket")
      return cur.type.split(":")[2];
    cur = cur.parent ? byUrn.get(cur.parent) : undefined;
  }
  return "(stack)";
}

export function countByComponent(resources: readonly PlannedResource[]): Map<string, Map<string, number>> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out = new Map<string, Map<string, number>>();
  for (const r of resources) {
    if (!r.custom) continue;
    const c = owningComponent(r, byUrn);
    const m = out.get(c) ?? new Map<string, number>();
    m.set(r.type, (m.get(r.type) ?? 0) + 1);
    out.set(c, m);
  }
  return out;
}

/** Data flows between components, drawn only when both ends are in the plan. */
const FLOWS: readonly [string, string, string][] = [
  ["Sources", "IngestionSource", "HTTP, queue, schedule, DB events"],
  ["IngestionSource", "DataLake", "raw zone"],
  ["IngestionSource", "KafkaCluster", "streams (ms)"],
  ["DataLake", "Warehouse", "loads: raw → staging"],
  ["Pipeline", "Warehouse", "staging → marts"],
  ["Pipeline", "DataLake", "analytics refresh"],
  ["Backfill", "Warehouse", "ad hoc: replays raw → staging"],
  ["KubernetesCluster", "SparkOperator", "hosts"],
  ["KubernetesCluster", "QueryEngine", "hosts"],
  ["SparkOperator", "DataLake", "batch jobs (cron)"],
  ["KafkaCluster", "QueryEngine", "topics"],
  ["DataLake", "QueryEngine", "Glue catalog: Hive, Iceberg"],
  ["Warehouse", "QueryEngine", "warehouse catalog"],
  ["QueryEngine", "BiAccess", "SQL for analysts"],
  ["Warehouse", "BiAccess", "bi_reader"],
  ["DataLake", "BiAccess", "Athena"],
  ["AccessModel", "DataLake", "LF-tags, grants"],
  ["AccessModel", "BiAccess", "persona roles"],
  ["SecurityFoundation", "DataLake", "KMS keys, boundary"],
  ["Network", "DataLake", "gateway endpoints"],
  ["Monitoring", "Owners", "alerts"],
];

export function mermaid(resources: readonly PlannedResource[]): string {
  const structural = new Set(["DataPlatform", "SecureBucket", "Ingestion", "PlatformFunction"]);
  const present = new Set(
    resources
      .filter((r) => r.type.startsWith("data-platform:"))
      .map((r) => r.type.split(":")[2])
      .filter((t) => !structural.has(t)),
  );
  present.add("Sources");
  if (present.has("Monitoring")) present.add("Owners");
  const lines = ["flowchart LR"];
  for (const c of [...present].sort()) lines.push(`  ${c}[${c}]`);
  for (const [from, to, label] of FLOWS)
    if (present.has(from) && present.has(to)) lines.push(`  ${from} -->|${label}| ${to}`);
  return lines.join("\n");
}

/**
 * The plan report. `access` is the rendered "who can access what" table (tools/access), passed in because it is
 * computed asynchronously by the IAM evaluator.
 */
export function markdownReport(
  doc: PlanDocument,
  resources: readonly PlannedResource[],
  access?: string,
  lineage?: Lineage,
): string {
  const counts = countByComponent(resources);
  const total = resources.filter((r) => r.custom).length;
  const out: string[] = [];
  out.push(`# Offline plan: ${doc.stack} (${doc.environment})`, "");
  out.push("Produced by `npm run plan` under Pulumi's mock engine: nothing was deployed, and no cloud was called.", "");
  out.push("## Architecture", "", "```mermaid", mermaid(resources), "```", "");
  out.push(`## Resources (${total})`, "", "| component | type | count |", "| --- | --- | ---: |");
  for (const [component, types] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [type, n] of [...types].sort(([a], [b]) => a.localeCompare(b)))
      out.push(`| ${component} | \`${type}\` | ${n} |`);
  }
  if (access !== undefined)
    out.push(
      "",
      "## Who can access what",
      "",
      "Every role against every zone and classification of the lake, evaluated with an IAM policy simulator over the plan's identity policies, boundaries, bucket and key policies, and Lake Formation grants.",
      "",
      access,
    );
  out.push("", "## Datasets", "", ...datasetsSection(resources, lineage));
  if (doc.cost) out.push("", "## Cost estimate", "", ...costSection(doc.cost, environmentBudget(resources)?.usd));
  if (doc.costChange) out.push("", "### Cost change", "", ...costChangeSection(doc.costChange));
  if (doc.changes) out.push("", "## Changes", "", ...changesSection(doc.changes));
  out.push("", "## Policy verdicts", "");
  if (doc.policies.length === 0) out.push("No violations.");
  else {
    out.push("| level | policy | resource | message |", "| --- | --- | --- | --- |");
    for (const v of doc.policies)
      out.push(
        `| ${v.level} | ${v.policy} | ${v.urn?.split("::").pop() ?? "(stack)"} | ${v.message.replace(/\n/g, " ").replace(/\|/g, "\\|")} |`,
      );
  }
  out.push("", "## Waivers in use", "");
  if (doc.waivers.length === 0) out.push("None.");
  else {
    out.push("| policy | resource | reason |", "| --- | --- | --- |");
    for (const w of doc.waivers) out.push(`| ${w.policy} | ${w.urn.split("::").pop()} | ${w.reason} |`);
  }
  if (doc.unusedWaivers.length > 0) {
    out.push("", "Waivers that match no planned resource (remove them, or fix the name):", "");
    for (const w of doc.unusedWaivers) out.push(`- ${w.policy}: \`${w.resource}\` (${w.reason})`);
  }
  return out.join("\n") + "\n";
}

export function summary(doc: PlanDocument, resources: readonly PlannedResource[]): string {
  const counts = countByComponent(resources);
  const lines = [`stack ${doc.stack} (${doc.environment}): ${resources.filter((r) => r.custom).length} resources`];
  for (const [component, types] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    const n = [...types.values()].reduce((a, b) => a + b, 0);
    lines.push(
      `  ${component.padEnd(22)} ${String(n).padStart(4)}  (${[...types].map(([t, c]) => `${t.split(":").pop()}×${c}`).join(", ")})`,
    );
  }
  const by = (level: string) => doc.policies.filter((v) => v.level === level).length;
  lines.push(
    `policies: ${by("mandatory")} mandatory, ${by("advisory")} advisory violation(s); ${doc.waivers.length} waiver(s) in use${doc.unusedWaivers.length ? `, ${doc.unusedWaivers.length} unused` : ""}`,
  );
  for (const w of doc.waivers) lines.push(`  [waived] ${w.policy}: ${w.urn.split("::").pop()} — ${w.reason}`);
  if (doc.cost)
    lines.push(
      `cost: $${doc.cost.monthlyTotal.toFixed(2)} a month in ${doc.cost.region} ($${doc.cost.idleTotal.toFixed(2)} idle, $${doc.cost.usageTotal.toFixed(2)} usage)${doc.cost.unpriced.length ? `, ${doc.cost.unpriced.length} unpriced item(s)` : ""}${doc.costChange ? `; ${doc.costChange.change >= 0 ? "+" : "-"}$${Math.abs(doc.costChange.change).toFixed(2)} against ${doc.costChange.against}` : ""}`,
    );
  if (doc.changes) {
    lines.push(`changes against ${doc.changes.against}: ${changeCounts(doc.changes)}`);
    for (const w of doc.changes.waivers) lines.push(`  [waived] ${w.urn.split("::").pop()} — ${w.reason}`);
    for (const v of doc.changes.verdicts) lines.push(`  [${v.level}] ${v.urn.split("::").pop()} — ${v.message}`);
  }
  for (const v of doc.policies)
    lines.push(`  [${v.level}] ${v.policy}: ${v.urn?.split("::").pop() ?? "(stack)"} — ${v.message.split("\n").pop()}`);
  return lines.join("\n");
}
