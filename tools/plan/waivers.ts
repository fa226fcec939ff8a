import Ajv from "ajv";
import type { PlannedResource } from "../../policies/engine/args";
import { PolicyConfig, ruleSettings } from "../../policies/engine/evaluate";
import { PlatformRule, Waiver, waived } from "../../policies/rules/define";

export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export interface UnusedWaiver extends Waiver {
  readonly policy: string;
}

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];
const ajv = new Ajv({ allErrors: true });
// Rules share their config schema (the waiver list): compiled once per schema, not once per configured rule.
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();
const validatorOf = (schema: object) => {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile({ type: "object", ...schema })));
  return validate;
};

/**
 * Checks a policy config the way the Pulumi CLI would before running the pack, plus what it would silently accept:
 * a misspelt rule name (its settings would never apply) or a waiver without a reason.
 */
export function checkPolicyConfig(rules: readonly PlatformRule[], config: PolicyConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const byName = new Map(rules.map((r) => [r.name, r]));
  for (const [name, entry] of Object.entries(config)) {
    const rule = byName.get(name);
    if (!rule && name !== "all") {
      problems.push({ path: name, message: "is not a rule of the pack (is it a typo?)" });
      continue;
    }
    const level = typeof entry === "string" ? entry : entry.enforcementLevel;
    if (level !== undefined && !LEVELS.includes(level))
      problems.push({ path: `${name}.enforcementLevel`, message: `must be one of ${LEVELS.join(" | ")}` });
    if (!rule?.configSchema || typeof entry === "string") continue;
    const validate = validatorOf(rule.configSchema);
    if (!validate(ruleSettings(rule, config).properties)) {
      for (const e of validate.errors ?? [])
        problems.push({
          path: `${name}${e.instancePath.replace(/\/(\d+)/g, "[$1]").replace(/\//g, ".")}`,
          message: e.message ?? "is invalid",
        });
    }
  }
  return problems;
}

/** Waivers that name no resource the rule judges in this plan: leftovers from a removed resource, or a typo. */
export function unusedWaivers(
  rules: readonly PlatformRule[],
  config: PolicyConfig,
  resources: readonly PlannedResource[],
): UnusedWaiver[] {
  const out: UnusedWaiver[] = [];
  for (const rule of rules) {
    const waivers = (ruleSettings(rule, config).properties.waivers ?? []) as Waiver[];
    const types = new Set(rule.meta.resourceTypes);
    for (const w of waivers) {
      if (!resources.some((r) => types.has(r.type) && waived({ waivers: [w] }, r)))
        out.push({ policy: rule.name, ...w });
    }
  }
  return out;
}
