import * as fs from "node:fs";
import type { Environment } from "../../components/core/types";
import { readPolicyConfig } from "../../policies/config";
import { evaluate, PolicyConfig, Verdicts } from "../../policies/engine/evaluate";
import type { PlatformRule } from "../../policies/rules/define";
import { budgetVerdicts } from "./budget";
import { PLAN_FORMAT, PlanDocument } from "./report";

/** Reads a plan.json, refusing one written in another format (its fields would be misread). */
export function readPlan(file: string): PlanDocument {
  let doc: Partial<PlanDocument>;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<PlanDocument>;
  } catch (e) {
    throw new Error(`${file}: cannot read a plan: ${(e as Error).message}`, { cause: e });
  }
  if (doc.format !== PLAN_FORMAT)
    throw new Error(
      `${file}: plan format ${doc.format ?? "1 (no format field)"}, this tool reads format ${PLAN_FORMAT}: plan it again`,
    );
  if (!Array.isArray(doc.resources)) throw new Error(`${file}: a plan has a resources array`);
  return doc as PlanDocument;
}

/**
 * Judges a plan.json again with the pack (and the budget rule on its estimate), without the program: what a reviewer
 * or a later tool can check.
 */
export async function replay(
  doc: PlanDocument,
  rules: readonly PlatformRule[],
  config: PolicyConfig = readPolicyConfig(doc.environment as Environment),
): Promise<Verdicts> {
  const pack = await evaluate(rules, doc.resources, config);
  const budget = budgetVerdicts(doc.cost, doc.resources, config);
  return { violations: [...pack.violations, ...budget.violations], waivers: [...pack.waivers, ...budget.waivers] };
}
