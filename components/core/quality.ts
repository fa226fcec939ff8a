// A dataset's quality rules in two equivalent spellings: Glue Data Quality's DQDL (the ruleset the catalog keeps
// beside the table) and plain rule objects the pipeline's publish gate evaluates in the warehouse before it exports.
// Pure and dependency-free: the gate's handler bundles this module.

/** A dataset's `quality` config (datasets/config.ts), as far as the rules go. */
export interface QualityConfig {
  readonly complete?: readonly string[];
  readonly unique?: readonly string[];
  readonly allowedValues?: Readonly<Record<string, readonly string[]>>;
  readonly rowCount?: { readonly min?: number; readonly max?: number };
  readonly freshnessColumn?: string;
}

export type QualityRule =
  | { readonly kind: "complete"; readonly column: string }
  /** One column: unique values (nulls aside). Several columns: a composite key, unique and complete. */
  | { readonly kind: "unique"; readonly columns: readonly string[] }
  | { readonly kind: "allowedValues"; readonly column: string; readonly values: readonly string[] }
  | { readonly kind: "rowCount"; readonly min?: number; readonly max?: number }
  | { readonly kind: "freshness"; readonly column: string; readonly hours: number };

/** The dataset's configured rules as a list, in a stable order (the order of the ruleset and of the gate's report). */
export function qualityRules(q: QualityConfig, freshnessHours?: number): QualityRule[] {
  const rules: QualityRule[] = [];
  for (const column of q.complete ?? []) rules.push({ kind: "complete", column });
  if (q.unique) rules.push({ kind: "unique", columns: [...q.unique] });
  for (const [column, values] of Object.entries(q.allowedValues ?? {}))
    rules.push({ kind: "allowedValues", column, values: [...values] });
  if (q.rowCount) rules.push({ kind: "rowCount", min: q.rowCount.min, max: q.rowCount.max });
  if (q.freshnessColumn && freshnessHours !== undefined)
    rules.push({ kind: "freshness", column: q.freshnessColumn, hours: freshnessHours });
  return rules;
}

/** A DQDL string literal; config refuses values DQDL cannot quote (double quotes, backslashes, line breaks). */
const str = (s: string) => {
  if (/["\\\r\n]/.test(s)) throw new Error(`DQDL cannot quote ${JSON.stringify(s)}`);
  return `"${s}"`;
};

/** One rule in DQDL. */
export function dqdlRule(r: QualityRule): string[] {
  switch (r.kind) {
    case "complete":
      return [`IsComplete ${str(r.column)}`];
    case "unique":
      return [
        r.columns.length === 1 ? `IsUnique ${str(r.columns[0])}` : `IsPrimaryKey ${r.columns.map(str).join(" ")}`,
      ];
    case "allowedValues":
      return [`ColumnValues ${str(r.column)} in [${r.values.map(str).join(", ")}]`];
    case "rowCount":
      return [
        ...(r.min !== undefined ? [`RowCount >= ${r.min}`] : []),
        ...(r.max !== undefined ? [`RowCount <= ${r.max}`] : []),
      ];
    case "freshness":
      return [`DataFreshness ${str(r.column)} <= ${r.hours} hours`];
  }
}

/** The Glue Data Quality ruleset (DQDL) of a dataset's rules; undefined when it has none. */
export function dqdl(rules: readonly QualityRule[]): string | undefined {
  const lines = rules.flatMap(dqdlRule);
  return lines.length === 0 ? undefined : `Rules = [\n${lines.map((l) => `    ${l}`).join(",\n")}\n]`;
}
