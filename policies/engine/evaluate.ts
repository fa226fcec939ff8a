import type { EnforcementLevel } from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";
import type { PlatformRule } from "../rules/define";
import { type RuleConfig, waived } from "../rules/define";
import { NotApplicable, PlannedResource, resourceArgs, stackArgs } from "./args";

/** A policy config file's contents: per rule, a level or `{ enforcementLevel, ...properties }`. */
export type PolicyConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export interface Violation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly urn?: string;
  readonly message: string;
}

export interface WaiverInUse {
  readonly policy: string;
  readonly urn: string;
  readonly reason: string;
}

export interface Verdicts {
  readonly violations: Violation[];
  readonly waivers: WaiverInUse[];
}

/** Splits one config entry into its level and its properties, as the analyzer server does. */
export function ruleSettings(
  rule: PlatformRule,
  config: PolicyConfig,
): { level: EnforcementLevel; properties: Record<string, unknown> } {
  const entry = config[rule.name];
  const all = config["all"];
  const fallback = typeof all === "string" ? all : (rule.enforcementLevel ?? "advisory");
  if (entry === undefined) return { level: fallback, properties: {} };
  if (typeof entry === "string") return { level: entry, properties: {} };
  const { enforcementLevel, ...properties } = entry;
  return { level: enforcementLevel ?? fallback, properties };
}

/**
 * Runs every rule over the planned resources the way the policy analyzer does: resource rules once per
 * resource with proxied inputs, stack rules once over the linked graph; `notApplicable` is honoured.
 */
export async function evaluate(
  rules: readonly PlatformRule[],
  resources: readonly PlannedResource[],
  config: PolicyConfig,
): Promise<Verdicts> {
  const violations: Violation[] = [];
  const waivers: WaiverInUse[] = [];
  // Resource rules visit only the types they declare: indexed once, not scanned once per rule.
  const byType = new Map<string, PlannedResource[]>();
  for (const r of resources) {
    const list = byType.get(r.type);
    if (list) list.push(r);
    else byType.set(r.type, [r]);
  }
  const order = new Map(resources.map((r, i) => [r, i]));
  const ofTypes = (types: readonly string[]) =>
    [...new Set(types)].flatMap((t) => byType.get(t) ?? []).sort((a, b) => order.get(a)! - order.get(b)!);
  for (const rule of rules) {
    const { level, properties } = ruleSettings(rule, config);
    if (level === "disabled") continue;
    const reported = level === "remediate" ? "mandatory" : level;
    const report = (message: string, urn?: string) =>
      violations.push({ policy: rule.name, level: reported, urn, message });
    const guard = async (fn: () => unknown) => {
      try {
        await fn();
      } catch (e) {
        if (e instanceof NotApplicable) return;
        if (e instanceof UnknownValueError) {
          violations.push({
            policy: rule.name,
            level: "advisory",
            message: `cannot run during preview: ${(e as Error).message}`,
          });
          return;
        }
        throw e;
      }
    };
    const own = ofTypes(rule.meta.resourceTypes);
    if ((properties as RuleConfig).waivers?.length)
      for (const r of own) {
        const w = waived(properties, r);
        if (w) waivers.push({ policy: rule.name, urn: r.urn, reason: w.reason });
      }
    if ("validateResource" in rule && rule.validateResource) {
      const validations = Array.isArray(rule.validateResource) ? rule.validateResource : [rule.validateResource];
      for (const r of own) {
        if (!r.custom) continue;
        for (const v of validations)
          await guard(() => v(resourceArgs(r, properties), (m, urn) => report(m, urn ?? r.urn)));
      }
    } else if ("validateStack" in rule && rule.validateStack) {
      const validate = rule.validateStack;
      await guard(() => validate(stackArgs(resources, properties), (m, urn) => report(m, urn)));
    }
  }
  return { violations, waivers };
}
