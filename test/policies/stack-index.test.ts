import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { PolicyResource } from "@pulumi/policy";
import type { PlannedResource } from "../../policies/engine/args";
import { stackArgs } from "../../policies/engine/args";
import { allRules } from "../../policies/rules";
import { stackIndex } from "../../policies/rules/stack-index";
import { planned, violations } from "../support/policy";

// Stack rules look their partners up in an index (by type, URN, input value and dependency) instead of scanning the
// stack for every resource they judge: the index must answer exactly what the scans answered, in the same order.

const TYPES = ["t:a:A", "t:b:B", "t:c:C"];
const BUCKETS = ["raw", "raw-eu", "curated", undefined];

/** A random stack: a few types, `bucket` inputs shared between resources, dependency edges (repeated ones too). */
const stacks = fc
  .array(fc.record({ type: fc.constantFrom(...TYPES), bucket: fc.constantFrom(...BUCKETS) }), {
    minLength: 0,
    maxLength: 25,
  })
  .chain((specs) =>
    fc
      .array(fc.array(fc.nat({ max: Math.max(0, specs.length - 1) }), { maxLength: 4 }), {
        minLength: specs.length,
        maxLength: specs.length,
      })
      .map((deps) =>
        specs.map((s, i): PlannedResource => ({
          urn: `urn:pulumi:test::p::${s.type}::r${i}`,
          type: s.type,
          name: `r${i}`,
          custom: true,
          inputs: s.bucket === undefined ? {} : { bucket: s.bucket },
          protect: false,
          retainOnDelete: false,
          dependencies: specs.length === 0 ? [] : deps[i].map((j) => `urn:pulumi:test::p::${specs[j].type}::r${j}`),
        })),
      ),
  );

const names = (rs: readonly PolicyResource[]) => rs.map((r) => r.name);

describe("stack index", () => {
  it("answers what scanning the stack answers, in plan order (random stacks)", () => {
    fc.assert(
      fc.property(stacks, (planned) => {
        const views = stackArgs(planned).resources;
        const index = stackIndex(views);
        for (const t of TYPES) {
          assert.deepEqual(names(index.ofType(t)), names(views.filter((r) => r.type === t)));
          for (const b of BUCKETS)
            assert.deepEqual(
              names(index.withInput(t, "bucket", b)),
              names(views.filter((r) => r.type === t && r.props.bucket === b)),
            );
        }
        assert.deepEqual(
          names(index.ofType(TYPES[2], TYPES[0], TYPES[2])),
          names(views.filter((r) => r.type === TYPES[0] || r.type === TYPES[2])),
        );
        for (const target of views) {
          assert.equal(index.byUrn(target.urn), target);
          const scan = (type?: string) =>
            views.filter(
              (r) => (type === undefined || r.type === type) && r.dependencies.some((d) => d.urn === target.urn),
            );
          assert.deepEqual(names(index.dependents(target)), names(scan()));
          for (const t of TYPES) assert.deepEqual(names(index.dependents(target, t)), names(scan(t)));
        }
      }),
    );
  });

  it("is shared by every stack rule's copy of the stack, and rebuilt for a list that has grown", () => {
    const resources = [planned("t:a:A", { bucket: "raw" }), planned("t:a:A", { bucket: "raw" })];
    const a = stackArgs(resources).resources;
    const b = stackArgs(resources).resources;
    assert.notEqual(a, b);
    assert.equal(stackIndex(a), stackIndex(b));
    const grown = [...a];
    const first = stackIndex(grown);
    grown.push(stackArgs([planned("t:a:A", { bucket: "raw" })]).resources[0]);
    assert.notEqual(stackIndex(grown), first);
    assert.equal(stackIndex(grown).withInput("t:a:A", "bucket", "raw").length, 3);
  });
});

// Rules whose joins were rewritten, on the cases a join can get wrong: names that share a prefix, one key or one
// partner for several resources, partners of another resource of the same name.
const rule = (name: string) => {
  const found = allRules.find((r) => r.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};

describe("rewritten joins", () => {
  it("dataset-iceberg-maintained: optimizers join on database and table, not on the table's name alone", async () => {
    const table = (db: string) =>
      planned("aws:glue/catalogTable:CatalogTable", {
        databaseName: db,
        name: "events",
        openTableFormatInput: { icebergInput: { metadataOperation: "CREATE" } },
      });
    const optimizer = (db: string, type: string) =>
      planned("aws:glue/catalogTableOptimizer:CatalogTableOptimizer", { databaseName: db, tableName: "events", type });
    const found = await violations(rule("dataset-iceberg-maintained"), [
      table("sales"),
      table("sales_eu"),
      ...["compaction", "retention", "orphan_file_deletion"].map((k) => optimizer("sales", k)),
      optimizer("sales_eu", "compaction"),
    ]);
    assert.deepEqual(found, ["Iceberg table events has no retention, orphan_file_deletion optimizer"]);
  });

  it("lakeformation-tags-match-data-tags: a database whose name extends a tagged one's is not tagged by it", async () => {
    const db = (name: string) => planned("aws:glue/catalogDatabase:CatalogDatabase", { name });
    const found = await violations(rule("lakeformation-tags-match-data-tags"), [
      planned("aws:lakeformation/lfTag:LfTag", { key: "p:domain", values: ["sales"] }),
      db("sales"),
      db("sales_eu"),
      planned("aws:lakeformation/resourceLfTags:ResourceLfTags", {
        database: { name: "sales" },
        lfTags: [{ key: "p:domain", value: "sales" }],
      }),
    ]);
    assert.equal(found.length, 1);
    assert.match(found[0], /database 'sales_eu' carries no LF-tags/);
  });

  it("kms-key-aliased and logs-key-admits-logs-service: one key shared by several resources, another with none", async () => {
    const key = planned("aws:kms/key:Key", { policy: JSON.stringify({ Statement: [] }) }, { name: "k1" });
    const other = planned("aws:kms/key:Key", { policy: JSON.stringify({ Statement: [] }) }, { name: "k2" });
    const alias = planned(
      "aws:kms/alias:Alias",
      { name: "alias/shared", targetKeyId: "id-1" },
      { dependencies: [key.urn, key.urn] },
    );
    const group = (name: string) =>
      planned("aws:cloudwatch/logGroup:LogGroup", { name, kmsKeyId: "alias/shared" }, { name });
    const stack = [key, other, alias, group("g1"), group("g2")];
    assert.deepEqual(await violations(rule("kms-key-aliased"), stack), ["key 'k2' has no alias"]);
    assert.deepEqual(await violations(rule("logs-key-admits-logs-service"), stack), [
      "log group 'g1' uses key 'k1', whose policy does not admit CloudWatch Logs",
      "log group 'g2' uses key 'k1', whose policy does not admit CloudWatch Logs",
    ]);
  });

  it("cost-redshift-usage-limit and ec2-eip-in-use: partners found through the dependency edges", async () => {
    const wg = (name: string) => planned("aws:redshiftserverless/workgroup:Workgroup", {}, { name });
    const [w1, w2, w3] = [wg("w1"), wg("w2"), wg("w3")];
    const limit = (amount: number, on: PlannedResource[]) =>
      planned(
        "aws:redshiftserverless/usageLimit:UsageLimit",
        { usageType: "serverless-compute", amount },
        { dependencies: on.map((w) => w.urn) },
      );
    assert.deepEqual(
      await violations(rule("cost-redshift-usage-limit"), [w1, w2, w3, limit(60, [w1]), limit(0, [w2])]),
      ["'w2' has no compute usage limit", "'w3' has no compute usage limit"],
    );
    const eip = (name: string) => planned("aws:ec2/eip:Eip", { domain: "vpc" }, { name });
    const [e1, e2] = [eip("e1"), eip("e2")];
    const nat = planned("aws:ec2/natGateway:NatGateway", {}, { dependencies: [e1.urn] });
    assert.deepEqual(await violations(rule("ec2-eip-in-use"), [e1, e2, nat]), [
      "elastic IP 'e2' is not attached to anything",
    ]);
  });
});
