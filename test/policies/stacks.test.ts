import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import { readPolicyConfig } from "../../policies/config";
import { stackArgs } from "../../policies/engine/args";
import { allRules } from "../../policies/rules";
import { classificationOf, keyHolder, keyRefs, keyResolver } from "../../policies/rules/graph";
import { markdownReport } from "../../tools/plan/report";
import { REPO_ROOT, stackFilePath } from "../../tools/plan/run";
import { plan, PlanResult } from "../../tools/plan/plan";
import { planStack, resourcesOf } from "../support/plan";
import { violations } from "../support/policy";

const STACKS = ["dev", "staging", "prod"] as const;
const rule = (name: string) => {
  const r = allRules.find((x) => x.name === name);
  assert.ok(r, `no rule ${name}`);
  return r;
};

/** The prod program plus deliberately unsafe additions: what a careless pull request could add. */
async function unsafeProd(): Promise<Record<string, unknown>> {
  const main = require(path.join(REPO_ROOT, "stacks")) as () => Promise<Record<string, unknown>>;
  const outputs = await main();
  const tags = {
    environment: "prod",
    owner: "x@acme.example",
    "cost-center": "CC-4100",
    "managed-by": "hand",
    "data-domain": "sales",
    "data-classification": "confidential",
  };
  const bucket = new aws.s3.Bucket("unsafe-public", { bucket: "acme-unsafe-public", tags });
  new aws.s3.BucketPolicy("unsafe-public-policy", {
    bucket: bucket.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-unsafe-public/*" },
      ],
    }),
  });
  // A confidential queue put under the restricted key: readable only with clearance, and mislabelled.
  new aws.sqs.Queue("unsafe-queue", { kmsMasterKeyId: "alias/acme-data-prod-restricted", tags });
  new aws.ec2.SecurityGroup("unsafe-sg", {
    vpcId: outputs.vpcId as string,
    description: "database",
    ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"], description: "everyone" }],
    tags,
  });
  new aws.cloudwatch.LogGroup("unsafe-logs", { tags });
  new aws.lakeformation.Permissions("unsafe-grant", {
    principal: "IAM_ALLOWED_PRINCIPALS",
    permissions: ["ALL"],
    catalogResource: true,
  });
  new aws.iam.User("unsafe-user", { tags });
  new aws.sns.TopicSubscription("unsafe-subscription", {
    topic: "arn:aws:sns:eu-west-1:123456789012:acme-data-prod-alerts",
    protocol: "http",
    endpoint: "http://hooks.example.com/alerts",
  });
  return outputs;
}

const UNSAFE: readonly [policy: string, resource: string][] = [
  ["s3-kms-encryption", "unsafe-public"],
  ["s3-public-access-blocked", "unsafe-public"],
  ["s3-bucket-policy-not-public", "unsafe-public-policy"],
  ["data-key-matches-classification", "unsafe-queue"],
  ["kms-restricted-key-only-restricted-data", "unsafe-queue"],
  ["ec2-sg-no-world-ingress-data-ports", "unsafe-sg"],
  ["logs-retention-set", "unsafe-logs"],
  ["logs-kms-encrypted", "unsafe-logs"],
  ["lakeformation-least-privilege-grants", "unsafe-grant"],
  ["iam-no-users-or-keys", "unsafe-user"],
  ["sns-subscription-encrypted-transport", "unsafe-subscription"],
];

const mandatory = (r: PlanResult) => r.document?.policies.filter((v) => v.level === "mandatory") ?? [];
const named = (urn: string | undefined) => urn?.split("::").pop();

describe("policy pack over the committed stacks", () => {
  for (const stack of STACKS) {
    it(`${stack}: zero mandatory violations, and every rule could run`, async () => {
      const result = await planStack(stack);
      assert.equal(result.code, 0, JSON.stringify(mandatory(result), null, 2));
      assert.deepEqual(
        result.document?.policies.filter((v) => /cannot run/.test(v.message)),
        [],
      );
    });
  }

  it("judges every AWS and Kubernetes resource type of the prod plan with some rule", async () => {
    const covered = new Set(allRules.flatMap((r) => r.meta.resourceTypes));
    const planned = new Set(
      (await resourcesOf("prod")).filter((r) => r.custom && /^(aws|kubernetes):/.test(r.type)).map((r) => r.type),
    );
    const uncovered = [...planned].filter((t) => !covered.has(t)).sort();
    assert.deepEqual(uncovered, [], `no rule lists these types in resourceTypes:\n  ${uncovered.join("\n  ")}`);
  });

  it("ties each classified bucket of the prod plan to the key of its classification (the join the key rules rely on)", async () => {
    const { resources } = stackArgs(await resourcesOf("prod"));
    const resolve = keyResolver(resources);
    const buckets = resources.filter((r) => r.type === "aws:s3/bucket:Bucket" && classificationOf(r));
    // The lake's five classified zones, plus the classified buckets of the components (Spark event logs, …).
    assert.ok(
      buckets.length >= 5 &&
        ["raw", "curated", "analytics", "query-results", "restricted"].every((z) =>
          buckets.some((b) => b.name === `acme-data-lake-${z}`),
        ),
      buckets.map((b) => b.name).join(", "),
    );
    for (const b of buckets) {
      const [ref] = keyRefs(b, resources);
      const key = resolve(ref, keyHolder(b, resources));
      assert.equal(key?.type, "aws:kms/key:Key", `${b.name} → ${ref}`);
      assert.equal(classificationOf(key!), classificationOf(b), b.name);
    }
  });

  it("catches a zone bucket put under the wrong key in the real prod plan", async () => {
    const rs = await resourcesOf("prod");
    const sse = (zone: string) =>
      rs.find(
        (r) => r.type.endsWith("BucketServerSideEncryptionConfiguration") && r.name === `acme-data-lake-${zone}`,
      )!;
    const internalKey = (
      sse("curated").inputs.rules as { applyServerSideEncryptionByDefault: { kmsMasterKeyId: string } }[]
    )[0].applyServerSideEncryptionByDefault.kmsMasterKeyId;
    const swapped = rs.map((r) =>
      r === sse("raw")
        ? {
            ...r,
            inputs: {
              ...r.inputs,
              rules: [
                {
                  applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: internalKey },
                  bucketKeyEnabled: true,
                },
              ],
            },
          }
        : r,
    );
    assert.deepEqual(await violations(rule("data-key-matches-classification"), rs), []);
    const found = await violations(rule("data-key-matches-classification"), swapped);
    assert.deepEqual(found, [
      "'acme-data-lake-raw' is classified confidential but encrypted with the internal key 'acme-data-security-internal'",
    ]);
  });

  describe("a deliberately unsafe variant of prod", function () {
    this.timeout(60_000);
    let result: PlanResult;
    before(async () => {
      result = await plan({ stackFile: stackFilePath("prod"), rules: allRules, program: unsafeProd });
    });

    it("exits 1", () => assert.equal(result.code, 1));
    for (const [policy, resource] of UNSAFE) {
      it(`names ${policy} on ${resource}`, () => {
        assert.ok(
          mandatory(result).some((v) => v.policy === policy && named(v.urn) === resource),
          JSON.stringify(mandatory(result).map((v) => [v.policy, named(v.urn)])),
        );
      });
    }
    it("blames only the unsafe additions", () => {
      assert.deepEqual(
        mandatory(result).filter((v) => !named(v.urn)?.startsWith("unsafe-")),
        [],
      );
    });
  });

  describe("waivers", function () {
    this.timeout(60_000);
    const waived = {
      "iam-no-users-or-keys": {
        enforcementLevel: "mandatory",
        waivers: [
          { resource: "unsafe-user", reason: "break-glass user: MFA only, keys never issued, reviewed quarterly" },
        ],
      },
      "logs-retention-set": {
        enforcementLevel: "mandatory",
        waivers: [
          {
            resource:
              "urn:pulumi:prod::data-platform::aws:cloudwatch/logGroup:LogGroup::unsafe-logs" /* as the engine writes it */,
            reason: "legal hold: keep until case 42 closes",
          },
        ],
      },
      "s3-access-logging": {
        enforcementLevel: "mandatory",
        waivers: [{ resource: "partner-drop", reason: "partner bucket, removed last quarter" }],
      },
    } as const;
    let result: PlanResult;
    before(async () => {
      result = await plan({
        stackFile: stackFilePath("prod"),
        rules: allRules,
        program: unsafeProd,
        policyConfig: { ...readPolicyConfig("prod"), ...waived },
      });
    });

    it("silences exactly the waived resource of the waived rule", () => {
      const policies = result.document!.policies;
      assert.ok(!policies.some((v) => v.policy === "iam-no-users-or-keys" || v.policy === "logs-retention-set"));
      assert.ok(
        policies.some((v) => v.policy === "logs-kms-encrypted" && named(v.urn) === "unsafe-logs"),
        "other rules still judge the waived resource",
      );
      assert.equal(result.code, 1, "unwaived violations still fail the plan");
    });
    it("lists every waiver in use with its reason, in plan.json and report.md", () => {
      const inUse = result.document!.waivers.map((w) => [w.policy, named(w.urn), w.reason]);
      assert.deepEqual(inUse.sort(), [
        ["iam-no-users-or-keys", "unsafe-user", waived["iam-no-users-or-keys"].waivers[0].reason],
        ["logs-retention-set", "unsafe-logs", waived["logs-retention-set"].waivers[0].reason],
      ]);
      const report = markdownReport(result.document!, result.resources!);
      assert.match(
        report,
        /\| iam-no-users-or-keys \| unsafe-user \| break-glass user: MFA only, keys never issued, reviewed quarterly \|/,
      );
    });
    it("reports waivers that match nothing", () => {
      assert.deepEqual(result.document!.unusedWaivers, [
        { policy: "s3-access-logging", ...waived["s3-access-logging"].waivers[0] },
      ]);
      assert.match(
        markdownReport(result.document!, result.resources!),
        /match no planned resource[\s\S]*- s3-access-logging: `partner-drop`/,
      );
    });
    it("refuses a waiver without a reason, and a misspelt rule, with exit 2", async () => {
      const bad = await plan({
        stackFile: stackFilePath("dev"),
        rules: allRules,
        policyConfig: {
          "s3-acess-logging": "mandatory",
          "s3-tls-only": { enforcementLevel: "mandatory", waivers: [{ resource: "x", reason: "ok" }] },
        },
      });
      assert.equal(bad.code, 2);
      assert.deepEqual(bad.problems?.map((p) => p.path).sort(), ["s3-acess-logging", "s3-tls-only.waivers[0].reason"]);
    });
  });
});

describe("policy catalogue", () => {
  it("holds at least 60 uniquely named rules with complete metadata", () => {
    assert.ok(allRules.length >= 60, `${allRules.length} rules`);
    assert.equal(new Set(allRules.map((r) => r.name)).size, allRules.length);
    for (const r of allRules) {
      assert.match(r.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, r.name);
      assert.ok(["security", "governance", "reliability", "cost"].includes(r.meta.group), r.name);
      assert.ok(
        r.description && r.description.length > 20 && r.meta.remediation.length > 20,
        `${r.name} describes itself and its remediation`,
      );
      assert.ok(r.meta.resourceTypes.length > 0, `${r.name} lists its resource types`);
      assert.ok(r.configSchema?.properties?.waivers, `${r.name} accepts waivers`);
    }
  });

  it("prints the whole JSON catalogue to a reader slower than the CLI", async function () {
    this.timeout(30_000);
    // The reader sleeps while the pipe buffer (64 KiB) fills: exiting before stdout drains would cut the JSON there.
    const cli = `"${process.execPath}" -r ./tools/register.js tools/plan.ts --list-policies --json`;
    const { stdout } = await promisify(execFile)("sh", ["-c", `${cli} | (sleep 1; cat)`], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const listed = JSON.parse(stdout) as { name: string }[];
    assert.deepEqual(
      listed.map((r) => r.name),
      allRules.map((r) => r.name),
    );
  });

  it("makes every security rule mandatory in staging and prod", () => {
    // A public API endpoint for listed CIDRs is a deployer-access mode staging may choose (docs/deployment.md).
    const byDesign = new Set(["eks-endpoint-not-public"]);
    const lax = allRules.filter(
      (r) =>
        r.meta.group === "security" &&
        !byDesign.has(r.name) &&
        (r.meta.enforcement.staging !== "mandatory" || r.meta.enforcement.prod !== "mandatory"),
    );
    assert.deepEqual(
      lax.map((r) => r.name),
      [],
    );
  });

  it("lists only resource types the installed providers define", () => {
    const wrong: string[] = [];
    for (const token of new Set(allRules.flatMap((r) => r.meta.resourceTypes))) {
      const [pkg, mod, kind] = token.split(":");
      const [group, version] = mod.split("/");
      const sdk = path.join(REPO_ROOT, "node_modules", "@pulumi", pkg);
      // Custom resources (dotted groups the SDK has no directory for, e.g. sparkoperator.k8s.io) have no SDK class.
      if (pkg === "kubernetes" && group.includes(".") && !fs.existsSync(path.join(sdk, group.split(".")[0]))) continue;
      const file =
        pkg === "aws"
          ? path.join(sdk, group, `${version}.js`)
          : path.join(sdk, group.split(".")[0], version, `${kind[0].toLowerCase()}${kind.slice(1)}.js`);
      // A few modules are lower-case on disk (aws/dms/s3endpoint.js for s3Endpoint).
      const found = [file, file.replace(/[^/]+\.js$/, (f) => f.toLowerCase())].find((f) => fs.existsSync(f));
      if (!found || !new RegExp(`['"]${token}['"]`).test(fs.readFileSync(found, "utf8"))) wrong.push(token);
    }
    assert.deepEqual(wrong, []);
  });
});
