import type { PlannedResource } from "../../policies/engine/args";
import { evaluate, PolicyConfig } from "../../policies/engine/evaluate";
import type { PlatformRule } from "../../policies/rules/define";

let counter = 0;

/** A planned resource for rule tests; `name` defaults to a unique one, inputs are taken as given. */
export function planned(
  type: string,
  inputs: Record<string, unknown>,
  extra: Partial<PlannedResource> = {},
): PlannedResource {
  const name = extra.name ?? `r${++counter}`;
  const short = type.split(":").pop() ?? type;
  return {
    urn: extra.urn ?? `urn:pulumi:test::data-platform::${short}::${name}`,
    type,
    name,
    custom: true,
    inputs,
    protect: false,
    retainOnDelete: false,
    dependencies: [],
    ...extra,
  };
}

/** Messages the rule reports over these resources, run the way the policy runtime runs it (level forced on). */
export async function violations(
  rule: PlatformRule,
  resources: PlannedResource | readonly PlannedResource[],
  config: Record<string, unknown> = {},
): Promise<string[]> {
  const list = Array.isArray(resources) ? resources : [resources as PlannedResource];
  const cfg: PolicyConfig = { [rule.name]: { enforcementLevel: "mandatory", ...config } };
  const { violations: found } = await evaluate([rule], list, cfg);
  return found.map((v) => v.message);
}
