import { strict as assert } from "node:assert";
import type { PlatformRule } from "../../policies/rules/define";
import { DATASET_TYPES as D, datasetRules } from "../../policies/rules/datasets";
import { planned, violations } from "../support/policy";
import { resourcesOf } from "../support/plan";

const rule = (name: string): PlatformRule => {
  const r = datasetRules.find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};
const governed = {
  "data-domain": "sales",
  "data-classification": "confidential",
  "data-owner": "o@x.example",
  "data-steward": "s@x.example",
};
const table = (parameters: Record<string, string>, extra: Record<string, unknown> = {}) =>
  planned(D.table, { name: "orders", databaseName: "db", parameters, ...extra });

describe("dataset policy rules", () => {
  it("glue-table-governed: domain, classification, owner and steward pass; missing or unknown ones fail", async () => {
    const r = rule("glue-table-governed");
    assert.deepEqual(await violations(r, table(governed)), []);
    assert.deepEqual(await violations(r, table({ ...governed, "data-classification": "secret" })), [
      "data-classification is 'secret'; must be one of public, internal, confidential, restricted",
    ]);
    assert.deepEqual(await violations(r, table({})), [
      "table parameters lack data-domain, data-owner, data-steward",
      "data-classification is missing; must be one of public, internal, confidential, restricted",
    ]);
  });

  it("every Glue table of the committed stacks is governed", async () => {
    for (const stack of ["dev", "prod"] as const) {
      const tables = (await resourcesOf(stack)).filter((r) => r.type === D.table);
      assert.ok(tables.length > 0);
      for (const t of tables) assert.deepEqual(await violations(rule("glue-table-governed"), t), [], t.name);
    }
  });
});

const iceberg = { icebergInput: { metadataOperation: "CREATE" } };
const curated = (extra: Record<string, string> = {}, inputs: Record<string, unknown> = {}) =>
  table({ ...governed, "data-platform:zone": "curated", ...extra }, inputs);
const optimizer = (type: string) =>
  planned(D.optimizer, { databaseName: "db", tableName: "orders", type, catalogId: "123456789012" });
const columnTag = (columns: string[], value: string) =>
  planned(D.resourceTags, {
    tableWithColumns: { databaseName: "db", name: "orders", columnNames: columns },
    lfTags: [{ key: "acme-prod:classification", value }],
  });
const tagGrant = (expressions: { key: string; values: string[] }[]) =>
  planned(D.permissions, {
    principal: "arn:aws:iam::123456789012:role/x",
    permissions: ["SELECT"],
    lfTagPolicy: { resourceType: "TABLE", expressions },
  });
const withEmail = { "data-platform:column-classifications": "email=restricted" };

describe("dataset policy rules: Iceberg, maintenance, column classifications", () => {
  it("dataset-curated-iceberg: Iceberg or pipeline-published passes; other file tables in curated fail", async () => {
    const r = rule("dataset-curated-iceberg");
    assert.deepEqual(await violations(r, curated({}, { openTableFormatInput: iceberg })), []);
    assert.deepEqual(await violations(r, curated({ "data-platform:published-by": "sales-daily" })), []);
    assert.deepEqual(await violations(r, table({ ...governed, "data-platform:zone": "raw" })), []);
    assert.deepEqual(await violations(r, curated()), [
      "curated table orders is not an Iceberg table and no pipeline publishes it",
    ]);
  });

  it("dataset-iceberg-maintained: all three optimizers pass; a missing one fails", async () => {
    const r = rule("dataset-iceberg-maintained");
    const t = curated({}, { openTableFormatInput: iceberg });
    const all = ["compaction", "retention", "orphan_file_deletion"].map(optimizer);
    assert.deepEqual(await violations(r, [t, ...all]), []);
    assert.deepEqual(await violations(r, [t, all[1]]), [
      "Iceberg table orders has no compaction, orphan_file_deletion optimizer",
    ]);
  });

  it("dataset-classified-columns-tagged: a tagged column passes; an untagged or wrongly tagged one fails", async () => {
    const r = rule("dataset-classified-columns-tagged");
    assert.deepEqual(await violations(r, [curated(withEmail), columnTag(["email"], "restricted")]), []);
    assert.deepEqual(await violations(r, [curated(withEmail), columnTag(["email"], "confidential")]), [
      "column orders.email is restricted but carries no such column LF-tag",
    ]);
    assert.deepEqual(await violations(r, [curated(withEmail)]), [
      "column orders.email is restricted but carries no such column LF-tag",
    ]);
  });

  it("dataset-restricted-columns-not-granted: grants below restricted or to one domain pass; wider ones fail", async () => {
    const r = rule("dataset-restricted-columns-not-granted");
    const t = curated(withEmail);
    const below = tagGrant([{ key: "p:classification", values: ["internal", "confidential"] }]);
    const own = tagGrant([{ key: "p:domain", values: ["sales"] }]);
    const other = tagGrant([{ key: "p:domain", values: ["marketing", "people"] }]);
    assert.deepEqual(await violations(r, [t, below, own, other]), []);
    const wide = tagGrant([{ key: "p:classification", values: ["internal", "restricted"] }]);
    const named = planned(D.permissions, {
      principal: "x",
      permissions: ["SELECT"],
      table: { databaseName: "db", name: "orders" },
    });
    const excluding = planned(D.permissions, {
      principal: "x",
      permissions: ["SELECT"],
      tableWithColumns: { databaseName: "db", name: "orders", excludedColumnNames: ["email"] },
    });
    assert.deepEqual(await violations(r, [t, excluding]), []);
    const cells = (columnWildcard: object) =>
      planned(D.cellsFilter, {
        tableData: { name: "eu", databaseName: "db", tableName: "orders", rowFilter: {}, columnWildcard },
      });
    assert.deepEqual(await violations(r, [t, cells({ excludedColumnNames: ["email"] })]), []);
    assert.deepEqual(await violations(r, [t, cells({})]), ["data-cells filter eu shows restricted column email"]);
    const found = await violations(r, [t, wide, named]);
    assert.equal(found.length, 2);
    assert.match(found[0], /reaches the restricted columns of orders beyond its domain/);
    assert.match(found[1], /names table orders, whose restricted columns it does not exclude/);
  });

  it("dataset-published-quality-rules: an analytics table with a ruleset passes; without one (or empty) it fails", async () => {
    const r = rule("dataset-published-quality-rules");
    const published = table({ ...governed, "data-platform:zone": "analytics" });
    const ruleset = (tableName: string, text = 'Rules = [ IsComplete "day" ]') =>
      planned(D.ruleset, { name: "q", ruleset: text, targetTable: { databaseName: "db", tableName } });
    assert.deepEqual(await violations(r, [published, ruleset("orders")]), []);
    assert.deepEqual(await violations(r, [curated(), table({ ...governed, "data-platform:zone": "raw" })]), []);
    assert.deepEqual(await violations(r, [published, ruleset("other")]), [
      "published dataset orders has no data quality ruleset",
    ]);
    assert.deepEqual(await violations(r, [published, ruleset("orders", " ")]), [
      "published dataset orders has no data quality ruleset",
    ]);
  });

  it("the committed prod plan passes every dataset rule", async () => {
    const resources = await resourcesOf("prod");
    for (const r of datasetRules) assert.deepEqual(await violations(r, resources), [], r.name);
  });
});
