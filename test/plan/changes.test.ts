import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { STATEFUL_TYPES } from "../../policies/change/stateful";
import type { PlannedResource } from "../../policies/engine/args";
import { readPolicyConfig } from "../../policies/config";
import { changedPaths, diffPlans, judgeChanges, ResourceChange } from "../../tools/plan/changes";
import { changesSection } from "../../tools/plan/changes-report";
import { plan } from "../../tools/plan/plan";
import { stackSection } from "../../tools/pr-comment";
import { allRules } from "../../policies/rules";
import { readStackFile, REPO_ROOT, runProgram, stackFilePath } from "../../tools/plan/run";
import { planStack, stackVariant } from "../support/plan";

const short = (urn: string) => urn.split("::").pop();
const find = (cs: readonly ResourceChange[], name: string) => cs.find((c) => short(c.from ?? c.urn) === name);
/** As plan.json holds them. */
const clone = (rs: readonly PlannedResource[]) => JSON.parse(JSON.stringify(rs)) as PlannedResource[];
const edit = (rs: PlannedResource[], type: string, change: (inputs: Record<string, unknown>) => void) => {
  const r = rs.find((x) => x.type === type);
  if (!r) throw new Error(`no ${type}`);
  change(r.inputs);
  return r;
};

describe("plan changes", function () {
  this.timeout(600_000);

  describe("the replacement table", () => {
    it("names only inputs the Pulumi type has, and cites the provider file", () => {
      for (const [type, spec] of Object.entries(STATEFUL_TYPES)) {
        const [, mod] = type.split(":");
        const [dir, file] = mod.split("/");
        const base = path.join(REPO_ROOT, "node_modules", "@pulumi", "aws", dir);
        // A few provider modules are lower-case on disk (dms/s3endpoint.d.ts).
        const dts = [`${file}.d.ts`, `${file.toLowerCase()}.d.ts`]
          .map((f) => path.join(base, f))
          .find((f) => fs.existsSync(f))!;
        assert.ok(fs.existsSync(dts), `${type} exists in @pulumi/aws`);
        const text = fs.readFileSync(dts, "utf8");
        const args = text.slice(text.indexOf(`export interface ${type.split(":")[2]}Args {`));
        for (const input of [...spec.forceNew, ...spec.identity])
          assert.match(args, new RegExp(`\\n\\s+${input.split(".")[0]}\\??: `), `${type}.${input}`);
        assert.match(spec.source, /^hashicorp\/terraform-provider-aws:internal\/service\/[a-z0-9]+\/[a-z0-9_]+\.go$/);
      }
    });

    it("covers every type the plans create that holds data or identity", async () => {
      const holding =
        /^aws:(s3\/bucket:|kms\/key:|rds\/cluster:|redshiftserverless\/(namespace|workgroup):|msk\/(cluster|serverlessCluster):|dynamodb\/table:|glue\/catalog(Database|Table):|sqs\/queue:|sns\/topic:|secretsmanager\/secret:|eks\/cluster:|sfn\/stateMachine:|cloudwatch\/logGroup:|kinesis\/|dms\/)/;
      for (const stack of ["dev", "prod"] as const) {
        const { resources } = await planStack(stack);
        for (const t of new Set(resources!.map((r) => r.type)))
          if (holding.test(t)) assert.ok(STATEFUL_TYPES[t], `${t} is in the replacement table`);
      }
    });
  });

  it("lists changed input paths, array elements included", () => {
    assert.deepEqual(changedPaths({ a: 1, b: { c: [1, 2] }, t: { x: "1" } }, { a: 1, b: { c: [1, 3] }, d: true }), [
      "b.c[1]",
      "d",
      "t",
    ]);
  });

  describe("crafted changes on the real plans", () => {
    it("changing a bucket's KMS key is an in-place update of its encryption configuration", async () => {
      const base = clone((await planStack("prod")).resources!);
      const head = clone(base);
      const sse = edit(
        head,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        (i) => {
          const rule = (i.rules as { applyServerSideEncryptionByDefault: { kmsMasterKeyId: string } }[])[0];
          rule.applyServerSideEncryptionByDefault.kmsMasterKeyId = "arn:aws:kms:eu-west-1:123456789012:key/other";
        },
      );
      const changes = diffPlans(base, head);
      const c = changes.find((x) => x.urn === sse.urn)!;
      assert.equal(c.kind, "updated");
      assert.deepEqual(c.changed, ["rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"]);
      assert.ok(changes.filter((x) => x.urn !== sse.urn).every((x) => x.kind === "unchanged"));
      assert.deepEqual(judgeChanges("base", changes, readPolicyConfig("prod")).verdicts, []);
    });

    it("renaming the Redshift Serverless namespace replaces it and its workgroup, and prod refuses it", async () => {
      const base = clone((await planStack("prod")).resources!);
      const head = clone(base);
      edit(head, "aws:redshiftserverless/namespace:Namespace", (i) => (i.namespaceName = "acme-data-renamed"));
      edit(head, "aws:redshiftserverless/workgroup:Workgroup", (i) => (i.namespaceName = "acme-data-renamed"));
      const changes = diffPlans(base, head);
      const ns = changes.find((c) => c.type === "aws:redshiftserverless/namespace:Namespace")!;
      assert.equal(ns.kind, "replaced");
      assert.deepEqual(ns.forcedBy, ["namespaceName"]);
      const wg = changes.find((c) => c.type === "aws:redshiftserverless/workgroup:Workgroup")!;
      assert.equal(wg.kind, "replaced");
      const judged = judgeChanges("base", changes, readPolicyConfig("prod"));
      assert.deepEqual(
        judged.verdicts.map((v) => [v.level, short(v.urn)]),
        [
          ["mandatory", "acme-data-warehouse-namespace"],
          ["mandatory", "acme-data-warehouse-workgroup"],
        ],
      );
      assert.match(judged.verdicts[0].message, /`namespaceName` changed/);
      assert.match(judged.verdicts[0].message, /Data at risk: the warehouse: every schema, table, user/);
      assert.match(judged.verdicts[0].message, /protected, so `pulumi up` would fail/);
      // The same change in dev is a warning.
      assert.ok(judgeChanges("base", changes, readPolicyConfig("dev")).verdicts.every((v) => v.level === "advisory"));
    });

    it("changing the key of a CDC replication replaces it (its full load starts again), and prod refuses it", async () => {
      const base = clone((await planStack("prod")).resources!);
      const head = clone(base);
      edit(head, "aws:dms/replicationConfig:ReplicationConfig", (i) => {
        (i.computeConfig as Record<string, unknown>).kmsKeyId = "arn:aws:kms:eu-west-1:123456789012:key/other";
      });
      const changes = diffPlans(base, head);
      const rc = changes.find((c) => c.type === "aws:dms/replicationConfig:ReplicationConfig")!;
      assert.equal(rc.kind, "replaced");
      assert.deepEqual(rc.forcedBy, ["computeConfig.kmsKeyId"]);
      const judged = judgeChanges("base", changes, readPolicyConfig("prod"));
      assert.deepEqual(
        judged.verdicts.map((v) => v.level),
        ["mandatory"],
      );
      assert.match(judged.verdicts[0].message, /the replication's progress: a new one starts the full load again/);
    });

    it("switching prod's warehouse engine exits 1 naming the Redshift resources; a waiver lets one deletion through", async () => {
      const base = await planStack("prod");
      const file = stackVariant("prod", "prod", (p) => {
        (p.warehouse as Record<string, unknown>).engine = "aurora-postgresql";
      });
      const result = await plan({
        stackFile: file,
        rules: allRules,
        against: { label: "out/prod/plan.json", plan: base.document! },
      });
      assert.equal(result.code, 1);
      const changes = result.document!.changes!;
      assert.deepEqual(
        result.document!.policies.filter((v) => v.level === "mandatory"),
        [],
        "the head itself is clean",
      );
      const named = changes.verdicts.filter((v) => v.level === "mandatory").map((v) => short(v.urn));
      assert.ok(named.includes("acme-data-warehouse-namespace"), named.join());
      assert.ok(named.includes("acme-data-warehouse-workgroup"), named.join());
      assert.equal(find(changes.resources, "acme-data-warehouse-cluster")?.kind, "added");
      assert.match(changesSection(changes).join("\n"), /\| mandatory \| `acme-data-warehouse-namespace` \|/);
      const comment = stackSection("prod", 1, result.document);
      assert.match(comment, /#### Changes\n\nAgainst `out\/prod\/plan.json`: \d+ added, \d+ deleted/);
      assert.match(comment, /\| mandatory \| `acme-data-warehouse-workgroup` \|/);
      // The cost moves with it: the workgroup's RPU-hours leave, per resource, in the report and the comment.
      const cost = result.document!.costChange!;
      const wg = cost.resources.find((r) => short(r.urn) === "acme-data-warehouse-workgroup")!;
      assert.equal(wg.head, 0);
      assert.ok(wg.base > 1000 && wg.change === -wg.base, JSON.stringify(wg));
      assert.equal(cost.change, Math.round((cost.head - cost.base) * 100) / 100);
      assert.ok(cost.change < 0, `${cost.change}`);
      assert.match(comment, /Cost estimate: \*\*\$[\d.]+\*\* a month .*; −\$[\d.]+ against the base\./);
      assert.match(
        comment,
        /<summary>Cost change<\/summary>[\s\S]*\| `acme-data-warehouse-workgroup` \| Workgroup \| \$[\d.]+ \| \$0\.00 \| −\$[\d.]+ \|/,
      );

      const config = readPolicyConfig("prod");
      const waiver = {
        resource: changes.verdicts.find((v) => short(v.urn) === "acme-data-warehouse-workgroup")!.urn,
        reason: "the workgroup goes with the engine switch; clients move to the Aurora endpoint",
      };
      const waived = judgeChanges("base", diffPlans(base.resources!, result.resources!), {
        ...config,
        "no-unwaived-data-loss": { enforcementLevel: "mandatory", waivers: [waiver] },
      });
      assert.deepEqual(waived.waivers, [{ urn: waiver.resource, reason: waiver.reason }]);
      assert.ok(!waived.verdicts.some((v) => short(v.urn) === "acme-data-warehouse-workgroup"));
      assert.equal(waived.verdicts.length, changes.verdicts.length - 1);
    });

    it("renaming a domain deletes its data and creates new, a warning in dev", async () => {
      const base = await planStack("dev");
      const file = stackVariant("dev", "dev", (p) => {
        const d = (p.domains as { name: string }[]).find((x) => x.name === "people")!;
        d.name = "staff";
      });
      const result = await plan({ stackFile: file, rules: allRules, against: { label: "main", plan: base.document! } });
      assert.equal(result.code, 0, "dev only warns");
      const changes = result.document!.changes!;
      const deleted = changes.resources.filter((c) => c.kind === "deleted" && c.holds);
      assert.ok(
        deleted.some((c) => c.type === "aws:glue/catalogDatabase:CatalogDatabase"),
        "its catalog database goes",
      );
      assert.ok(changes.verdicts.length > 0 && changes.verdicts.every((v) => v.level === "advisory"));
      assert.ok(
        changes.resources.some((c) => c.kind === "added" && c.type === "aws:glue/catalogDatabase:CatalogDatabase"),
      );
    });

    it("removing a source deletes its queues", async () => {
      const base = await planStack("dev");
      const file = stackVariant("dev", "dev", (p) => {
        p.sources = (p.sources as { name: string }[]).filter((s) => s.name !== "payments");
      });
      const result = await plan({ stackFile: file, rules: allRules, against: { label: "main", plan: base.document! } });
      const queues = result.document!.changes!.resources.filter((c) => c.type === "aws:sqs/queue:Queue");
      assert.ok(queues.length >= 2, JSON.stringify(queues));
      assert.ok(queues.every((c) => c.kind === "deleted" && /payments/.test(short(c.urn)!)));
      assert.ok(result.document!.changes!.verdicts.some((v) => /Queue is deleted/.test(v.message)));
    });
  });

  it("plans a git ref from a temporary worktree (command line)", () => {
    const out = execFileSync(
      process.execPath,
      ["-r", "./tools/register.js", "tools/plan.ts", "--stack", "dev", "--against", "HEAD"],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    assert.match(out, /planning HEAD \([0-9a-f]{12}\) for comparison/);
    assert.match(out, /changes against HEAD: /);
    assert.doesNotMatch(out, /\[(mandatory|advisory)\] .* Data at risk/);
    assert.ok(!execFileSync("git", ["worktree", "list"], { cwd: REPO_ROOT, encoding: "utf8" }).includes("dp-base-"));
  });

  describe("renaming a component", () => {
    class Store extends pulumi.ComponentResource {
      constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("data-platform:test:Store", name, {}, opts);
        new aws.sqs.Queue(`${name}-queue`, { name: "acme-fixed-queue" }, { parent: this });
        this.registerOutputs({});
      }
    }
    const run = async (program: () => void) =>
      (await runProgram(readStackFile(stackFilePath("dev")), async () => (program(), {}))).resources;

    it("keeps its children with aliases, and is flagged as a rename with the alias to add without them", async () => {
      const base = await run(() => new Store("orders"));
      const withAlias = diffPlans(base, await run(() => new Store("sales", { aliases: [{ name: "orders" }] })));
      assert.deepEqual(
        withAlias.map((c) => c.kind),
        ["unchanged"],
      );
      assert.match(withAlias[0].from!, /::data-platform:test:Store\$aws:sqs\/queue:Queue::orders-queue$/);

      const without = diffPlans(base, await run(() => new Store("sales")));
      assert.equal(without.length, 1);
      assert.equal(without[0].kind, "renamed");
      assert.equal(without[0].alias, base.find((r) => r.type === "aws:sqs/queue:Queue")!.urn);
      const verdict = judgeChanges("base", without, readPolicyConfig("prod")).verdicts[0];
      assert.match(
        verdict.message,
        /without aliases.*Add `aliases: \["urn:pulumi:dev::data-platform::data-platform:test:Store\$aws:sqs\/queue:Queue::orders-queue"\]`/,
      );
    });
  });
});
