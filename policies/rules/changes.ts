import { STATEFUL_TYPE_TOKENS } from "../change/stateful";
import { Enforcement, PlatformRule, SECURITY, stackRule } from "./define";

/** A budget overrun is for dev to fix before merging; elsewhere the budget is a planning figure to be told about. */
const BUDGET: Enforcement = { dev: "mandatory", staging: "advisory", prod: "advisory" };

/**
 * Rules the offline plan judges, because the policy engine cannot see what they compare with.
 *
 * A change must not delete or replace a resource that holds data unless a waiver in the policy config names it.
 * The policy engine sees only the new program, so the pack itself reports nothing here: the offline plan judges the
 * change against the base plan (`npm run plan -- --against <plan.json | git ref>`) with this rule's level and
 * waivers, so one policy config holds every exception.
 */
export const changeRules: readonly PlatformRule[] = [
  stackRule({
    name: "no-unwaived-data-loss",
    description:
      "A change does not delete or replace a resource that holds data or identity (buckets, keys, databases, clusters, queues, topics, secrets, log groups) unless waived; judged by `npm run plan -- --against`.",
    group: "reliability",
    remediation:
      "Keep the resource's name and the inputs that force replacement, add `aliases` when a resource or component is renamed, or migrate the data first and waive the URN with the reason.",
    resourceTypes: STATEFUL_TYPE_TOKENS,
    enforcement: SECURITY,
    validate: () => undefined,
  }),
  stackRule({
    name: "cost-within-budget",
    description:
      "The plan's monthly cost estimate (idle resources and the configured volume assumptions) stays within the environment's budget (`cost.monthlyBudgetUsd`); judged by `npm run plan`.",
    group: "cost",
    remediation:
      "Shrink what drives the estimate (the report lists the five largest), lower the volume assumptions if they overstate, or raise `cost.monthlyBudgetUsd` with the owner's approval.",
    resourceTypes: ["aws:budgets/budget:Budget"],
    enforcement: BUDGET,
    validate: () => undefined,
  }),
];
