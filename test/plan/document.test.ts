import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { allRules } from "../../policies/rules";
import { readPlan, replay } from "../../tools/plan/document";
import { PlanDocument } from "../../tools/plan/report";
import { PROJECT } from "../../tools/plan/run";
import { aliasUrns, engineUrn, parseUrn } from "../../tools/plan/urn";
import { planStack } from "../support/plan";

/** A plan as another process reads it: through JSON. */
const throughJson = (doc: PlanDocument) => JSON.parse(JSON.stringify(doc)) as PlanDocument;

describe("plan.json", function () {
  this.timeout(120_000);

  for (const stack of ["dev", "staging", "prod"] as const) {
    it(`replays ${stack} to exactly the live run's verdicts`, async () => {
      const { document } = await planStack(stack);
      const verdicts = await replay(throughJson(document!), allRules);
      assert.deepEqual(verdicts.violations, document!.policies);
      assert.deepEqual(verdicts.waivers, document!.waivers);
    });
  }

  it("carries what the engine receives for each resource", async () => {
    const doc = (await planStack("prod")).document!;
    const byUrn = new Map(doc.resources.map((r) => [r.urn, r]));
    const components = doc.resources.filter((r) => !r.custom);
    assert.ok(components.some((r) => r.type === "data-platform:lake:DataLake"));
    assert.ok(doc.resources.some((r) => r.custom && r.dependencies.length > 0));
    const withDeps = doc.resources.filter((r) => Object.keys(r.propertyDependencies ?? {}).length > 0);
    assert.ok(withDeps.length > 50, "property dependencies are recorded");
    for (const r of withDeps)
      for (const urns of Object.values(r.propertyDependencies!))
        for (const u of urns) assert.ok(byUrn.has(u), `${r.urn} depends on a planned ${u}`);
    const bucket = doc.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
    assert.match(bucket.provider!, /^urn:pulumi:prod::data-platform::pulumi:providers:aws::default_7_/);
    assert.ok(
      doc.resources.some((r) => r.protect),
      "prod protects its data",
    );
  });

  it("refuses a plan of another format with a sentence", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dp-plan-")), "plan.json");
    fs.writeFileSync(file, JSON.stringify({ stack: "dev", resources: [] }));
    assert.throws(() => readPlan(file), /plan format 1 \(no format field\), this tool reads format 2: plan it again/);
  });
});

describe("URNs", function () {
  this.timeout(120_000);

  it("follow the engine's rule: every ancestor's type, the root stack left out", async () => {
    const doc = (await planStack("dev")).document!;
    const byUrn = new Map(doc.resources.map((r) => [r.urn, r]));
    for (const r of doc.resources) assert.equal(r.urn, engineUrn("dev", PROJECT, r.parent, r.type, r.name));
    const raw = doc.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "acme-data-lake-raw")!;
    assert.equal(
      raw.urn,
      "urn:pulumi:dev::data-platform::data-platform:platform:DataPlatform$data-platform:lake:DataLake$data-platform:lake:SecureBucket$aws:s3/bucket:Bucket::acme-data-lake-raw",
    );
    // Walking the parents gives the same chain of types the URN holds.
    const chain: string[] = [];
    for (let cur = byUrn.get(raw.urn); cur && cur.type !== "pulumi:pulumi:Stack"; cur = byUrn.get(cur.parent ?? ""))
      chain.unshift(cur.type);
    assert.equal(parseUrn(raw.urn).qualifiedType, chain.join("$"));
  });

  it("equal what the Pulumi SDK's own createUrn gives, for every resource of the prod plan", async () => {
    const doc = (await planStack("prod")).document!;
    const sdk = (r: (typeof doc.resources)[number]) =>
      new Promise<string>((resolve) => pulumi.createUrn(r.name, r.type, r.parent, PROJECT, "prod").apply(resolve));
    const children = doc.resources.filter((r) => r.parent);
    assert.ok(children.length > 400, `${children.length} resources`);
    const differ: string[] = [];
    for (const r of children) if ((await sdk(r)) !== r.urn) differ.push(r.urn);
    assert.deepEqual(differ, [], "URNs that differ from the SDK's rule");
  });

  it("parse names that contain '::' and types that contain '$'", () => {
    const u = parseUrn("urn:pulumi:s::p::a:b:C$d:e:F::x::y");
    assert.deepEqual(u, { stack: "s", project: "p", qualifiedType: "a:b:C$d:e:F", type: "d:e:F", name: "x::y" });
  });

  it("resolve aliases as the engine does, children inheriting their parent's with the name prefix renamed", () => {
    const stackUrn = "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod";
    const parent = engineUrn("prod", "p", stackUrn, "x:m:Lake", "new");
    const parentAliases = aliasUrns({
      urn: parent,
      type: "x:m:Lake",
      name: "new",
      parent: stackUrn,
      aliases: [{ name: "old" }],
    });
    assert.deepEqual(parentAliases, ["urn:pulumi:prod::p::x:m:Lake::old"]);
    const child = engineUrn("prod", "p", parent, "aws:s3/bucket:Bucket", "new-raw");
    assert.deepEqual(
      aliasUrns({ urn: child, type: "aws:s3/bucket:Bucket", name: "new-raw", parent, aliases: [] }, parentAliases),
      ["urn:pulumi:prod::p::x:m:Lake$aws:s3/bucket:Bucket::old-raw"],
    );
    assert.deepEqual(
      aliasUrns({ urn: child, type: "aws:s3/bucket:Bucket", name: "new-raw", parent, aliases: [{ noParent: true }] }),
      ["urn:pulumi:prod::p::aws:s3/bucket:Bucket::new-raw"],
    );
  });
});
