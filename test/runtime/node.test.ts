import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/plan/run";

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const major = (version: string) => Number(/(\d+)/.exec(version)![1]);

/**
 * The supported floor is Node 22. Where the machine's own Node is older, the `node` devDependency (the npm
 * registry's Node binaries) is first on the PATH of `npm test`, `npm run` and `npx`, so the suite runs on it.
 */
describe("runtime", () => {
  it(`runs on a supported Node (${process.version})`, () => {
    console.log(`      node ${process.version} at ${process.execPath}`);
    assert.ok(
      major(process.version) >= major(pkg.engines.node),
      `${process.version} is below ${pkg.engines.node}: run through npm (npm test, npm run …), which puts node_modules/.bin first`,
    );
  });

  it("runs on the Node the CI leg names", function () {
    if (!process.env.NODE_MAJOR) this.skip();
    assert.equal(major(process.version), Number(process.env.NODE_MAJOR));
  });

  it("brings the floor's Node from the registry, and `node` on the PATH is that one", () => {
    assert.equal(major(pkg.devDependencies.node), major(pkg.engines.node));
    const onPath = execFileSync("node", ["-p", "process.version"], { encoding: "utf8" }).trim();
    assert.ok(major(onPath) >= major(pkg.engines.node), `node on the PATH is ${onPath}`);
  });
});
