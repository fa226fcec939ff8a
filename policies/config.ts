import * as fs from "node:fs";
import * as path from "node:path";
import type { Environment } from "../components/core/types";
import type { PolicyConfig } from "./engine/evaluate";
import type { PlatformRule } from "./rules/define";

export const POLICY_CONFIG_DIR = path.join(__dirname, "config");

export function policyConfigPath(environment: Environment): string {
  return path.join(POLICY_CONFIG_DIR, `${environment}.json`);
}

/** Reads policies/config/<env>.json: the same file `pulumi preview --policy-pack-config` takes. */
export function readPolicyConfig(environment: Environment): PolicyConfig {
  const file = policyConfigPath(environment);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as PolicyConfig) : {};
}

/**
 * The config file for an environment: each rule's default level from its catalogue entry, keeping any
 * waivers and other properties already written there.
 */
export function renderPolicyConfig(
  rules: readonly PlatformRule[],
  environment: Environment,
  existing: PolicyConfig,
): PolicyConfig {
  const out: PolicyConfig = {};
  for (const rule of rules) {
    const prev = existing[rule.name];
    const props = prev && typeof prev === "object" ? prev : {};
    out[rule.name] = { ...props, enforcementLevel: rule.meta.enforcement[environment] };
  }
  return out;
}
