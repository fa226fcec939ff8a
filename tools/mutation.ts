// npm run mutation: weakens the prod plan one property at a time and reports the pack's recall (the share of
// weakenings that raise a mandatory violation naming the weakened resource). Exit 1 below 95 %.
import { readPolicyConfig } from "../policies/config";
import { allRules } from "../policies/rules";
import { templates } from "./mutation/catalogue";
import { expand } from "./mutation/model";
import { recall, runMutations } from "./mutation/run";
import { plan } from "./plan/plan";
import { stackFilePath } from "./plan/run";

export const RECALL_TARGET = 0.95;

async function main() {
  const result = await plan({ stackFile: stackFilePath("prod"), rules: allRules });
  if (!result.resources) throw new Error(`the prod plan failed: ${result.error ?? JSON.stringify(result.problems)}`);
  const mutations = expand(templates, result.resources);
  const outcomes = await runMutations(mutations, result.resources, allRules, readPolicyConfig("prod"));
  const types = new Set(mutations.map((m) => m.type));
  for (const o of outcomes.filter((x) => !x.caught)) console.log(`missed  ${o.id}  (${o.source})`);
  const r = recall(outcomes);
  console.log(
    `recall ${(r * 100).toFixed(1)} %: ${outcomes.filter((o) => o.caught).length} of ${outcomes.length} weakenings over ${types.size} resource types raise a mandatory violation naming the weakened resource`,
  );
  process.exit(r >= RECALL_TARGET ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
