import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/plan/run";

/**
 * Platform teams import the library from the registry: pack it as npm would publish it, unpack it into a
 * throwaway consumer, type-check a consumer program against the packed typings, and run it under mocks.
 * The consumer lives under .pack/ inside the repo so the library's dependencies resolve from node_modules
 * without a network install.
 */
describe("packaged library", function () {
  // npm pack builds the library, then the consumer is type-checked three times: minutes on a loaded machine.
  this.timeout(600_000);
  const work = path.join(REPO_ROOT, ".pack");
  const consumer = path.join(work, "consumer");

  before(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(consumer, { recursive: true });
  });
  after(() => process.env.KEEP_PACK || fs.rmSync(work, { recursive: true, force: true }));

  it("packs, type-checks against the published typings and runs a consumer program", () => {
    const [{ filename, files }] = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    const paths = files.map((f) => f.path);
    assert.ok(paths.includes("dist/components/index.d.ts"));
    assert.ok(paths.includes("dist/policies/rules/index.js"));
    assert.ok(!paths.some((p) => p.startsWith("test/") || p.startsWith("stacks/")), "tests and stacks are not shipped");
    // The README links to docs/; on the registry's page they resolve only if the pages ship.
    assert.ok(paths.includes("docs/compute.md"), "docs/ ships with the package");

    const pkgDir = path.join(consumer, "node_modules", "@data-platform", "blueprint");
    fs.mkdirSync(pkgDir, { recursive: true });
    execFileSync("tar", ["-xzf", path.join(work, filename), "-C", pkgDir, "--strip-components=1"]);

    fs.writeFileSync(
      path.join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "commonjs" }),
    );
    fs.writeFileSync(
      path.join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          rootDir: ".",
          target: "ES2022",
          module: "node16",
          moduleResolution: "node16",
          strict: true,
          outDir: "out",
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [path.join(REPO_ROOT, "node_modules", "@types")],
        },
        files: ["main.ts"],
      }),
    );
    fs.writeFileSync(
      path.join(consumer, "main.ts"),
      `
import * as pulumi from "@pulumi/pulumi";
import { DataPlatform, loadPlatformConfig, ConfigError, type ResolvedConfig } from "@data-platform/blueprint";
import { allRules } from "@data-platform/blueprint/policies";

pulumi.runtime.setMocks({
  newResource: (a) => ({ id: a.name + "-id", state: { ...a.inputs, arn: a.type.startsWith("aws:msk/")
    ? "arn:aws:kafka:us-east-2:210987654321:cluster/" + a.name + "/0b1c2d3e-1"
    : "arn:aws:s3:::" + (a.inputs.bucket ?? a.name) } }),
  call: (a) => (a.token.endsWith("getCallerIdentity") ? { accountId: "210987654321", arn: "arn:aws:sts::210987654321:assumed-role/ci/x" } : { issuerArn: "arn:aws:iam::210987654321:role/ci" }),
}, "consumer", "dev");

const config: ResolvedConfig = loadPlatformConfig({
  name: "team", profile: "dev",
  governance: { owner: "team@example.com", costCenter: "CC-9" },
  domains: [{ name: "orders", owner: "o@example.com", steward: "s@example.com", classification: "internal" }],
}, "us-east-2");
let rejected = "";
try { loadPlatformConfig({ name: "team", profile: "qa" }, "us-east-2"); } catch (e) { rejected = e instanceof ConfigError ? e.problems.map((p) => p.path).join(",") : "wrong error"; }
const platform = new DataPlatform("team", { config });
pulumi.all([platform.lake.zones.raw.bucketName, platform.network.vpcId, platform.warehouse?.port, platform.warehouse?.sqlChecksum]).apply(([bucket, vpc, port, sql]) => {
  console.log(JSON.stringify({ bucket, vpc, port, sql, rules: allRules.length, rejected }));
});
`,
    );
    execFileSync(path.join(REPO_ROOT, "node_modules", ".bin", "tsc"), ["-p", consumer], {
      cwd: consumer,
      stdio: "pipe",
    });
    // Pulumi's TypeScript template resolves with moduleResolution "node", which ignores `exports`: the subpaths
    // resolve through typesVersions. Bundlers resolve through `exports` with their own condition set.
    for (const [module, moduleResolution] of [
      ["commonjs", "node"],
      ["preserve", "bundler"],
    ]) {
      const file = path.join(consumer, `tsconfig.${moduleResolution}.json`);
      fs.writeFileSync(
        file,
        JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { module, moduleResolution, noEmit: true } }),
      );
      execFileSync(path.join(REPO_ROOT, "node_modules", ".bin", "tsc"), ["-p", file], { cwd: consumer, stdio: "pipe" });
    }
    const out = execFileSync(process.execPath, [path.join(consumer, "out", "main.js")], {
      cwd: consumer,
      encoding: "utf8",
    });
    const result = JSON.parse(out.trim().split("\n").pop() ?? "{}");
    assert.equal(result.bucket, "team-dev-raw-210987654321");
    assert.equal(result.vpc, "team-network-id");
    // The warehouse ships its SQL migrations and bundles its handler from the package itself.
    assert.equal(result.port, 5439);
    assert.match(result.sql, /^[0-9a-f]{64}$/);
    assert.ok(result.rules >= 10);
    assert.match(result.rejected, /platform\.profile/);
  });
});
