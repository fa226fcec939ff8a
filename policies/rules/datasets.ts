import { CLASSIFICATIONS } from "../../components/core/types";
import { COLUMN_CLASSIFICATIONS, parseColumnClassifications } from "../../components/datasets/governance";
import type { PolicyResource } from "@pulumi/policy";
import { ALWAYS, PlatformRule, PROD_PROFILE, resourceRule, stackRule } from "./define";
import { groupBy, stackIndex } from "./stack-index";

// Rules over the lake's tables: governance metadata, Iceberg maintenance, column classifications, quality rules.
// Glue tables take no resource tags, so their governance lives in table parameters (what the catalog shows).

export const DATASET_TYPES = {
  table: "aws:glue/catalogTable:CatalogTable",
  optimizer: "aws:glue/catalogTableOptimizer:CatalogTableOptimizer",
  resourceTags: "aws:lakeformation/resourceLfTags:ResourceLfTags",
  permissions: "aws:lakeformation/permissions:Permissions",
  ruleset: "aws:glue/dataQualityRuleset:DataQualityRuleset",
  cellsFilter: "aws:lakeformation/dataCellsFilter:DataCellsFilter",
} as const;

const params = (r: { props: Record<string, unknown> }) => (r.props.parameters ?? {}) as Record<string, string>;
const isIceberg = (r: { props: Record<string, unknown> }) =>
  (r.props.openTableFormatInput as { icebergInput?: unknown } | undefined)?.icebergInput !== undefined;
const tableKey = (db: unknown, name: unknown) => `${String(db)}.${String(name)}`;
/** Logical LF-tag name of a physical key (`<prefix>:classification` → `classification`). */
const tagName = (key: unknown) => String(key).split(":").pop() ?? "";

export const datasetRules: PlatformRule[] = [
  resourceRule({
    name: "glue-table-governed",
    description:
      "Every Glue table carries its data-domain, a known data-classification, its data-owner and data-steward as table parameters, so the catalog shows who answers for it and how sensitive it is.",
    remediation:
      "Declare tables through the platform's DatasetCatalog (or set parameters data-domain, data-classification, data-owner and data-steward).",
    group: "governance",
    resourceTypes: [DATASET_TYPES.table],
    enforcement: ALWAYS,
    validate(r, report) {
      const p = (r.props.parameters ?? {}) as Record<string, string>;
      const missing = ["data-domain", "data-owner", "data-steward"].filter((k) => !p[k]);
      if (missing.length > 0) report(`table parameters lack ${missing.join(", ")}`);
      const c = p["data-classification"];
      if (!(CLASSIFICATIONS as readonly string[]).includes(c ?? ""))
        report(`data-classification is ${c ? `'${c}'` : "missing"}; must be one of ${CLASSIFICATIONS.join(", ")}`);
    },
  }),

  resourceRule({
    name: "dataset-curated-iceberg",
    description:
      "Curated and analytics tables are Iceberg tables, unless a pipeline publishes them as files (a warehouse export cannot write Iceberg).",
    remediation:
      "Declare the dataset with format: iceberg (the default); file-based analytics datasets are for pipeline publishing only.",
    group: "reliability",
    resourceTypes: [DATASET_TYPES.table],
    enforcement: ALWAYS,
    validate(t, report) {
      const p = params(t);
      const zone = p["data-platform:zone"];
      if ((zone === "curated" || zone === "analytics") && !isIceberg(t) && !p["data-platform:published-by"])
        report(`${zone} table ${t.props.name} is not an Iceberg table and no pipeline publishes it`);
    },
  }),
  stackRule({
    name: "dataset-iceberg-maintained",
    description:
      "In prod every Iceberg table has Glue's compaction, snapshot retention and orphan-file deletion optimizers, so small files, old snapshots and orphans do not pile up.",
    remediation: "DatasetCatalog declares the optimizers from the profile's table maintenance; keep them.",
    group: "reliability",
    resourceTypes: [DATASET_TYPES.table, DATASET_TYPES.optimizer],
    enforcement: PROD_PROFILE,
    validate(resources, report) {
      const index = stackIndex(resources);
      let byTable: Map<string, PolicyResource[]> | undefined;
      for (const t of index.ofType(DATASET_TYPES.table).filter(isIceberg)) {
        byTable ??= groupBy(index.ofType(DATASET_TYPES.optimizer), (o) =>
          tableKey(o.props.databaseName, o.props.tableName),
        );
        const kinds = new Set(
          (byTable.get(tableKey(t.props.databaseName, t.props.name)) ?? []).map((o) => String(o.props.type)),
        );
        const missing = ["compaction", "retention", "orphan_file_deletion"].filter((k) => !kinds.has(k));
        if (missing.length > 0) report(`Iceberg table ${t.props.name} has no ${missing.join(", ")} optimizer`, t.urn);
      }
    },
  }),
  stackRule({
    name: "dataset-published-quality-rules",
    description:
      "In prod every published (analytics-zone) dataset has a Glue Data Quality ruleset on its table, so what BI reads is checked against declared rules and a failing publish is stopped and alerted.",
    remediation:
      "Declare quality rules (complete, unique, allowedValues, rowCount, freshnessColumn) on the dataset; DatasetCatalog turns them into a DataQualityRuleset and the pipeline's publish gate evaluates them.",
    group: "reliability",
    resourceTypes: [DATASET_TYPES.table, DATASET_TYPES.ruleset],
    enforcement: PROD_PROFILE,
    validate(resources, report) {
      const index = stackIndex(resources);
      let ruled: Set<string> | undefined;
      for (const t of index
        .ofType(DATASET_TYPES.table)
        .filter((r) => params(r)["data-platform:zone"] === "analytics")) {
        ruled ??= new Set(
          index
            .ofType(DATASET_TYPES.ruleset)
            .filter((r) => String(r.props.ruleset ?? "").trim() !== "")
            .map((q) => tableKey(q.props.targetTable?.databaseName, q.props.targetTable?.tableName)),
        );
        if (!ruled.has(tableKey(t.props.databaseName, t.props.name)))
          report(`published dataset ${t.props.name} has no data quality ruleset`, t.urn);
      }
    },
  }),
  stackRule({
    name: "dataset-classified-columns-tagged",
    description:
      "Every column classified stricter than its table carries that classification as a column LF-tag, so grants by tag expression leave it out for personas without clearance.",
    remediation:
      "Declare the column's classification in the dataset; DatasetCatalog tags it (ResourceLfTags tableWithColumns).",
    group: "security",
    resourceTypes: [DATASET_TYPES.table, DATASET_TYPES.resourceTags],
    enforcement: ALWAYS,
    validate(resources, report) {
      const index = stackIndex(resources);
      let byTable: Map<string, PolicyResource[]> | undefined;
      for (const t of index.ofType(DATASET_TYPES.table)) {
        for (const c of parseColumnClassifications(params(t)[COLUMN_CLASSIFICATIONS])) {
          byTable ??= groupBy(
            index.ofType(DATASET_TYPES.resourceTags).filter((r) => r.props.tableWithColumns),
            (g) => tableKey(g.props.tableWithColumns.databaseName, g.props.tableWithColumns.name),
          );
          const tagged = (byTable.get(tableKey(t.props.databaseName, t.props.name)) ?? []).some(
            (g) =>
              (g.props.tableWithColumns.columnNames ?? []).includes(c.column) &&
              (g.props.lfTags ?? []).some(
                (x: { key: string; value: string }) =>
                  tagName(x.key) === "classification" && x.value === c.classification,
              ),
          );
          if (!tagged)
            report(
              `column ${t.props.name}.${c.column} is ${c.classification} but carries no such column LF-tag`,
              t.urn,
            );
        }
      }
    },
  }),
  stackRule({
    name: "dataset-restricted-columns-not-granted",
    description:
      "Restricted columns never sit in a table readable by personas without clearance: no grant names such a table, no grant by tag expression reaches restricted data beyond a single domain (its steward's own), and data-cells filters over such a table exclude those columns.",
    remediation:
      "Grant by LF-tag expression with a classification below restricted, or a domain's own steward grant; never grant the table by name.",
    group: "security",
    resourceTypes: [DATASET_TYPES.table, DATASET_TYPES.permissions, DATASET_TYPES.cellsFilter],
    enforcement: ALWAYS,
    validate(resources, report) {
      const index = stackIndex(resources);
      const grants = index.ofType(DATASET_TYPES.permissions);
      let joins: ReturnType<typeof grantJoins> | undefined;
      for (const t of index.ofType(DATASET_TYPES.table)) {
        const restricted = parseColumnClassifications(params(t)[COLUMN_CLASSIFICATIONS]).filter(
          (c) => c.classification === "restricted",
        );
        if (restricted.length === 0) continue;
        const domain = params(t)["data-domain"];
        joins ??= grantJoins(grants, index.ofType(DATASET_TYPES.cellsFilter));
        const key = tableKey(t.props.databaseName, t.props.name);
        for (const f of joins.filters.get(key) ?? []) {
          const d = f.props.tableData ?? {};
          const shown: string[] | undefined = d.columnNames;
          const excluded: string[] = d.columnWildcard?.excludedColumnNames ?? [];
          const leaks = restricted.filter((c) => (shown ? shown.includes(c.column) : !excluded.includes(c.column)));
          if (leaks.length > 0)
            report(
              `data-cells filter ${d.name} shows restricted column ${leaks.map((c) => c.column).join(", ")}`,
              f.urn,
            );
        }
        for (const g of joins.candidates(key)) {
          const named = g.props.table ?? g.props.tableWithColumns;
          if (named && tableKey(named.databaseName, named.name ?? "*") === key) {
            const excluded: string[] = g.props.tableWithColumns?.excludedColumnNames ?? [];
            if (restricted.some((c) => !excluded.includes(c.column)))
              report(
                `grant ${g.name} names table ${t.props.name}, whose restricted columns it does not exclude`,
                g.urn,
              );
            continue;
          }
          const policy = g.props.lfTagPolicy;
          if (!policy || policy.resourceType !== "TABLE") continue;
          const expr = new Map<string, string[]>(
            (policy.expressions ?? []).map((e: { key: string; values: string[] }) => [tagName(e.key), e.values]),
          );
          const cls = expr.get("classification");
          const domains = expr.get("domain");
          if (cls && !cls.includes("restricted")) continue;
          if (domains && !domains.includes(domain)) continue;
          if (domains && domains.length === 1) continue; // the domain's own steward (or maintenance) grant
          report(`grant ${g.name} reaches the restricted columns of ${t.props.name} beyond its domain`, g.urn);
        }
      }
    },
  }),
];

/**
 * The joins of dataset-restricted-columns-not-granted, built once: data-cells filters by table, and per table the
 * grants that can reach it (those naming it, and those by LF-tag expression on tables) in plan order.
 */
function grantJoins(grants: readonly PolicyResource[], filters: readonly PolicyResource[]) {
  const named = (g: PolicyResource) => g.props.table ?? g.props.tableWithColumns;
  const byName = groupBy(
    grants.filter((g) => named(g)),
    (g) => tableKey(named(g).databaseName, named(g).name ?? "*"),
  );
  const byTag = grants.filter((g) => g.props.lfTagPolicy?.resourceType === "TABLE");
  const order = new Map(grants.map((g, i) => [g, i]));
  return {
    filters: groupBy(filters, (f) => {
      const d = f.props.tableData ?? {};
      return tableKey(d.databaseName, d.tableName);
    }),
    candidates: (key: string) =>
      [...new Set([...(byName.get(key) ?? []), ...byTag])].sort((a, b) => order.get(a)! - order.get(b)!),
  };
}
