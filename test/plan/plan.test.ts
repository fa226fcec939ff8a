import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as aws from "@pulumi/aws";
import { ENVIRONMENTS } from "../../components/core/types";
import { policyConfigPath, readPolicyConfig, renderPolicyConfig } from "../../policies/config";
import { allRules } from "../../policies/rules";
import { TAGGABLE_TYPES } from "../../policies/rules/governance";
import { REPO_ROOT } from "../../tools/plan/run";
import { planFile, planStack, resourcesOf, stackVariant } from "../support/plan";

const run = promisify(execFile);

/** Runs the real CLI as a user would; resolves with the exit code instead of throwing. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", ...args], {
      cwd: REPO_ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("offline plan", () => {
  for (const stack of ["dev", "staging", "prod"] as const) {
    it(`plans ${stack} with zero mandatory violations`, async () => {
      const result = await planStack(stack);
      assert.equal(result.code, 0, JSON.stringify(result.document?.policies ?? result.error, null, 2));
      assert.deepEqual(
        result.document?.policies.filter((v) => v.level === "mandatory"),
        [],
      );
      assert.ok((result.resources?.length ?? 0) > 80);
    });
  }

  it("records parents, protect and resolved inputs for every resource", async () => {
    const rs = await resourcesOf("prod");
    const urns = new Set(rs.map((r) => r.urn));
    for (const r of rs) {
      if (r.type === "pulumi:pulumi:Stack") continue;
      assert.ok(r.parent && urns.has(r.parent), `${r.urn} has a recorded parent`);
      assert.ok(
        !JSON.stringify(r.inputs).includes("Calling [toString] on an [Output<T>]"),
        `${r.urn} has resolved inputs`,
      );
    }
  });

  it("exits 1 and names the rule and resource when a deliberately unsafe prod variant is planned", async () => {
    const program = async () => {
      const main = require(path.join(REPO_ROOT, "stacks")) as () => Promise<Record<string, unknown>>;
      const outputs = await main();
      // The unsafe addition: a bucket with no encryption, no public access block and no TLS policy.
      new aws.s3.Bucket("unsafe-public", {
        bucket: "acme-unsafe-public",
        tags: {
          environment: "prod",
          owner: "x@acme.example",
          "cost-center": "CC-1",
          "managed-by": "hand",
          "data-domain": "sales",
          "data-classification": "internal",
        },
      });
      return outputs;
    };
    const result = await planFile(path.join(REPO_ROOT, "stacks", "Pulumi.prod.yaml"), program);
    assert.equal(result.code, 1);
    const mandatory = result.document?.policies.filter((v) => v.level === "mandatory") ?? [];
    const names = new Set(mandatory.map((v) => v.policy));
    for (const expected of ["s3-kms-encryption", "s3-public-access-blocked", "s3-tls-only", "s3-versioning"])
      assert.ok(names.has(expected), expected);
    assert.ok(
      mandatory.every((v) => v.urn?.endsWith("::unsafe-public")),
      "only the unsafe bucket is named",
    );
  });

  it("exits 2 with a message when the program itself fails", async () => {
    const result = await planFile(path.join(REPO_ROOT, "stacks", "Pulumi.dev.yaml"), () => {
      throw new Error("boom in program");
    });
    assert.equal(result.code, 2);
    assert.match(result.error ?? "", /boom in program/);
  });

  it("plans any stack file, taking the stack name from the file name", async () => {
    const file = stackVariant("staging", "perf-test", () => undefined);
    const result = await planFile(file);
    assert.equal(result.code, 0);
    assert.equal(result.document?.stack, "perf-test");
    assert.equal(result.document?.environment, "staging");
    assert.ok(result.resources?.every((r) => r.urn.startsWith("urn:pulumi:perf-test::data-platform::")));
  });

  it("keeps policies/config/<env>.json in step with the rules' default enforcement", () => {
    for (const env of ENVIRONMENTS) {
      const onDisk = readPolicyConfig(env);
      assert.deepEqual(
        onDisk,
        renderPolicyConfig(allRules, env, onDisk),
        `${policyConfigPath(env)} is stale: run npm run policy-config`,
      );
    }
  });

  it("lists every taggable AWS type of the prod plan in the tag rules", async () => {
    const rs = await resourcesOf("prod");
    const types = new Set(rs.filter((r) => r.type.startsWith("aws:")).map((r) => r.type));
    for (const type of types) {
      const [, mod] = type.split(":");
      const [dir, file] = mod.split("/");
      // A few modules are lower-case on disk (aws/dms/s3endpoint.d.ts for s3Endpoint).
      const base = path.join(REPO_ROOT, "node_modules", "@pulumi", "aws", dir);
      const found = [`${file}.d.ts`, `${file.toLowerCase()}.d.ts`].find((f) => fs.existsSync(path.join(base, f)));
      const dts = fs.readFileSync(path.join(base, found ?? `${file}.d.ts`), "utf8");
      const argsBlock = dts.slice(dts.indexOf("Args {"));
      const taggable = /\n\s+tags\?: pulumi\.Input/.test(argsBlock);
      assert.equal(
        TAGGABLE_TYPES.includes(type),
        taggable,
        `${type} ${taggable ? "accepts tags but is not in TAGGABLE_TYPES" : "is listed as taggable but takes no tags"}`,
      );
    }
  });

  describe("command line", function () {
    this.timeout(120_000);
    it("writes plan.json and report.md and exits 0 for dev", async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "dp-out-"));
      const { code, stdout } = await cli(["--stack", "dev", "--out", out]);
      assert.equal(code, 0, stdout);
      assert.match(stdout, /stack dev \(dev\): \d+ resources/);
      assert.match(stdout, /policies: 0 mandatory/);
      const doc = JSON.parse(fs.readFileSync(path.join(out, "dev", "plan.json"), "utf8"));
      assert.equal(doc.stack, "dev");
      const bucket = doc.resources.find((r: { type: string }) => r.type === "aws:s3/bucket:Bucket");
      assert.deepEqual(Object.keys(bucket).sort(), [
        "aliases",
        "custom",
        "deleteBeforeReplace",
        "dependencies",
        "ignoreChanges",
        "inputs",
        "name",
        "parent",
        "propertyDependencies",
        "protect",
        "provider",
        "replaceOnChanges",
        "retainOnDelete",
        "type",
        "urn",
      ]);
      assert.match(bucket.inputs.bucket, /^acme-data-dev-.+-123456789012$/);
      const report = fs.readFileSync(path.join(out, "dev", "report.md"), "utf8");
      assert.match(report, /```mermaid\nflowchart LR/);
      assert.match(report, /SecurityFoundation -->\|KMS keys, boundary\| DataLake/);
      assert.doesNotMatch(report, /SecureBucket\[/, "structural components are not drawn");
      assert.match(report, /\| DataLake \| `aws:s3\/bucket:Bucket` \| 6 \|/);
    });
    it("exits 2 with every problem and no stack trace for a bad config", async () => {
      const file = stackVariant("dev", "bad", (p) => {
        p.profile = "qa";
        p.network = { cidr: "10.0.0.0/8" };
      });
      const { code, stdout, stderr } = await cli(["--config", file]);
      assert.equal(code, 2);
      assert.match(stdout, /platform\.profile: must be one of dev \| staging \| prod/);
      assert.match(stdout, /platform\.network\.cidr: must be an IPv4 CIDR between \/16 and \/24/);
      assert.doesNotMatch(stdout + stderr, /\n\s+at /, "no stack trace");
    });
    it("prints the catalogue as JSON", async () => {
      const { code, stdout } = await cli(["--list-policies", "--json"]);
      assert.equal(code, 0);
      const entries = JSON.parse(stdout) as {
        name: string;
        enforcement: Record<string, string>;
        resourceTypes: string[];
      }[];
      assert.deepEqual(
        entries.map((e) => e.name),
        allRules.map((r) => r.name),
      );
      assert.ok(
        entries.every(
          (e) => e.enforcement.dev && e.enforcement.staging && e.enforcement.prod && e.resourceTypes.length > 0,
        ),
      );
    });
    it("exits 2 on usage errors", async () => {
      assert.equal((await cli([])).code, 2);
      assert.equal((await cli(["--stack", "nope"])).code, 2);
    });
  });
});

describe("README", () => {
  it("holds the policy catalogue exactly as the rules describe themselves (run `npm run docs` after changing rules)", () => {
    const { README, renderReadme } = require("../../tools/docs") as typeof import("../../tools/docs");
    const text = fs.readFileSync(README, "utf8");
    assert.equal(text, renderReadme(text));
  });
  it("shows the two quick-start commands", () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    assert.ok(text.includes("npm ci && npm run plan -- --stack dev"));
    assert.ok(text.includes("npm test"));
  });
});
