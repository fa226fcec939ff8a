// The cost estimate in words: the report's section, the change against a base plan per resource, and the budget line.
import type { CostEstimate } from "./cost";

export interface CostChangeRow {
  /** The resource's URN (or `usage:…`). */
  readonly urn: string;
  readonly type: string;
  readonly base: number;
  readonly head: number;
  readonly change: number;
}

/** With `--against`: the estimate's change, in total and per resource (rows whose cost moved, largest first). */
export interface CostChange {
  readonly against: string;
  readonly base: number;
  readonly head: number;
  readonly change: number;
  readonly resources: readonly CostChangeRow[];
}

const round = (n: number) => Math.round(n * 100) / 100;
export const usd = (n: number) => `$${n.toFixed(2)}`;
const signed = (n: number) => `${n >= 0 ? "+" : "−"}${usd(Math.abs(n))}`;
const short = (urn: string) => urn.split("::").pop()!;
const kind = (type: string) => type.split(":").pop()!;

/** Per-resource change of the estimate: a resource only in one plan counts from or to zero. */
export function costChange(against: string, base: CostEstimate, head: CostEstimate): CostChange {
  const rows = new Map<string, { type: string; base: number; head: number }>();
  for (const l of base.lines) rows.set(l.urn, { type: l.type, base: l.monthly, head: 0 });
  for (const l of head.lines) rows.set(l.urn, { type: l.type, base: rows.get(l.urn)?.base ?? 0, head: l.monthly });
  const resources = [...rows]
    .map(([urn, r]) => ({ urn, ...r, change: round(r.head - r.base) }))
    .filter((r) => r.change !== 0)
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || a.urn.localeCompare(b.urn));
  return {
    against,
    base: base.monthlyTotal,
    head: head.monthlyTotal,
    change: round(head.monthlyTotal - base.monthlyTotal),
    resources,
  };
}

/** The change table: at most `maxRows` rows (a pull-request comment has a size limit; plan.json holds all). */
export function costChangeSection(c: CostChange, maxRows = Infinity): string[] {
  const out = [`Against \`${c.against}\`: ${usd(c.base)} → ${usd(c.head)} a month (${signed(c.change)}).`, ""];
  if (c.resources.length === 0) return [...out, "No resource's estimate changed.", ""];
  out.push("| resource | type | base | head | change |", "| --- | --- | ---: | ---: | ---: |");
  for (const r of c.resources.slice(0, maxRows))
    out.push(`| \`${short(r.urn)}\` | ${kind(r.type)} | ${usd(r.base)} | ${usd(r.head)} | ${signed(r.change)} |`);
  if (c.resources.length > maxRows) out.push(`| … ${c.resources.length - maxRows} more in plan.json | | | | |`);
  return [...out, ""];
}

/** The report's "Cost estimate" section: total, budget, the five largest drivers, each domain's share, assumptions. */
export function costSection(c: CostEstimate, budgetUsd?: number): string[] {
  const out = [
    `Monthly estimate in ${c.region}: **${usd(c.monthlyTotal)}** (${usd(c.idleTotal)} while idle, ${usd(c.usageTotal)} from the volume assumptions)${budgetUsd !== undefined ? `, budget ${usd(budgetUsd)} (${Math.round((100 * c.monthlyTotal) / budgetUsd)} %)` : ""}. On-demand list prices checked ${c.pricesChecked ?? "(no price table for this region)"} (tools/plan/prices.ts); data transfer and storage that grows over months are not included.`,
    "",
    "| largest drivers | component | monthly |",
    "| --- | --- | ---: |",
  ];
  for (const l of [...c.lines].sort((a, b) => b.monthly - a.monthly).slice(0, 5))
    out.push(`| \`${short(l.urn)}\` (${kind(l.type)}) | ${l.component} | ${usd(l.monthly)} |`);
  out.push("", "| domain | monthly | share |", "| --- | ---: | ---: |");
  for (const [d, n] of Object.entries(c.byDomain).sort(([, a], [, b]) => b - a))
    out.push(`| ${d} | ${usd(n)} | ${c.monthlyTotal ? Math.round((100 * n) / c.monthlyTotal) : 0}% |`);
  const usage = c.lines.filter((l) => l.assumption);
  if (usage.length > 0) {
    out.push("", "Usage assumptions:", "");
    for (const l of usage) out.push(`- \`${short(l.urn)}\`: ${l.assumption} → ${usd(l.monthly)}`);
  }
  if (c.unpriced.length > 0) {
    const keys = new Map<string, number>();
    for (const u of c.unpriced) keys.set(u.key, (keys.get(u.key) ?? 0) + 1);
    out.push(
      "",
      `Unpriced (no price in the table, not counted): ${[...keys].map(([k, n]) => `\`${k}\` ×${n}`).join(", ")}.`,
    );
  }
  return out;
}
