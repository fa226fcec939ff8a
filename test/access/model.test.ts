import { strict as assert } from "node:assert";
import type { PlannedResource } from "../../policies/engine/args";
import { personaGrants } from "../../components/security/lake-formation";
import { IAM_ALLOWED_PRINCIPALS } from "../../policies/rules/access";
import { by, json, resourcesOf } from "../support/plan";

// AccessModel as the three stacks plan it: persona roles under the boundary and the platform path, trust from
// config (permission sets by ARN, account principals with MFA), LF-tags on every database, tag-expression grants.

const STACKS = ["dev", "staging", "prod"] as const;
const ROLE = "aws:iam/role:Role";
const PERMS = "aws:lakeformation/permissions:Permissions";
type Doc = {
  Statement: { Sid?: string; Principal?: { AWS?: string[] }; Condition?: Record<string, Record<string, unknown>> }[];
};
const personaRoles = (rs: readonly PlannedResource[]) =>
  by.type(rs, ROLE).filter((r) => (r.inputs.tags as Record<string, string>)["data-platform:persona"]);
const boundaryArn = (rs: readonly PlannedResource[]) => {
  const b = by.type(rs, "aws:iam/policy:Policy").find((p) => String(p.inputs.name).endsWith("-permissions-boundary"));
  assert.ok(b, "no boundary policy");
  return `arn:aws:iam::123456789012:policy/${String(b.inputs.name)}`;
};

describe("AccessModel in the three stacks", () => {
  for (const stack of STACKS) {
    it(`${stack}: one role per persona and per domain steward, each under the boundary and the platform path`, async () => {
      const rs = await resourcesOf(stack);
      const roles = personaRoles(rs);
      const domains = by
        .type(rs, "aws:glue/catalogDatabase:CatalogDatabase")
        .map((d) => (d.inputs.tags as Record<string, string>)["data-domain"]);
      const personas = roles
        .map(
          (r) =>
            `${(r.inputs.tags as Record<string, string>)["data-platform:persona"]}${(r.inputs.tags as Record<string, string>)["data-domain"] ? `:${(r.inputs.tags as Record<string, string>)["data-domain"]}` : ""}`,
        )
        .sort();
      assert.deepEqual(
        personas,
        ["analyst", "data-engineer", "platform-admin", ...[...new Set(domains)].map((d) => `steward:${d}`)].sort(),
      );
      const path = `/acme-data-${stack}/`;
      for (const r of roles) {
        assert.equal(r.inputs.permissionsBoundary, boundaryArn(rs), String(r.inputs.name));
        assert.equal(r.inputs.path, path);
        assert.match(String(r.inputs.name), new RegExp(`^acme-data-${stack}-`));
      }
    });
  }

  it("prod trusts the configured permission sets by ARN, and the break-glass account only with recent MFA", async () => {
    const rs = await resourcesOf("prod");
    const trust = (n: string) => json<Doc>(by.name(rs, ROLE, `acme-data-access-${n}`).inputs.assumeRolePolicy);
    const analyst = trust("analyst").Statement;
    assert.deepEqual(
      analyst.map((s) => s.Sid),
      ["IdentityCenterPermissionSets"],
    );
    assert.deepEqual(analyst[0]!.Condition?.ArnLike?.["aws:PrincipalArn"], [
      "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_9c8d7e6f5a4b3c2d",
    ]);
    const admin = trust("platform-admin").Statement.find((s) => s.Sid === "AccountPrincipalsWithMfa");
    assert.deepEqual(admin?.Principal?.AWS, ["arn:aws:iam::210987654321:root"]);
    assert.equal(admin?.Condition?.Bool?.["aws:MultiFactorAuthPresent"], "true");
    assert.ok(Number(admin?.Condition?.NumericLessThan?.["aws:MultiFactorAuthAge"]) <= 3600);
    assert.equal(by.name(rs, ROLE, "acme-data-access-analyst").inputs.maxSessionDuration, 3600);
  });

  it("dev, with no principals configured, trusts its own account with MFA", async () => {
    const rs = await resourcesOf("dev");
    const s = json<Doc>(by.name(rs, ROLE, "acme-data-access-data-engineer").inputs.assumeRolePolicy).Statement;
    assert.deepEqual(
      s.map((x) => [x.Principal?.AWS, x.Condition?.Bool?.["aws:MultiFactorAuthPresent"]]),
      [[["arn:aws:iam::123456789012:root"], "true"]],
    );
  });

  it("tags every Glue database with its domain, classification and zone", async () => {
    const rs = await resourcesOf("prod");
    const tagged = new Map(
      by
        .type(rs, "aws:lakeformation/resourceLfTags:ResourceLfTags")
        .filter((t) => t.inputs.database !== undefined) // column tags of tables are the catalog's (test/datasets)
        .map((t) => [
          (t.inputs.database as { name: string }).name,
          Object.fromEntries(
            (t.inputs.lfTags as { key: string; value: string }[]).map((x) => [x.key.split(":").pop(), x.value]),
          ),
        ]),
    );
    const dbs = by.type(rs, "aws:glue/catalogDatabase:CatalogDatabase");
    assert.ok(dbs.length >= 9);
    for (const db of dbs) {
      const tags = db.inputs.tags as Record<string, string>;
      assert.deepEqual(
        tagged.get(String(db.inputs.name)),
        {
          domain: tags["data-domain"],
          classification: tags["data-classification"],
          zone: String(db.inputs.name).split("_").pop(),
        },
        String(db.inputs.name),
      );
    }
  });

  it("grants only by tag expression to named roles; stewards hold the grant option on their own domain alone", async () => {
    const rs = await resourcesOf("prod");
    const grants = by.type(rs, PERMS);
    for (const g of grants) assert.notEqual(g.inputs.principal, IAM_ALLOWED_PRINCIPALS, g.name);
    const own = grants.filter((g) => g.urn.includes("AccessModel"));
    assert.ok(own.length > 0);
    for (const g of own) {
      assert.ok(g.inputs.lfTagPolicy || g.inputs.lfTag, `${g.name} grants on a named resource, not by tag`);
      const grantable = g.inputs.permissionsWithGrantOptions as string[] | undefined;
      if (!grantable?.length) continue;
      const steward = /steward-([a-z0-9-]+)$/.exec(String(g.inputs.principal));
      assert.ok(steward, `${g.name}: only stewards hold a grant option`);
      const expressions = (g.inputs.lfTagPolicy as { expressions: { key: string; values: string[] }[] } | undefined)
        ?.expressions ?? [
        { key: (g.inputs.lfTag as { key: string }).key, values: (g.inputs.lfTag as { values: string[] }).values },
      ];
      assert.deepEqual(expressions, [{ key: "acme-data-prod:domain", values: [steward[1]] }], g.name);
    }
  });

  it("classification drives the grants: analysts never get restricted or raw, restricted domains need cleared stewards", () => {
    const domains = [
      { name: "sales", classification: "confidential" as const },
      { name: "people", classification: "restricted" as const },
    ];
    const analyst = personaGrants(
      "analyst",
      { analystClearance: "confidential", restrictedReaders: ["steward", "data-engineer"] },
      domains,
    ).tags;
    for (const g of analyst) {
      assert.ok(!g.expression.classification?.includes("restricted"));
      assert.deepEqual(g.expression.zone, ["curated", "analytics"]);
    }
    const uncleared = personaGrants(
      "steward:people",
      { analystClearance: "internal", restrictedReaders: [] },
      domains,
    ).tags.find((g) => g.id === "tables");
    assert.ok(
      !uncleared?.permissions.includes("SELECT"),
      "a steward without the clearance describes but does not read restricted tables",
    );
    const cleared = personaGrants(
      "steward:people",
      { analystClearance: "internal", restrictedReaders: ["steward"] },
      domains,
    ).tags.find((g) => g.id === "tables");
    assert.ok(cleared?.permissions.includes("SELECT"));
    assert.throws(
      () => personaGrants("steward:finance", { analystClearance: "internal", restrictedReaders: [] }, domains),
      /unknown domain 'finance'/,
    );
  });
});
