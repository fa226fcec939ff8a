import type { Problem } from "../core/problems";
import { atLeast, DatasetDomain } from "./config";
import { rawTableName } from "./raw";
import { GlueType, isPrimitive, parseType } from "./types";

// Rules over datasets that no single field can express. Paths are relative to the config root's `domains`, e.g.
// `domains[0].datasets[1].columns[2].type`, so the loader prefixes them like every other section's.

export interface DatasetValidationContext {
  readonly sources: readonly { readonly name: string; readonly domain: string; readonly kind: string }[];
  readonly pipelines: readonly {
    readonly name: string;
    readonly domain: string;
    readonly publish?: readonly { readonly dataset: string }[];
  }[];
}

export function validateDatasets(domains: readonly DatasetDomain[], ctx: DatasetValidationContext): Problem[] {
  const problems: Problem[] = [];
  domains.forEach((d, i) => {
    const seen = new Map<string, number>();
    (d.datasets ?? []).forEach((ds, j) => {
      const at = (f: string) => `domains[${i}].datasets[${j}]${f ? `.${f}` : ""}`;
      const push = (f: string, message: string) => problems.push({ path: at(f), message });
      const key = `${ds.zone}.${ds.name}`;
      const first = seen.get(key);
      if (first !== undefined)
        push(
          "name",
          `duplicate dataset '${ds.name}' in the ${ds.zone} zone (also at domains[${i}].datasets[${first}])`,
        );
      else seen.set(key, j);
      if (ds.zone === "raw") {
        const clash = ctx.sources.find((s) => s.domain === d.name && rawTableName(s.name) === ds.name);
        if (clash) push("name", `is the raw table of source '${clash.name}', which the platform derives itself`);
      }
      const format = ds.format ?? (ds.zone === "raw" ? "json" : "iceberg");
      const types = new Map<string, GlueType>();
      ds.columns.forEach((c, k) => {
        if (types.has(c.name)) push(`columns[${k}].name`, `duplicate column '${c.name}'`);
        if (c.name === "dt" && format !== "iceberg")
          push(`columns[${k}].name`, "'dt' is the partition column of file-based datasets; name the column otherwise");
        const t = parseType(c.type);
        if (typeof t === "string") push(`columns[${k}].type`, `is not a Glue type: ${t}`);
        else {
          types.set(c.name, t);
          if (format === "iceberg" && !isPrimitive(t))
            push(
              `columns[${k}].type`,
              "Iceberg datasets take primitive columns (string, bigint, double, decimal(p,s), timestamp, …); flatten nested data in curation",
            );
        }
        if (c.classification && !atLeast(c.classification, d.classification))
          push(
            `columns[${k}].classification`,
            `'${c.classification}' is weaker than the domain's '${d.classification}'; a column can only be stricter`,
          );
      });
      const column = (f: string, name: string, primitive = true) => {
        const t = types.get(name);
        if (!ds.columns.some((c) => c.name === name)) push(f, `names no column of the dataset ('${name}')`);
        else if (t && primitive && !isPrimitive(t)) push(f, `'${name}' is not a primitive column`);
      };
      (ds.partitioning ?? []).forEach((p, k) => {
        if (format !== "iceberg")
          push(
            `partitioning[${k}]`,
            `only Iceberg datasets declare partitions; ${format} datasets are partitioned by dt`,
          );
        column(`partitioning[${k}].column`, p.column);
      });
      const q = ds.quality;
      q?.complete?.forEach((c, k) => column(`quality.complete[${k}]`, c, false));
      q?.unique?.forEach((c, k) => column(`quality.unique[${k}]`, c));
      Object.entries(q?.allowedValues ?? {}).forEach(([c, values]) => {
        column(`quality.allowedValues.${c}`, c);
        values.forEach((v, k) => {
          if (/["\\\r\n]/.test(v))
            push(`quality.allowedValues.${c}[${k}]`, "must not contain double quotes, backslashes or line breaks");
        });
      });
      if (
        q?.rowCount &&
        q.rowCount.min !== undefined &&
        q.rowCount.max !== undefined &&
        q.rowCount.min > q.rowCount.max
      )
        push("quality.rowCount", `min (${q.rowCount.min}) is above max (${q.rowCount.max})`);
      if (q?.rowCount && q.rowCount.min === undefined && q.rowCount.max === undefined)
        push("quality.rowCount", "needs min, max or both");
      if (q?.freshnessColumn) {
        column("quality.freshnessColumn", q.freshnessColumn);
        const t = types.get(q.freshnessColumn);
        if (t && !(t.kind === "scalar" && (t.name === "timestamp" || t.name === "date")))
          push("quality.freshnessColumn", `'${q.freshnessColumn}' is not a timestamp or date column`);
        if (ds.freshnessHours === undefined) push("quality.freshnessColumn", "needs the dataset's freshnessHours");
      }
      const filters = new Set<string>();
      (ds.rowFilters ?? []).forEach((r, k) => {
        if (filters.has(r.name)) push(`rowFilters[${k}].name`, `duplicate row filter '${r.name}'`);
        filters.add(r.name);
        (r.excludeColumns ?? []).forEach((c, m) => column(`rowFilters[${k}].excludeColumns[${m}]`, c, false));
      });
    });
  });
  // Every published mart is a declared dataset: a registered table, not a loose folder.
  ctx.pipelines.forEach((p, i) =>
    (p.publish ?? []).forEach((x, j) => {
      const path = `pipelines[${i}].publish[${j}].dataset`;
      const domainIndex = domains.findIndex((d) => d.name === p.domain);
      const ds = domains[domainIndex]?.datasets?.find((d) => d.name === x.dataset && d.zone === "analytics");
      if (domainIndex < 0) return; // the pipeline's unknown domain is reported by the pipelines section
      if (!ds)
        problems.push({
          path,
          message: `'${x.dataset}' is not an analytics dataset of domain '${p.domain}': declare it under domains[${domainIndex}].datasets`,
        });
      else if ((ds.format ?? "iceberg") !== "parquet")
        problems.push({
          path,
          message: `'${x.dataset}' is published by the warehouse export, which writes Parquet files (it cannot commit Iceberg snapshots): declare it with format: parquet`,
        });
      else
        ds.columns.forEach((c, k) => {
          const t = parseType(c.type);
          if (typeof t !== "string" && !(isPrimitive(t) && !(t.kind === "scalar" && t.name === "binary")))
            problems.push({
              path,
              message: `'${x.dataset}' column '${c.name}' (domains[${domainIndex}].datasets columns[${k}]) is ${c.type}; the warehouse export writes scalar and decimal columns only`,
            });
        });
    }),
  );
  return problems;
}
