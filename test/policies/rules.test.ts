import { strict as assert } from "node:assert";
import type { PlannedResource } from "../../policies/engine/args";
import { evaluate } from "../../policies/engine/evaluate";
import { governancePack } from "../../policies/rules";
import type { PlatformRule } from "../../policies/rules/define";
import { cases } from "./cases";
import { healthy } from "./fixtures";

/** Runs one rule as the policy runtime would (level forced to mandatory) and returns what it reported, and where. */
async function judge(
  rule: PlatformRule,
  resources: readonly PlannedResource[],
): Promise<{ message: string; at: string }[]> {
  const { violations } = await evaluate([rule], resources, { [rule.name]: "mandatory" });
  return violations.map((v) => ({ message: v.message, at: v.urn?.split("::").pop() ?? "(stack)" }));
}

describe("governance pack: every rule both ways", () => {
  it("has a passing and a violating case for every rule, and no case for a rule that does not exist", () => {
    const untested = governancePack.filter((r) => !cases[r.name] || cases[r.name].fail.length === 0).map((r) => r.name);
    assert.deepEqual(untested, [], `rules without cases: ${untested.join(", ")}`);
    const stale = Object.keys(cases).filter((name) => !governancePack.some((r) => r.name === name));
    assert.deepEqual(stale, [], `cases for unknown rules: ${stale.join(", ")}`);
  });

  it("builds the healthy platform from resources of every type the cases exercise", () => {
    const types = new Set(healthy().map((r) => r.type));
    assert.ok(types.size > 40, `${types.size} types`);
  });

  for (const rule of governancePack) {
    const c = cases[rule.name];
    if (!c) continue;
    describe(rule.name, () => {
      it(c.pass ? "passes its compliant variant" : "passes the healthy platform", async () => {
        assert.deepEqual(await judge(rule, (c.pass ?? healthy)()), []);
      });
      for (const p of c.alsoPass ?? []) {
        it(`passes ${p.what}`, async () => assert.deepEqual(await judge(rule, p.resources()), []));
      }
      for (const f of c.fail) {
        it(`flags ${f.what}`, async () => {
          const found = await judge(rule, f.resources());
          assert.equal(found.length, f.count ?? 1, JSON.stringify(found, null, 2));
          for (const v of found) {
            assert.match(v.message, f.expect);
            assert.equal(v.at, f.at, `reported against ${v.at}: ${v.message}`);
          }
        });
      }
    });
  }
});
