import { strict as assert } from "node:assert";
import fc from "fast-check";
import { dqdl, dqdlRule, QualityConfig, qualityRules } from "../../components/core/quality";
import { loadPlatformConfig } from "../../components/config";
import { by, json, resourcesOf } from "../support/plan";
import { platformOf } from "../support/config";

describe("datasets: quality rules as Glue Data Quality rulesets (DQDL)", () => {
  it("turns every kind of configured rule into DQDL, in a stable order", () => {
    const rules = qualityRules(
      {
        complete: ["order_id", "amount"],
        unique: ["order_id"],
        allowedValues: { currency: ["EUR", "USD"] },
        rowCount: { min: 1, max: 100000 },
        freshnessColumn: "created_at",
      },
      26,
    );
    assert.equal(
      dqdl(rules),
      [
        "Rules = [",
        '    IsComplete "order_id",',
        '    IsComplete "amount",',
        '    IsUnique "order_id",',
        '    ColumnValues "currency" in ["EUR", "USD"],',
        "    RowCount >= 1,",
        "    RowCount <= 100000,",
        '    DataFreshness "created_at" <= 26 hours',
        "]",
      ].join("\n"),
    );
    // Several columns are a composite key; one bound of a row count is one rule.
    assert.deepEqual(dqdlRule({ kind: "unique", columns: ["campaign_id", "day"] }), [
      'IsPrimaryKey "campaign_id" "day"',
    ]);
    assert.deepEqual(dqdlRule({ kind: "rowCount", max: 5 }), ["RowCount <= 5"]);
    assert.equal(dqdl(qualityRules({})), undefined, "no rules, no ruleset");
    assert.deepEqual(qualityRules({ freshnessColumn: "x" }), [], "freshness needs the dataset's hours");
    assert.throws(() => dqdlRule({ kind: "allowedValues", column: "c", values: ['a"b'] }), /DQDL cannot quote/);
  });

  it("property: one DQDL line per rule bound, each well-formed, allowed values round-trip", () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/);
    const value = fc.string({ maxLength: 12 }).filter((s) => !/["\\\r\n]/.test(s));
    const config: fc.Arbitrary<QualityConfig> = fc.record(
      {
        complete: fc.array(name, { minLength: 1, maxLength: 4 }),
        unique: fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
        allowedValues: fc.dictionary(name, fc.array(value, { minLength: 1, maxLength: 4 }), { maxKeys: 3 }),
        rowCount: fc.record({ min: fc.nat(1000), max: fc.integer({ min: 1001, max: 10 ** 9 }) }, { requiredKeys: [] }),
        freshnessColumn: name,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(config, fc.integer({ min: 1, max: 744 }), (q, hours) => {
        const text = dqdl(qualityRules(q, hours));
        const expected =
          (q.complete?.length ?? 0) +
          (q.unique ? 1 : 0) +
          Object.keys(q.allowedValues ?? {}).length +
          (q.rowCount?.min !== undefined ? 1 : 0) +
          (q.rowCount?.max !== undefined ? 1 : 0) +
          (q.freshnessColumn ? 1 : 0);
        if (expected === 0) return text === undefined;
        const lines = text!.split("\n").slice(1, -1);
        assert.equal(lines.length, expected);
        for (const l of lines)
          assert.match(
            l,
            /^ {4}(IsComplete "\w+"|IsUnique "\w+"|IsPrimaryKey( "\w+")+|ColumnValues "\w+" in \[.*\]|RowCount [<>]= \d+|DataFreshness "\w+" <= \d+ hours),?$/,
          );
        for (const [column, values] of Object.entries(q.allowedValues ?? {})) {
          const line = lines.find((l) => l.includes(`ColumnValues "${column}" in `))!;
          assert.deepEqual(JSON.parse(line.replace(/^.* in /, "").replace(/,$/, "")), values);
        }
        return true;
      }),
    );
  });

  it("every dataset with rules gets a ruleset on its own table in the dev plan, tagged with domain and steward", async () => {
    const cfg = loadPlatformConfig(platformOf("dev"), "eu-west-1");
    const resources = await resourcesOf("dev");
    const rulesets = by.type(resources, "aws:glue/dataQualityRuleset:DataQualityRuleset");
    const withRules = cfg.datasets.filter((d) => dqdl(qualityRules(d.quality, d.freshnessHours)) !== undefined);
    assert.ok(withRules.length >= 4);
    assert.equal(rulesets.length, withRules.length);
    for (const d of withRules) {
      const r = rulesets.find((x) => x.inputs.name === `${d.domain}-${d.zone}-${d.name}`.replace(/_/g, "-"));
      assert.ok(r, `${d.domain}.${d.name} has no ruleset`);
      const i = json<{ ruleset: string; targetTable: Record<string, string>; tags: Record<string, string> }>(r.inputs);
      assert.equal(i.ruleset, dqdl(qualityRules(d.quality, d.freshnessHours)));
      assert.equal(i.targetTable.tableName, d.name);
      assert.match(i.targetTable.databaseName, new RegExp(`${d.domain}_${d.zone}`));
      assert.deepEqual([i.tags["data-domain"], i.tags["data-steward"]], [d.domain, d.steward]);
    }
  });
});
