import { strict as assert } from "node:assert";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/plan/run";
import { cycles, importGraph } from "./graph";

// The import graph of the shipped and run code, read with TypeScript's own pre-processor (imports, re-exports,
// `import()` and `require()`), so a cycle or an upward import fails the suite, not a review.

/**
 * Domain folders of components/, bottom to top: a folder imports only folders of lower layers. `core` holds what
 * everything shares (types, tags, IAM helpers, config problems); the platform and the public entry point sit on top.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["core"],
  ["functions", "network"],
  ["cdc", "cost", "lake", "observability", "streaming", "warehouse"],
  ["compute", "ingestion"],
  ["security", "pipelines"],
  ["bi", "dataflow", "datasets"],
  ["config"],
  ["platform"],
  ["."],
];

/** Which top folders each top folder may import (besides itself). */
const TOP_LEVEL: Record<string, readonly string[]> = {
  components: [],
  policies: ["components"],
  stacks: ["components"],
  tools: ["components", "policies"],
};

const rel = (f: string) => path.relative(REPO_ROOT, f);
const top = (f: string) => rel(f).split(path.sep)[0];
/** The domain folder of a file under components/ (`.` for the entry point itself). */
const domain = (f: string) => {
  const parts = path.relative(path.join(REPO_ROOT, "components"), f).split(path.sep);
  return parts.length === 1 ? "." : parts[0];
};
const layerOf = (d: string) => LAYERS.findIndex((l) => l.includes(d));

describe("import graph", () => {
  const graph = importGraph();

  it("reads the whole tree", () => {
    assert.ok(graph.size > 100, `only ${graph.size} files found`);
    const edges = [...graph.values()].reduce((n, d) => n + d.length, 0);
    assert.ok(edges > 400, `only ${edges} imports found`);
  });

  it("has no cycle in components/, policies/, tools/ or stacks/", () => {
    assert.deepEqual(
      cycles(graph).map((c) => c.map(rel)),
      [],
    );
  });

  it("finds a cycle when there is one (the check can fail)", () => {
    const g = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    assert.deepEqual(cycles(g), [["a", "b", "c"]]);
    assert.deepEqual(cycles(new Map([["a", ["a"]]])), [["a"]]);
    assert.deepEqual(
      cycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
      [],
    );
  });

  it("places every domain folder of components/ in a layer", () => {
    const domains = new Set([...graph.keys()].filter((f) => top(f) === "components").map(domain));
    assert.deepEqual(
      [...domains].filter((d) => layerOf(d) < 0),
      [],
    );
  });

  it("domain folders import only lower layers (core at the bottom, the platform at the top)", () => {
    const upward: string[] = [];
    for (const [file, deps] of graph) {
      if (top(file) !== "components") continue;
      for (const dep of deps) {
        if (top(dep) !== "components" || domain(dep) === domain(file)) continue;
        if (layerOf(domain(dep)) >= layerOf(domain(file))) upward.push(`${rel(file)} -> ${rel(dep)}`);
      }
    }
    assert.deepEqual(upward, []);
  });

  it("the library never imports the policy pack, the tools or the stacks; the pack never imports tools or stacks", () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      for (const dep of deps) {
        const [a, b] = [top(file), top(dep)];
        if (a !== b && !(TOP_LEVEL[a] ?? []).includes(b)) wrong.push(`${rel(file)} -> ${rel(dep)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
