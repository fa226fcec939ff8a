import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import * as ts from "typescript";
import { REPO_ROOT } from "../../tools/plan/run";
import { importGraph } from "./graph";

// What a program that uses the package loads: the modules its entry points reach. They may import at run time only
// the package's declared dependencies and Node's built-ins; the handlers' runtime libraries (AWS SDK, Powertools, pg,
// kafkajs, ...) are development dependencies, built into the prebuilt handler bundles instead.

const ENTRY_POINTS = ["components/index.ts", "components/config/index.ts", "policies/rules/index.ts"];
/** Required lazily, only where a handler's source is present (this repository), never from the package. */
const SOURCE_ONLY: Record<string, string> = { esbuild: "components/functions/bundle.ts" };

const pkgName = (spec: string) =>
  spec
    .split("/")
    .slice(0, spec.startsWith("@") ? 2 : 1)
    .join("/");

/** Bare specifiers a module loads at run time: imports and re-exports that are not type-only, and `require()`s. */
export function runtimeImports(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
      const named = node.importClause?.namedBindings;
      const allTypes =
        named !== undefined &&
        ts.isNamedImports(named) &&
        !node.importClause?.name &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      if (!allTypes) found.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      found.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "require" &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found.filter((s) => !s.startsWith("."));
}

function reachable(graph: ReadonlyMap<string, readonly string[]>, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...(graph.get(f) ?? []));
  }
  return [...seen].sort();
}

describe("the package's run-time dependencies", () => {
  const graph = importGraph();
  const files = reachable(
    graph,
    ENTRY_POINTS.map((e) => path.join(REPO_ROOT, e)),
  );
  const rel = (f: string) => path.relative(REPO_ROOT, f);

  it("reach no handler source from any entry point", () => {
    assert.ok(files.length > 100, `only ${files.length} modules reached`);
    assert.deepEqual(
      files.map(rel).filter((f) => f.split(path.sep).includes("handlers")),
      [],
    );
  });

  it("are the declared dependencies and Node's built-ins, nothing else", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const undeclared: string[] = [];
    const used = new Set<string>();
    for (const f of files) {
      // Type-only imports count as use: the published typings import them (e.g. @pulumi/policy's types).
      for (const i of ts.preProcessFile(fs.readFileSync(f, "utf8"), true, true).importedFiles)
        used.add(pkgName(i.fileName));
      for (const spec of runtimeImports(f)) {
        const name = pkgName(spec);
        if (builtins.has(spec) || builtins.has(name)) continue;
        if (name in pkg.dependencies) continue;
        if (SOURCE_ONLY[name] === rel(f)) continue;
        undeclared.push(`${rel(f)} -> ${spec}`);
      }
    }
    assert.deepEqual(undeclared, []);
    // And nothing declared that the package does not use (a handler library left behind would inflate installs).
    assert.deepEqual(
      Object.keys(pkg.dependencies).filter((d) => !used.has(d)),
      [],
    );
  });

  it("the check sees through type-only imports but not through value imports", () => {
    fs.mkdirSync(path.join(REPO_ROOT, "out"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, "out", "deps-"));
    try {
      const file = path.join(dir, "m.ts");
      fs.writeFileSync(
        file,
        [
          'import type { Pool } from "pg";',
          'import { type Client } from "pg";',
          'import { Kafka } from "kafkajs";',
          'export { Logger } from "@aws-lambda-powertools/logger";',
          'export type { Context } from "aws-lambda";',
          'const e = require("esbuild");',
        ].join("\n"),
      );
      assert.deepEqual(runtimeImports(file), ["kafkajs", "@aws-lambda-powertools/logger", "esbuild"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
