import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import type { PlannedResource } from "../../policies/engine/args";
import { allRules } from "../../policies/rules";
import { plan, PlanResult } from "../../tools/plan/plan";
import { Program, readStackFile, stackFilePath } from "../../tools/plan/run";

const cache = new Map<string, Promise<PlanResult>>();

/** Plans a committed stack once per test process; suites share the result (plans are deterministic). */
export function planStack(stack: "dev" | "staging" | "prod"): Promise<PlanResult> {
  let p = cache.get(stack);
  if (!p) {
    p = plan({ stackFile: stackFilePath(stack), rules: allRules });
    cache.set(stack, p);
  }
  return p;
}

/** Resources of a planned stack (throws when the plan failed). */
export async function resourcesOf(stack: "dev" | "staging" | "prod"): Promise<PlannedResource[]> {
  const result = await planStack(stack);
  if (!result.resources) throw new Error(`plan of ${stack} failed: ${result.error ?? JSON.stringify(result.problems)}`);
  return [...result.resources];
}

/** A copy of a committed stack's config with `edit` applied, written as Pulumi.<name>.yaml in a temp dir. */
export function stackVariant(
  base: "dev" | "staging" | "prod",
  name: string,
  edit: (platform: Record<string, unknown>) => void,
): string {
  const file = readStackFile(stackFilePath(base));
  const config = structuredClone(file.config) as Record<string, unknown>;
  edit(config["data-platform:platform"] as Record<string, unknown>);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-stack-"));
  const out = path.join(dir, `Pulumi.${name}.yaml`);
  fs.writeFileSync(out, stringify({ config }));
  return out;
}

/** Plans a stack file (optionally with another program) without writing output. */
export function planFile(stackFile: string, program?: Program): Promise<PlanResult> {
  return plan({ stackFile, rules: allRules, program });
}

/** Helpers to query planned resources. */
export const by = {
  type: (rs: readonly PlannedResource[], type: string) => rs.filter((r) => r.type === type),
  name: (rs: readonly PlannedResource[], type: string, name: string) => {
    const r = rs.find((x) => x.type === type && x.name === name);
    if (!r)
      throw new Error(
        `no ${type} named ${name}; have: ${rs
          .filter((x) => x.type === type)
          .map((x) => x.name)
          .join(", ")}`,
      );
    return r;
  },
};

export function json<T = Record<string, unknown>>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
