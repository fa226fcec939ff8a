import type { Zone } from "../core/types";
import { RAW_LANDING_KINDS, rawTableName } from "./raw";

// Lineage derived from config alone: source → raw table → loader → staging → marts → published dataset, and each
// Spark job's reads and writes. Plain data (the stack exports it; the plan report draws it).

export interface LineageInput {
  readonly datasets: readonly {
    readonly domain: string;
    readonly name: string;
    readonly zone: Zone;
    readonly publishedBy: readonly string[];
  }[];
  readonly sources: readonly {
    readonly name: string;
    readonly domain: string;
    readonly kind: string;
    /** object-events: the source whose raw objects it loads. */
    readonly from?: string;
    /** object-events: its table in the warehouse's `staging` schema (db-events: its DynamoDB table, not used). */
    readonly table?: unknown;
  }[];
  readonly pipelines: readonly {
    readonly name: string;
    readonly domain: string;
    readonly loads: readonly string[];
    readonly transform?: { readonly procedure: string };
    readonly publish: readonly { readonly table: string; readonly dataset: string }[];
  }[];
  readonly sparkJobs: readonly {
    readonly name: string;
    readonly domain: string;
    readonly reads: readonly Zone[];
    readonly writes: readonly Zone[];
  }[];
}

export type LineageKind = "source" | "table" | "loader" | "staging" | "transform" | "mart" | "job";

export interface Lineage {
  readonly nodes: readonly { readonly id: string; readonly label: string; readonly kind: LineageKind }[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly label: string }[];
}

const id = (...parts: string[]) => parts.join("_").replace(/[^A-Za-z0-9_]/g, "_");
/** The node of a lake table: `<domain>_<zone>.<table>`, the name engines query it by. */
export const tableNode = (domain: string, zone: Zone, table: string) => id("t", domain, zone, table);

export function datasetLineage(i: LineageInput): Lineage {
  const nodes = new Map<string, Lineage["nodes"][number]>();
  const edges: Lineage["edges"][number][] = [];
  const node = (nid: string, label: string, kind: LineageKind) => {
    if (!nodes.has(nid)) nodes.set(nid, { id: nid, label, kind });
    return nid;
  };
  const edge = (from: string, to: string, label: string) => {
    if (!edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to, label });
  };
  const table = (domain: string, zone: Zone, name: string) =>
    node(tableNode(domain, zone, name), `${domain}_${zone}.${name}`, "table");
  const sourceNode = (s: LineageInput["sources"][number]) => node(id("s", s.name), `${s.name} (${s.kind})`, "source");

  for (const s of i.sources) {
    if (!(RAW_LANDING_KINDS as readonly string[]).includes(s.kind)) continue;
    edge(sourceNode(s), table(s.domain, "raw", rawTableName(s.name)), "lands");
  }
  for (const s of i.sources) {
    if (s.kind !== "object-events" || !s.from) continue;
    const from = i.sources.find((x) => x.name === s.from);
    const loader = node(id("l", s.name), `loader ${s.name}`, "loader");
    if (from && (RAW_LANDING_KINDS as readonly string[]).includes(from.kind))
      edge(table(from.domain, "raw", rawTableName(from.name)), loader, "new objects");
    else if (from) edge(sourceNode(from), loader, "raw objects");
    if (typeof s.table === "string")
      edge(loader, node(id("w", "staging", s.table), `staging.${s.table}`, "staging"), "loads");
  }
  for (const p of i.pipelines) {
    const staged = p.loads.flatMap((l) => {
      const s = i.sources.find((x) => x.name === l);
      return s?.kind === "object-events" && typeof s.table === "string" ? [id("w", "staging", s.table)] : [];
    });
    const transform = p.transform
      ? node(id("p", p.name, "transform"), `${p.name}: CALL ${p.transform.procedure}`, "transform")
      : undefined;
    for (const st of staged) if (transform) edge(st, transform, "transform");
    for (const x of p.publish) {
      const mart = node(id("w", x.table), x.table, "mart");
      if (transform) edge(transform, mart, "builds");
      else for (const st of staged) edge(st, mart, "marts");
      edge(mart, table(p.domain, "analytics", x.dataset), `${p.name}: publish (Parquet, quality gate)`);
    }
  }
  for (const j of i.sparkJobs) {
    const job = node(id("j", j.name), `Spark job ${j.name}`, "job");
    const own = (zone: Zone) => i.datasets.filter((d) => d.domain === j.domain && d.zone === zone);
    for (const zone of j.reads) {
      if (zone === "raw")
        for (const s of i.sources)
          if (s.domain === j.domain && (RAW_LANDING_KINDS as readonly string[]).includes(s.kind))
            edge(table(s.domain, "raw", rawTableName(s.name)), job, "reads");
      for (const d of own(zone)) edge(table(d.domain, d.zone, d.name), job, "reads");
    }
    for (const zone of j.writes)
      for (const d of own(zone).filter((x) => x.publishedBy.length === 0))
        edge(job, table(d.domain, d.zone, d.name), "writes (Iceberg)");
  }
  for (const d of i.datasets) table(d.domain, d.zone, d.name);
  return { nodes: [...nodes.values()], edges };
}

const SHAPE: Record<LineageKind, [string, string]> = {
  source: ["([", "])"],
  table: ["[(", ")]"],
  loader: ["[[", "]]"],
  staging: ["[", "]"],
  transform: ["[[", "]]"],
  mart: ["[", "]"],
  job: ["[[", "]]"],
};

/** A mermaid flowchart of the lineage. */
export function lineageMermaid(l: Lineage): string {
  const quote = (s: string) => `"${s.replace(/"/g, "#quot;")}"`;
  return [
    "flowchart LR",
    ...l.nodes.map((n) => `  ${n.id}${SHAPE[n.kind][0]}${quote(n.label)}${SHAPE[n.kind][1]}`),
    ...l.edges.map((e) => `  ${e.from} -->|${quote(e.label)}| ${e.to}`),
  ].join("\n");
}
