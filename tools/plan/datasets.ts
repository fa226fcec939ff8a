import { COLUMN_CLASSIFICATIONS, parseColumnClassifications } from "../../components/datasets/governance";
import { Lineage, lineageMermaid } from "../../components/datasets/lineage";
import type { PlannedResource } from "../../policies/engine/args";
import { DATASET_TYPES } from "../../policies/rules/datasets";

// The report's "Datasets" section: every planned Glue table as the catalog will show it (governance parameters,
// location, format, columns with the classified ones marked, its quality ruleset, freshness), and the lineage
// diagram the stack exports.

const ZONE_ORDER = ["raw", "curated", "analytics"];
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

interface TableRow {
  readonly domain: string;
  readonly zone: string;
  readonly table: string;
  readonly owner: string;
  readonly steward: string;
  readonly classification: string;
  readonly location: string;
  readonly format: string;
  readonly columns: string;
  readonly quality: string;
  readonly freshness: string;
}

type Props = Record<string, unknown>;

function tableRow(t: PlannedResource, rulesets: readonly PlannedResource[]): TableRow {
  const i = t.inputs as Props;
  const p = (i.parameters ?? {}) as Record<string, string>;
  const iceberg = (i.openTableFormatInput as { icebergInput?: { icebergTableInput?: Props } } | undefined)?.icebergInput
    ?.icebergTableInput;
  const sd = (i.storageDescriptor ?? {}) as Props;
  const columns: { name: string; type: string }[] = iceberg
    ? ((iceberg.schema as { fields?: { name: string; type: string }[] })?.fields ?? [])
    : ((sd.columns ?? []) as { name: string; type: string }[]);
  const serde = String((sd.serDeInfo as Props | undefined)?.serializationLibrary ?? "");
  const format = iceberg ? "iceberg" : /parquet/i.test(serde) ? "parquet" : /json/i.test(serde) ? "json" : "?";
  const classified = new Map(parseColumnClassifications(p[COLUMN_CLASSIFICATIONS]).map((c) => [c.column, c]));
  const ruleset = rulesets.find((r) => {
    const target = (r.inputs as Props).targetTable as Props | undefined;
    return target?.databaseName === i.databaseName && target?.tableName === i.name;
  });
  const dqdl = String((ruleset?.inputs as Props | undefined)?.ruleset ?? "")
    .split("\n")
    .slice(1, -1)
    .map((l) => l.trim().replace(/,$/, ""));
  const partitioned = ((i.partitionKeys ?? []) as { name: string }[]).map((k) => k.name);
  return {
    domain: p["data-domain"] ?? "?",
    zone: p["data-platform:zone"] ?? "?",
    table: `${String(i.databaseName)}.${String(i.name)}`,
    owner: p["data-owner"] ?? "?",
    steward: p["data-steward"] ?? "?",
    classification: p["data-classification"] ?? "?",
    location: String(iceberg?.location ?? sd.location ?? ""),
    format: `${format}${partitioned.length ? ` (by ${partitioned.join(", ")})` : ""}`,
    columns: columns
      .map((c) => {
        const k = classified.get(c.name);
        return k ? `**${c.name}** ${c.type} (${k.classification})` : `${c.name} ${c.type}`;
      })
      .join("<br>"),
    quality: dqdl.length > 0 ? dqdl.map((l) => `\`${l}\``).join("<br>") : "—",
    freshness: p["data-platform:freshness-hours"] ? `${p["data-platform:freshness-hours"]} h` : "—",
  };
}

/** The "Datasets" section (without its heading). */
export function datasetsSection(resources: readonly PlannedResource[], lineage?: Lineage): string[] {
  const tables = resources.filter((r) => r.type === DATASET_TYPES.table);
  const rulesets = resources.filter((r) => r.type === DATASET_TYPES.ruleset);
  const rows = tables
    .map((t) => tableRow(t, rulesets))
    .sort(
      (a, b) =>
        a.domain.localeCompare(b.domain) ||
        ZONE_ORDER.indexOf(a.zone) - ZONE_ORDER.indexOf(b.zone) ||
        a.table.localeCompare(b.table),
    );
  const out: string[] = [];
  if (rows.length === 0) out.push("No tables declared.");
  else {
    out.push(
      `${rows.length} table(s) in the Glue Data Catalog; **bold** columns carry their own, stricter classification (a column LF-tag).`,
      "",
      "| domain | zone | table | owner | steward | classification | location | format | columns | quality rules | freshness |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const r of rows)
      out.push(
        `| ${[r.domain, r.zone, `\`${r.table}\``, r.owner, r.steward, r.classification, `\`${r.location}\``, r.format, r.columns, r.quality, r.freshness].map(cell).join(" | ")} |`,
      );
  }
  if (lineage && lineage.edges.length > 0)
    out.push(
      "",
      "### Lineage",
      "",
      "Derived from config: source → raw table → loader → staging → marts → published table, and each Spark job's reads and writes.",
      "",
      "```mermaid",
      lineageMermaid(lineage),
      "```",
    );
  return out;
}
