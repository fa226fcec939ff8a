import { strict as assert } from "node:assert";
import { ZONES } from "../../components/core/types";
import { glueDatabaseName } from "../../components/lake/DataLake";
import { prestoAccessRules, trinoAccessRules, TrinoRules } from "../../components/compute/query-access";
import { DOMAINS } from "./support";

const PREFIX = "acme-data-prod";
const CATALOGS = ["lake", "iceberg", "warehouse", "kafka"];
const rules = trinoAccessRules({ prefix: PREFIX, domains: DOMAINS, catalogs: CATALOGS });

// A reading of Trino's file-based system access control semantics: regexes match the whole value, a rule applies when
// every field it names matches, the first applicable rule decides, and no applicable rule means no access.
const full = (re: string | undefined, value: string) => re === undefined || new RegExp(`^(?:${re})$`).test(value);
interface Who {
  user: string;
  groups: string[];
}
const applies = (
  r: { group?: string; catalog?: string; schema?: string },
  who: Who,
  catalog: string,
  schema?: string,
) =>
  (r.group === undefined || who.groups.some((g) => full(r.group, g))) &&
  full(r.catalog, catalog) &&
  (schema === undefined || full(r.schema, schema));
function catalogAccess(rs: TrinoRules, who: Who, catalog: string): string {
  return rs.catalogs.find((r) => applies(r, who, catalog))?.allow ?? "none";
}
function tablePrivileges(rs: TrinoRules, who: Who, catalog: string, schema: string): string[] {
  const level = catalogAccess(rs, who, catalog);
  if (level === "none") return [];
  const privileges = rs.tables.find((r) => applies(r, who, catalog, schema))?.privileges ?? [];
  return level === "read-only" ? privileges.filter((p) => p === "SELECT") : privileges;
}

const analyst: Who = { user: "ana", groups: ["analysts"] };
const engineer: Who = { user: "eng", groups: ["engineers"] };
const stranger: Who = { user: "eve", groups: ["marketing-team"] };
const schema = (domain: string, zone: (typeof ZONES)[number]) => glueDatabaseName(PREFIX, domain, zone);

describe("query engine access rules (trino)", () => {
  it("analysts read curated and analytics of non-restricted domains, and write nothing", () => {
    for (const domain of ["sales", "marketing"]) {
      for (const zone of ["curated", "analytics"] as const) {
        for (const catalog of ["lake", "iceberg"])
          assert.deepEqual(
            tablePrivileges(rules, analyst, catalog, schema(domain, zone)),
            ["SELECT"],
            `${catalog}.${schema(domain, zone)}`,
          );
      }
    }
  });

  it("nobody reads raw or restricted through the engine, engineers included", () => {
    for (const who of [analyst, engineer]) {
      for (const catalog of ["lake", "iceberg"]) {
        for (const d of DOMAINS)
          assert.deepEqual(
            tablePrivileges(rules, who, catalog, schema(d.name, "raw")),
            [],
            `${who.user} ${d.name} raw`,
          );
        for (const zone of ZONES)
          assert.deepEqual(
            tablePrivileges(rules, who, catalog, schema("people", zone)),
            [],
            `${who.user} people ${zone}`,
          );
      }
      assert.deepEqual(
        tablePrivileges(rules, who, "warehouse", "people"),
        [],
        "restricted domain schema in the warehouse",
      );
    }
  });

  it("engineers also write analytics and read Kafka; analysts see neither Kafka nor writes", () => {
    assert.deepEqual(tablePrivileges(rules, engineer, "lake", schema("sales", "analytics")), [
      "SELECT",
      "INSERT",
      "DELETE",
      "UPDATE",
      "OWNERSHIP",
    ]);
    assert.deepEqual(tablePrivileges(rules, engineer, "lake", schema("sales", "curated")), ["SELECT"]);
    assert.deepEqual(tablePrivileges(rules, engineer, "kafka", "default"), ["SELECT"]);
    assert.deepEqual(tablePrivileges(rules, analyst, "kafka", "default"), []);
    assert.equal(catalogAccess(rules, analyst, "kafka"), "none");
    assert.deepEqual(tablePrivileges(rules, analyst, "lake", schema("sales", "analytics")), ["SELECT"]);
  });

  it("the warehouse is read-only for everyone", () => {
    assert.deepEqual(tablePrivileges(rules, engineer, "warehouse", "sales"), ["SELECT"]);
    assert.equal(catalogAccess(rules, engineer, "warehouse"), "read-only");
    assert.deepEqual(tablePrivileges(rules, analyst, "warehouse", "marketing"), ["SELECT"]);
  });

  it("users in no platform group get nothing, and unknown catalogs are closed", () => {
    for (const catalog of [...CATALOGS, "system", "tpch"])
      assert.equal(catalogAccess(rules, stranger, catalog), "none", catalog);
    assert.equal(catalogAccess(rules, analyst, "tpch"), "none");
    assert.deepEqual(rules.queries.find((q) => q.group === "analysts")?.allow, ["execute"]);
  });

  it("schema patterns match exactly the lake's Glue databases they mean", () => {
    const lakeDenial = rules.tables[0];
    assert.deepEqual(lakeDenial.privileges, []);
    const denied = (s: string) => full(lakeDenial.schema, s);
    assert.ok(denied(schema("marketing", "raw")));
    assert.ok(denied(schema("people", "analytics")));
    assert.ok(!denied(schema("marketing", "curated")));
    // A look-alike from another platform or environment is not matched by anything granting access.
    assert.deepEqual(
      tablePrivileges(rules, analyst, "lake", glueDatabaseName("acme-data-dev", "sales", "curated")),
      [],
    );
    assert.deepEqual(tablePrivileges(rules, analyst, "lake", `${schema("sales", "curated")}_copy`), []);
  });

  it("without the warehouse or Kafka, their catalogs and rules are absent", () => {
    const lakeOnly = trinoAccessRules({ prefix: PREFIX, domains: DOMAINS, catalogs: ["lake", "iceberg"] });
    assert.ok(!JSON.stringify(lakeOnly).includes("warehouse"));
    assert.ok(!JSON.stringify(lakeOnly).includes("kafka"));
  });
});

describe("query engine access rules (presto)", () => {
  const p = prestoAccessRules(
    { prefix: PREFIX, domains: DOMAINS, catalogs: ["lake", "warehouse", "kafka"] },
    { analysts: ["ana"], engineers: ["eng"] },
  );
  const catalogAllowed = (user: string, catalog: string) =>
    p.system.catalogs.find((r) => full("user" in r ? r.user : undefined, user) && full(r.catalog, catalog))?.allow ??
    false;
  const lakePrivileges = (user: string, s: string) =>
    p.lake.tables.find((r) => full("user" in r ? r.user : undefined, user) && full(r.schema, s))?.privileges ?? [];

  it("gates catalogs by user: analysts never reach Kafka, strangers reach nothing", () => {
    assert.equal(catalogAllowed("ana", "lake"), true);
    assert.equal(catalogAllowed("ana", "kafka"), false);
    assert.equal(catalogAllowed("eng", "kafka"), true);
    assert.equal(catalogAllowed("eve", "lake"), false);
    assert.equal(catalogAllowed("anabel", "lake"), false, "user patterns match whole names");
  });

  it("applies the same zone and classification split in the lake catalog", () => {
    assert.deepEqual(lakePrivileges("ana", schema("sales", "curated")), ["SELECT"]);
    assert.deepEqual(lakePrivileges("ana", schema("sales", "raw")), []);
    assert.deepEqual(lakePrivileges("eng", schema("people", "analytics")), []);
    assert.deepEqual(lakePrivileges("eng", schema("marketing", "analytics")), [
      "SELECT",
      "INSERT",
      "DELETE",
      "OWNERSHIP",
    ]);
  });
});
