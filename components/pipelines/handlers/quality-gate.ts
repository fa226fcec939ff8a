// The publish gate: a dataset's quality rules evaluated in the warehouse, on the mart about to be exported, in
// SQL that PostgreSQL and Redshift both run. Each result names its rule in DQDL, the spelling of the Glue ruleset
// the catalog keeps for the same dataset, so an alert reads the same as the catalog.
import { dqdlRule, type QualityRule } from "../../core/quality";
import { ident, qualified, type Sql } from "../../ingestion/handlers/lib/warehouse";

export interface RuleResult {
  /** The rule in DQDL (a row-count range is two DQDL rules, shown together). */
  readonly rule: string;
  readonly passed: boolean;
  /** What was measured, e.g. `3 null value(s)`. */
  readonly observed: string;
}

export interface GateResult {
  readonly dataset: string;
  readonly steward?: string;
  readonly passed: boolean;
  readonly rules: readonly RuleResult[];
}

/** The publish stopped because a dataset broke its rules: the state machine alerts the steward, never retries. */
export class QualityGateFailed extends Error {
  override readonly name = "QualityGateFailed";
  constructor(readonly failures: readonly GateResult[]) {
    super(
      failures
        .map(
          (f) =>
            `${f.dataset}${f.steward ? ` (steward ${f.steward})` : ""}: ${f.rules
              .filter((r) => !r.passed)
              .map((r) => `${r.rule} -> ${r.observed}`)
              .join("; ")}`,
        )
        .join(" | "),
    );
  }
}

const count = (rows: Record<string, unknown>[]) => Number(rows[0]?.n ?? 0);
const instant = (v: unknown): number | undefined =>
  v instanceof Date ? v.getTime() : typeof v === "string" ? Date.parse(v) : undefined;

/** Evaluates one rule against `table` (`schema.table`). */
export async function evaluateRule(sql: Sql, table: string, rule: QualityRule, now: Date): Promise<RuleResult> {
  const t = qualified(table);
  const name = dqdlRule(rule).join(" and ");
  const one = async (text: string, values?: unknown[]) => (await sql.query(text, values)).rows;
  switch (rule.kind) {
    case "complete": {
      const n = count(await one(`SELECT COUNT(*) AS n FROM ${t} WHERE ${ident(rule.column)} IS NULL`));
      return { rule: name, passed: n === 0, observed: `${n} null value(s)` };
    }
    case "unique": {
      const cols = rule.columns.map(ident);
      const duplicated = count(
        await one(
          `SELECT COUNT(*) AS n FROM (SELECT ${cols.join(", ")} FROM ${t} WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(" AND ")} GROUP BY ${cols.join(", ")} HAVING COUNT(*) > 1) d`,
        ),
      );
      // Several columns form a key (DQDL IsPrimaryKey): a row missing part of it fails too.
      const partial =
        cols.length > 1
          ? count(await one(`SELECT COUNT(*) AS n FROM ${t} WHERE ${cols.map((c) => `${c} IS NULL`).join(" OR ")}`))
          : 0;
      return {
        rule: name,
        passed: duplicated === 0 && partial === 0,
        observed: `${duplicated} duplicated value(s)${cols.length > 1 ? `, ${partial} incomplete key(s)` : ""}`,
      };
    }
    case "allowedValues": {
      const c = ident(rule.column);
      const params = rule.values.map((_, i) => `$${i + 1}`).join(", ");
      const rows = await one(
        `SELECT COUNT(*) AS n FROM ${t} WHERE ${c} IS NOT NULL AND CAST(${c} AS VARCHAR) NOT IN (${params})`,
        [...rule.values],
      );
      return { rule: name, passed: count(rows) === 0, observed: `${count(rows)} value(s) outside the list` };
    }
    case "rowCount": {
      const n = count(await one(`SELECT COUNT(*) AS n FROM ${t}`));
      const passed = (rule.min === undefined || n >= rule.min) && (rule.max === undefined || n <= rule.max);
      return { rule: name, passed, observed: `${n} row(s)` };
    }
    case "freshness": {
      const [row] = await one(`SELECT MAX(${ident(rule.column)}) AS newest FROM ${t}`);
      const newest = instant(row?.newest);
      const age = newest === undefined || Number.isNaN(newest) ? undefined : (now.getTime() - newest) / 3_600_000;
      return {
        rule: name,
        passed: age !== undefined && age <= rule.hours,
        observed: age === undefined ? "no value" : `newest value ${age.toFixed(1)} hour(s) old`,
      };
    }
  }
}

/** Every rule of every dataset, in order; the gate passes only if all pass. */
export async function evaluateGate(
  sql: Sql,
  datasets: readonly {
    readonly dataset: string;
    readonly table: string;
    readonly steward?: string;
    readonly quality?: readonly QualityRule[];
  }[],
  now: Date,
): Promise<GateResult[]> {
  const out: GateResult[] = [];
  for (const d of datasets) {
    const rules: RuleResult[] = [];
    for (const r of d.quality ?? []) rules.push(await evaluateRule(sql, d.table, r, now));
    out.push({ dataset: d.dataset, steward: d.steward, passed: rules.every((r) => r.passed), rules });
  }
  return out;
}
