import type { Classification } from "../core/types";
import type { ResolvedDataset } from "./config";

// Column-level governance as plain data: which columns carry their own classification LF-tag (those stricter than
// their table, so a grant by tag expression that does not reach that classification leaves them out), and the
// declared row filters as Lake Formation data-cells filters.

/** Columns of a dataset grouped by the classification they carry, for the ones stricter than the table. */
export function classifiedColumnGroups(
  ds: Pick<ResolvedDataset, "columns">,
): { classification: Classification; columns: string[] }[] {
  const groups = new Map<Classification, string[]>();
  for (const c of ds.columns.filter((x) => x.classified))
    groups.set(c.classification, [...(groups.get(c.classification) ?? []), c.name]);
  return [...groups.entries()].map(([classification, columns]) => ({ classification, columns }));
}

/** A data-cells filter's table data: the row condition, and every column but the excluded ones. */
export function dataCellsFilter(
  ds: Pick<ResolvedDataset, "name" | "columns">,
  filter: ResolvedDataset["rowFilters"][number],
): {
  name: string;
  tableName: string;
  rowFilter: { filterExpression: string };
  columnNames?: string[];
  columnWildcard?: object;
} {
  const excluded = filter.excludeColumns ?? [];
  return {
    name: filter.name,
    tableName: ds.name,
    rowFilter: { filterExpression: filter.expression },
    ...(excluded.length > 0 ? { columnWildcard: { excludedColumnNames: excluded } } : { columnWildcard: {} }),
  };
}

/** Table parameter listing the columns stricter than their table: `column=classification,…` (policies read it). */
export const COLUMN_CLASSIFICATIONS = "data-platform:column-classifications";

export const formatColumnClassifications = (columns: readonly { name: string; classification: Classification }[]) =>
  columns.map((c) => `${c.name}=${c.classification}`).join(",");

export function parseColumnClassifications(value: string | undefined): { column: string; classification: string }[] {
  return (value ?? "")
    .split(",")
    .filter((x) => x.includes("="))
    .map((x) => {
      const [column, classification] = x.split("=");
      return { column, classification };
    });
}
