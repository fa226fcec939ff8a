import { strict as assert } from "node:assert";
import { readPolicyConfig } from "../../policies/config";
import { allRules } from "../../policies/rules";
import { baselineComputeRules } from "../../policies/rules/baseline-compute";
import { baselineDataRules } from "../../policies/rules/baseline-data";
import { podSecurityRules } from "../../policies/rules/pod-security";
import { templates } from "../../tools/mutation/catalogue";
import { expand, Mutation } from "../../tools/mutation/model";
import { runMutations } from "../../tools/mutation/run";
import { resourcesOf } from "../support/plan";

// The full run (every weakening, recall printed) is `npm run mutation`, which CI runs next to `npm test`; here the
// catalogue's shape, a fixed sample, and a violating case for each scanner-baseline and pod-security rule.
describe("mutation test of the prod plan", () => {
  let mutations: Mutation[];
  before(async () => {
    mutations = expand(templates, await resourcesOf("prod"));
  });

  it("weakens at least 150 properties over the plan's resource types, each citing a Checkov check or Security Hub control", async () => {
    assert.ok(mutations.length >= 150, `${mutations.length} mutations`);
    for (const m of mutations) assert.match(m.source, /CKV2?_(AWS|K8S)|Security Hub|Pod Security|best practice/, m.id);
    const types = new Set(mutations.map((m) => m.type));
    assert.ok(types.size >= 55, `${types.size} types`);
    for (const t of ["aws:kms/key:Key", "aws:lambda/function:Function", "kubernetes:helm.sh/v3:Release"])
      assert.ok(types.has(t), t);
    assert.equal(new Set(mutations.map((m) => m.id)).size, mutations.length, "ids are unique");
  });

  it("catches a fixed sample of weakenings with a mandatory violation naming the weakened resource", async () => {
    const sample = mutations.filter((_, i) => i % 17 === 0);
    const outcomes = await runMutations(sample, await resourcesOf("prod"), allRules, readPolicyConfig("prod"));
    assert.deepEqual(
      outcomes.filter((o) => !o.caught).map((o) => o.id),
      [],
    );
  });

  for (const rule of [...baselineComputeRules, ...baselineDataRules, ...podSecurityRules]) {
    it(`${rule.name}: passes the prod plan and flags a weakening of it`, async () => {
      const plan = await resourcesOf("prod");
      const config = { [rule.name]: "mandatory" as const };
      const [clean] = await runMutations(
        [{ ...mutations[0], apply: (rs) => ({ resources: [...rs], blame: "", target: "" }) }],
        plan,
        [rule],
        config,
      );
      assert.equal(clean.caught, false);
      const candidates = mutations.filter((m) => rule.meta.resourceTypes.includes(m.type));
      for (const m of candidates) {
        const [o] = await runMutations([m], plan, [rule], config);
        if (o.caught) return;
      }
      assert.fail(`no weakening among ${candidates.length} is flagged by ${rule.name}`);
    });
  }
});
