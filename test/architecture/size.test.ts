import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const REPO_ROOT = path.join(__dirname, "..", "..");
/** About 400 lines: a module longer than this does more than one thing; split it by concern. */
const MAX_LINES = 440;

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(rel);
    return /\.(ts|js)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [rel] : [];
  });
}

describe("module size", () => {
  it(`keeps every source module of the library, the pack, the tools and the stacks within ${MAX_LINES} lines`, () => {
    const files = ["components", "policies", "tools", "stacks"].flatMap(sources);
    assert.ok(files.length > 100, `only ${files.length} modules found`);
    const long = files
      .map((f) => ({ f, lines: fs.readFileSync(path.join(REPO_ROOT, f), "utf8").split("\n").length }))
      .filter((m) => m.lines > MAX_LINES)
      .map((m) => `${m.f}: ${m.lines} lines`);
    assert.deepEqual(long, []);
  });
});
