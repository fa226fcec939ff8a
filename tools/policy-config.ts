// Regenerates policies/config/<env>.json from the rules' catalogue entries (waivers are kept): `npm run policy-config`.
import * as fs from "node:fs";
import { ENVIRONMENTS } from "../components/core/types";
import { policyConfigPath, readPolicyConfig, renderPolicyConfig } from "../policies/config";
import { allRules } from "../policies/rules";

for (const env of ENVIRONMENTS) {
  const file = policyConfigPath(env);
  fs.mkdirSync(require("node:path").dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(renderPolicyConfig(allRules, env, readPolicyConfig(env)), null, 2) + "\n");
  console.log(`wrote ${file}`);
}
