import { strict as assert } from "node:assert";
import { ConfigError, loadPlatformConfig } from "../../components/config";
import { readStackFile, stackFilePath } from "../../tools/plan/run";

/** A fresh copy of a committed stack's platform config, to edit in a test. */
export const platformOf = (stack: "dev" | "staging" | "prod") =>
  structuredClone(readStackFile(stackFilePath(stack)).config["data-platform:platform"]) as Record<string, unknown>;

/** Every problem the loader reports for a raw config, as `path: message` lines ([] when it loads). */
export function configProblems(raw: unknown): string[] {
  try {
    loadPlatformConfig(raw, "eu-west-1");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}
