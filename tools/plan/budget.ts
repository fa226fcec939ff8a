// The `cost-within-budget` rule, judged on the plan's estimate: the pack cannot price a plan, so the offline plan
// applies the rule's level and waivers from the policy config, like every other verdict.
import type { PlannedResource } from "../../policies/engine/args";
import { PolicyConfig, ruleSettings, Verdicts } from "../../policies/engine/evaluate";
import { changeRules } from "../../policies/rules/changes";
import { waived } from "../../policies/rules/define";
import type { CostEstimate } from "./cost";
import { usd } from "./cost-report";

const RULE = changeRules.find((r) => r.name === "cost-within-budget")!;

/** The environment's budget: the Budget resource without a domain (domain budgets carry `data-domain`). */
export function environmentBudget(resources: readonly PlannedResource[]): { urn: string; usd: number } | undefined {
  const b = resources.find(
    (r) =>
      r.type === "aws:budgets/budget:Budget" &&
      !(r.inputs.tags as Record<string, string> | undefined)?.["data-domain"] &&
      r.inputs.limitAmount !== undefined,
  );
  return b && { urn: b.urn, usd: Number(b.inputs.limitAmount) };
}

/** The rule's verdict on one estimate: a violation when it exceeds the budget, unless disabled or waived. */
export function budgetVerdicts(
  cost: CostEstimate | undefined,
  resources: readonly PlannedResource[],
  config: PolicyConfig,
): Verdicts {
  const budget = environmentBudget(resources);
  const { level, properties } = ruleSettings(RULE, config);
  if (!cost || !budget || level === "disabled" || cost.monthlyTotal <= budget.usd)
    return { violations: [], waivers: [] };
  const w = waived(properties, { urn: budget.urn, name: budget.urn.split("::").pop()! });
  if (w) return { violations: [], waivers: [{ policy: RULE.name, urn: budget.urn, reason: w.reason }] };
  const drivers = [...cost.lines]
    .sort((a, b) => b.monthly - a.monthly)
    .slice(0, 3)
    .map((l) => `${l.urn.split("::").pop()} ${usd(l.monthly)}`)
    .join(", ");
  return {
    violations: [
      {
        policy: RULE.name,
        level: level === "advisory" ? "advisory" : "mandatory",
        urn: budget.urn,
        message: `The estimate of ${usd(cost.monthlyTotal)} a month exceeds the budget of ${usd(budget.usd)} by ${usd(cost.monthlyTotal - budget.usd)}. Largest drivers: ${drivers}.`,
      },
    ],
    waivers: [],
  };
}
