import { strict as assert } from "node:assert";
import { ConfigError, loadPlatformConfig } from "../../components/config";
import { readStackFile, stackFilePath } from "../../tools/plan/run";

/** A copy of a committed stack's `data-platform:platform` config, free to edit. */
export function platformOf<T = Record<string, unknown>>(stack: "dev" | "staging" | "prod"): T {
  return structuredClone(readStackFile(stackFilePath(stack)).config["data-platform:platform"]) as T;
}

/** Every problem the loader reports for a config, as `path: message` (empty when it is valid). */
export function problems(raw: unknown): string[] {
  try {
    loadPlatformConfig(raw, "eu-west-1");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}
