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
