import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { MARKER, sectionFromDir, stackSection } from "../../tools/pr-comment";
import type { PlanDocument } from "../../tools/plan/report";
import { REPO_ROOT } from "../../tools/plan/run";
import { planStack } from "../support/plan";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
  id?: string;
  env?: Record<string, string>;
}
interface Job {
  env?: Record<string, string>;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { stack: string[]; node?: string[] } };
  steps: Step[];
}

const FILE = path.join(REPO_ROOT, ".github", "workflows", "pull-request.yml");
const text = fs.readFileSync(FILE, "utf8");
const workflow = parse(text) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const job = (name: string) => {
  const j = workflow.jobs[name];
  assert.ok(j, `workflow has no job ${name}`);
  return j;
};
const runs = (j: Job) => j.steps.map((s) => s.run ?? "").join("\n");
const stacks = fs
  .readdirSync(path.join(REPO_ROOT, "stacks"))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => !!s)
  .sort();
const scripts = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

describe("pull-request workflow", () => {
  it("runs on pull requests with a read-only token by default", () => {
    assert.ok("pull_request" in workflow.on);
    assert.deepEqual(workflow.permissions, { contents: "read" });
  });

  it("pins every action to a commit SHA and names the release", () => {
    const uses = text.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
    assert.ok(uses.length >= 8);
    for (const line of uses) assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line.trim());
  });

  it("typechecks, lints and tests with the package's own scripts", () => {
    const r = runs(job("checks"));
    for (const script of ["typecheck", "lint"]) {
      assert.ok(scripts[script], script);
      assert.match(r, new RegExp(`npm run ${script}`));
    }
    assert.match(r, /npm test/);
  });

  it("tests on the supported floor, Node 22, and on 24, each leg on the Node it names", () => {
    const checks = job("checks");
    assert.deepEqual(checks.strategy?.matrix.node, ["22", "24"]);
    const engines = (
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
        engines: { node: string };
      }
    ).engines.node;
    assert.equal(engines, ">=22");
    // The registry's Node (a devDependency) would otherwise shadow setup-node's on npm's PATH.
    assert.match(runs(checks), /rm node_modules\/\.bin\/node/);
    const test = checks.steps.find((s) => s.run === "npm test");
    assert.equal(test?.env?.NODE_MAJOR, "${{ matrix.node }}");
  });

  it("plans every committed stack offline, uploads the reports and fails on a non-zero exit", () => {
    const plan = job("plan");
    assert.deepEqual([...plan.strategy!.matrix.stack].sort(), stacks);
    assert.ok(scripts.plan);
    assert.match(runs(plan), /npm run -s plan -- --stack "\$STACK" --out out/);
    // The base branch is planned too, and the change judged against it.
    assert.match(runs(plan), /--against "origin\/\$BASE_REF"/);
    // Each layer of the layered deployment plans on its own, and its exit code counts.
    assert.match(runs(plan), /for layer in foundation workloads/);
    assert.match(runs(plan), /--layer "\$layer" --out "out\/\$STACK\/layers"/);
    assert.equal(plan.env?.BASE_REF, "${{ github.base_ref }}");
    assert.equal(plan.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with?.["fetch-depth"], 0);
    assert.match(runs(plan), /GITHUB_STEP_SUMMARY/);
    const upload = plan.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    assert.equal(upload?.if, "always()");
    assert.equal(upload?.with?.path, "out/${{ matrix.stack }}");
    const fail = plan.steps.find((s) => s.if === "steps.plan.outputs.code != '0'");
    assert.match(fail?.run ?? "", /exit 1/);
    assert.ok(!JSON.stringify(plan).includes("secrets."), "the offline plan needs no secrets (forks can run it)");
  });

  it("keeps one sticky comment, marked as tools/pr-comment marks it, and skips it for forks", () => {
    const comment = job("comment");
    assert.equal(comment.permissions?.["pull-requests"], "write");
    assert.match(
      comment.if ?? "",
      /always\(\) && github\.event\.pull_request\.head\.repo\.full_name == github\.repository/,
    );
    const script = String(comment.steps.find((s) => s.uses?.startsWith("actions/github-script@"))?.with?.script);
    assert.ok(script.includes(JSON.stringify(MARKER)), "same marker");
    assert.match(script, /updateComment/);
    assert.match(script, /createComment/);
  });

  it("previews with the policy pack and each stack's policy config, only when credentials are configured", () => {
    const gate = job("preview-gate");
    assert.match(JSON.stringify(gate), /secrets\.PULUMI_ACCESS_TOKEN/);
    const preview = job("preview");
    assert.deepEqual(preview.needs, ["checks", "preview-gate"]);
    assert.equal(preview.if, "needs.preview-gate.outputs.enabled == 'true'");
    assert.equal(preview.permissions?.["id-token"], "write");
    const pulumi = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.equal(pulumi?.with?.command, "preview");
    assert.equal(pulumi?.with?.policyPacks, "policies");
    assert.equal(pulumi?.with?.policyPackConfigs, "policies/config/${{ matrix.stack }}.json");
    for (const stack of preview.strategy!.matrix.stack)
      assert.ok(fs.existsSync(path.join(REPO_ROOT, "policies", "config", `${stack}.json`)), stack);
    // The foundation previews on GitHub's runners; the workload layer on the deploy runner inside the VPC.
    assert.match(String(pulumi?.with?.["stack-name"]), /-foundation/);
    const workloads = job("preview-workloads");
    assert.deepEqual(workloads.needs, ["preview", "preview-gate"]);
    assert.equal(workloads.if, preview.if);
    assert.match(runs(workloads), /aws codebuild start-build --project-name "\$project"/);
    assert.match(runs(workloads), /--source-version "\$HEAD_SHA"/);
    assert.match(runs(workloads), /name=PULUMI_COMMAND,value=preview/);
    assert.match(runs(workloads), /\[ "\$status" = SUCCEEDED \]/);
    assert.equal(workloads.env?.HEAD_SHA, "${{ github.event.pull_request.head.sha }}");
    const others = Object.entries(workflow.jobs).filter(([name]) => name !== "preview" && name !== "preview-workloads");
    assert.ok(
      others.every(([, j]) => !j.permissions?.["id-token"]),
      "only the preview jobs may request cloud credentials",
    );
  });
});

describe("pull-request comment", () => {
  const violation = (level: string, i: number) => ({
    policy: "s3-tls-only",
    level,
    urn: `urn:pulumi:prod::data-platform::aws:s3/bucket:Bucket::b${i}`,
    message: `bucket 'b${i}': has | no TLS deny`,
  });

  it("says a clean stack passes", async () => {
    const { document } = await planStack("dev");
    const section = stackSection("dev", 0, document);
    assert.match(
      section,
      /^### `dev` \(dev\) passes: \d+ resources, 0 mandatory and \d+ advisory violation\(s\), 0 waiver\(s\)/,
    );
    // Advisories, if any, are folded away: a passing stack shows no open table.
    assert.doesNotMatch(section.replace(/<details>[\s\S]*?<\/details>/g, ""), /\| policy \|/);
  });

  it("tables mandatory violations, folds advisories and waivers, and caps long tables", async () => {
    const { document } = await planStack("dev");
    const doc: PlanDocument = {
      ...document!,
      policies: [...Array.from({ length: 35 }, (_, i) => violation("mandatory", i)), violation("advisory", 99)],
      waivers: [
        {
          policy: "s3-access-logging",
          urn: "urn:pulumi:prod::data-platform::aws:s3/bucket:Bucket::partner",
          reason: "partner bucket",
        },
      ],
    };
    const section = stackSection("prod", 1, doc);
    assert.match(section, /\*\*fails\*\*: \d+ resources, 35 mandatory and 1 advisory/);
    assert.match(section, /\| `s3-tls-only` \| `b0` \| bucket 'b0': has \\\| no TLS deny \|/);
    assert.match(section, /\| … 5 more in the artefact/);
    assert.doesNotMatch(section, /`b30`/);
    assert.match(section, /<details><summary>Advisory<\/summary>[\s\S]*`b99`[\s\S]*<\/details>/);
    assert.match(
      section,
      /<details><summary>Waivers in use<\/summary>[\s\S]*\| `s3-access-logging` \| `partner` \| partner bucket \|/,
    );
  });

  it("reports a plan that did not run, from the exit code the workflow left", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dp-comment-")), "staging");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "exit-code"), "2\n");
    assert.match(sectionFromDir(dir), /^### `staging`: the plan did not run \(exit 2\)/);
  });

  it("documents every secret and variable the workflow reads in docs/policy.md", () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "policy.md"), "utf8");
    const names = [...new Set([...text.matchAll(/\b(?:secrets|vars)\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]))].filter(
      (n) => n !== "GITHUB_TOKEN",
    );
    assert.ok(names.length >= 5, names.join(", "));
    assert.deepEqual(
      names.filter((n) => !doc.includes(`\`${n}\``)),
      [],
    );
  });

  it("runs as the workflow runs it", async function () {
    this.timeout(60_000);
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dp-comment-")), "dev");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify((await planStack("dev")).document));
    fs.writeFileSync(path.join(dir, "exit-code"), "0\n");
    assert.match(runs(job("plan")), /node -r \.\/tools\/register\.js tools\/pr-comment\.ts "out\/\$STACK"/);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-r", "./tools/register.js", "tools/pr-comment.ts", dir],
      { cwd: REPO_ROOT },
    );
    assert.match(stdout, /^### `dev` \(dev\) passes/);
  });
});
