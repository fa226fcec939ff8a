// `npm run bench -- --rules [--ks 5,50] [--runs N]`: every rule of the pack timed alone on the synthetic platforms
// of the scale bench, in one process, so a rule that joins resources pair by pair shows up by how its time grows.
import { evaluate } from "../../policies/engine/evaluate";
import { readPolicyConfig } from "../../policies/config";
import type { PlatformRule } from "../../policies/rules/define";
import { runProgram } from "../plan/run";
import { syntheticConfig } from "./synthetic";

export interface RuleTiming {
  readonly rule: string;
  readonly kind: "stack" | "resource";
  /** Median milliseconds per platform size, in the order of `ks`. */
  readonly ms: readonly number[];
}

export interface RuleTimes {
  readonly ks: readonly number[];
  readonly resources: readonly number[];
  readonly rules: readonly RuleTiming[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Plans each platform under the mock engine once, then evaluates each rule alone `runs` times (after one evaluation of
 * the whole pack, which builds the stack's shared views and warms the code) and keeps the median, less the median
 * of the engine evaluating no rule.
 */
export async function ruleTimes(
  rules: readonly PlatformRule[],
  ks: readonly number[],
  runs: number,
): Promise<RuleTimes> {
  const config = readPolicyConfig("prod");
  const resources: number[] = [];
  const ms = new Map<string, number[]>();
  for (const k of ks) {
    const run = await runProgram({ stack: `scale-${k}`, file: `Pulumi.scale-${k}.yaml`, config: syntheticConfig(k) });
    resources.push(run.resources.length);
    await evaluate(rules, run.resources, config);
    // What one call of the engine costs with no rule (its per-call type index): taken off every rule's time.
    const idle: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await evaluate([], run.resources, config);
      idle.push(performance.now() - t0);
    }
    const overhead = median(idle);
    for (const rule of rules) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await evaluate([rule], run.resources, config);
        times.push(performance.now() - t0);
      }
      ms.set(rule.name, [...(ms.get(rule.name) ?? []), Math.max(0, median(times) - overhead)]);
    }
  }
  return {
    ks,
    resources,
    rules: rules.map((rule) => ({
      rule: rule.name,
      kind: "validateStack" in rule ? "stack" : "resource",
      ms: ms.get(rule.name) ?? [],
    })),
  };
}

/** One line per rule, slowest at the largest size first: the time at each size and the growth from first to last. */
export function ruleTable(t: RuleTimes, top = Infinity): string[] {
  const last = t.ks.length - 1;
  const resourceRatio = t.resources[last] / t.resources[0];
  const rows = [...t.rules].sort((a, b) => b.ms[last] - a.ms[last]).slice(0, top);
  const head = t.ks.map((k, i) => `k=${k} (${t.resources[i]})`.padStart(16)).join("");
  return [
    `  ${"rule".padEnd(36)} ${"kind".padEnd(8)}${head}   growth (resources ×${resourceRatio.toFixed(1)})`,
    ...rows.map(
      (r) =>
        `  ${r.rule.padEnd(36)} ${r.kind.padEnd(8)}${r.ms.map((m) => `${m.toFixed(2)} ms`.padStart(16)).join("")}   ×${(r.ms[last] / Math.max(r.ms[0], 0.01)).toFixed(1)}`,
    ),
  ];
}
