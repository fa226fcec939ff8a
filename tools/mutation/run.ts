import type { PlannedResource } from "../../policies/engine/args";
import { evaluate, PolicyConfig } from "../../policies/engine/evaluate";
import type { PlatformRule } from "../../policies/rules/define";
import type { Mutation } from "./model";

export interface Outcome {
  readonly id: string;
  readonly source: string;
  readonly caught: boolean;
  /** The rules whose mandatory violation named the resource. */
  readonly by: string[];
}

/**
 * Applies each mutation and judges the weakened plan with the rules that list the mutated or blamed type (a rule
 * reports only on types it lists): a mutation is caught when a mandatory violation names the weakened resource (or,
 * for a bucket's companion, its bucket).
 */
export async function runMutations(
  mutations: readonly Mutation[],
  plan: readonly PlannedResource[],
  rules: readonly PlatformRule[],
  config: PolicyConfig,
): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const m of mutations) {
    const applied = m.apply(plan);
    if (!applied) throw new Error(`mutation ${m.id} found nothing to weaken in the plan`);
    const blamedType = plan.find((r) => r.urn === applied.blame)?.type;
    const relevant = rules.filter((r) => r.meta.resourceTypes.some((t) => t === m.type || t === blamedType));
    const { violations } = await evaluate(relevant, applied.resources, config);
    const named = new Set([applied.blame, applied.target]);
    const by = violations.filter((v) => v.level === "mandatory" && named.has(v.urn ?? "")).map((v) => v.policy);
    out.push({ id: m.id, source: m.source, caught: by.length > 0, by: [...new Set(by)] });
  }
  return out;
}

export const recall = (outcomes: readonly Outcome[]) =>
  outcomes.length === 0 ? 0 : outcomes.filter((o) => o.caught).length / outcomes.length;
