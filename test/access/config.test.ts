import { strict as assert } from "node:assert";
import { BI_PROFILES, SUPERSET_CHART_VERSION } from "../../components/bi/config";
import { loadPlatformConfig } from "../../components/config";
import { ACCESS_PROFILES } from "../../components/security/config";
import { configProblems, platformOf } from "../support/config";

// The `access` and `bi` config sections through the platform loader: strict schemas, profile defaults that
// explicit values override, and the cross-field checks, each reported with the path to fix.

const SSO = (name: string) =>
  `arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${name}_0123456789abcdef`;

describe("access and bi config", () => {
  it("fills persona and BI defaults per environment, and explicit values win", () => {
    const dev = loadPlatformConfig(platformOf("dev"), "eu-west-1");
    const prod = loadPlatformConfig(platformOf("prod"), "eu-west-1");
    assert.equal(prod.access.sessionHours, ACCESS_PROFILES.prod.sessionHours);
    assert.ok(dev.access.sessionHours > prod.access.sessionHours, "prod sessions are shorter");
    assert.equal(dev.access.analystClearance, "internal", "the dev stack file narrows the analysts' clearance");
    assert.equal(prod.access.analystClearance, ACCESS_PROFILES.prod.analystClearance);
    assert.equal(prod.bi.athena.workgroups.finance?.bytesScannedCutoffPerQueryGb, 50);
    assert.deepEqual(prod.bi.athena.workgroups.finance?.personas, ["analyst"]);
    assert.deepEqual(
      prod.bi.athena.workgroups.analysts,
      BI_PROFILES.prod.athena.workgroups.analysts,
      "profile workgroups stay beside the added one",
    );
    assert.equal(dev.bi.athena.workgroups.analysts?.bytesScannedCutoffPerQueryGb, 5);
    assert.deepEqual(
      dev.bi.athena.workgroups.analysts?.personas,
      BI_PROFILES.dev.athena.workgroups.analysts?.personas,
      "a partial workgroup keeps the profile's personas",
    );
    assert.equal(prod.bi.superset.chartVersion, SUPERSET_CHART_VERSION);
    assert.equal(prod.bi.superset.enabled, false, "Superset is opt-in");
  });

  it("drops a profile workgroup set enabled: false", () => {
    const raw = platformOf("staging");
    raw.bi = { athena: { workgroups: { engineers: { enabled: false } } } };
    assert.deepEqual(Object.keys(loadPlatformConfig(raw, "eu-west-1").bi.athena.workgroups), ["analysts"]);
  });

  const cases: [string, "dev" | "staging" | "prod", (p: Record<string, unknown>) => void, string][] = [
    ["an unknown access key", "dev", (p) => (p.access = { principal: {} }), "platform.access.principal: unknown key"],
    [
      "an IAM user as a persona principal",
      "dev",
      (p) => (p.access = { principals: { analyst: ["arn:aws:iam::123456789012:user/alice"] } }),
      "platform.access.principals.analyst[0]: must be an IAM Identity Center permission-set role ARN",
    ],
    [
      "analysts cleared for restricted data",
      "dev",
      (p) => (p.access = { analystClearance: "restricted" }),
      "platform.access.analystClearance: must be one of public | internal | confidential (analysts never read restricted data)",
    ],
    [
      "platform admins as restricted readers",
      "dev",
      (p) => (p.access = { restrictedReaders: ["platform-admin"] }),
      "platform.access.restrictedReaders[0]: must be one of steward | data-engineer",
    ],
    [
      "a steward for an undeclared domain",
      "dev",
      (p) => (p.access = { stewards: { finance: [SSO("Finance")] } }),
      "platform.access.stewards.finance: no domain 'finance' is declared",
    ],
    [
      "a principal listed twice",
      "dev",
      (p) => (p.access = { principals: { analyst: [SSO("A"), SSO("A")] } }),
      "platform.access.principals.analyst: lists",
    ],
    [
      "prod without named analysts",
      "prod",
      (p) => delete (p.access as Record<string, Record<string, unknown>>).principals.analyst,
      "platform.access.principals.analyst: is required in prod",
    ],
    [
      "prod without a steward for a domain",
      "prod",
      (p) => delete (p.access as Record<string, Record<string, unknown>>).stewards.people,
      "platform.access.stewards.people: is required in prod",
    ],
    [
      "long sessions in prod",
      "prod",
      (p) => ((p.access as Record<string, unknown>).sessionHours = 8),
      "platform.access.sessionHours: is refused in prod above 4",
    ],
    [
      "an AUTO Athena engine",
      "dev",
      (p) => (p.bi = { athena: { engineVersion: "AUTO" } }),
      "platform.bi.athena.engineVersion: must pin an engine",
    ],
    [
      "a scan limit under Athena's minimum",
      "dev",
      (p) => (p.bi = { athena: { workgroups: { analysts: { bytesScannedCutoffPerQueryGb: 0.001 } } } }),
      "platform.bi.athena.workgroups.analysts.bytesScannedCutoffPerQueryGb: must be at least 0.01",
    ],
    [
      "no workgroup for analysts",
      "dev",
      (p) => (p.bi = { athena: { workgroups: { analysts: { enabled: false } } } }),
      "platform.bi.athena.workgroups: no workgroup admits analysts",
    ],
    [
      "a BI login named after a group role",
      "dev",
      (p) => (p.bi = { warehouseLogin: { username: "bi_reader" } }),
      "platform.bi.warehouseLogin.username: login 'bi_reader': the name is reserved by the platform",
    ],
    [
      "admins reading the BI login",
      "dev",
      (p) => (p.bi = { warehouseLogin: { readers: ["platform-admin"] } }),
      "platform.bi.warehouseLogin.readers: platform-admin is refused",
    ],
    [
      "Superset without a cluster",
      "dev",
      (p) => ((p.bi = { superset: { enabled: true } }), delete p.compute),
      "platform.bi.superset.enabled: Superset runs on the platform's Kubernetes cluster",
    ],
    [
      "Superset metadata in the warehouse",
      "dev",
      (p) => (p.bi = { superset: { enabled: true, metadataDatabase: "warehouse" } }),
      "platform.bi.superset.metadataDatabase: 'warehouse' is refused",
    ],
    [
      "a floating Superset chart",
      "dev",
      (p) => (p.bi = { superset: { chartVersion: "latest" } }),
      "platform.bi.superset.chartVersion: must be an exact chart version",
    ],
  ];
  for (const [what, stack, edit, expected] of cases) {
    it(`refuses ${what}`, () => {
      const raw = platformOf(stack);
      edit(raw);
      const found = configProblems(raw);
      assert.ok(
        found.some((p) => p.startsWith(expected)),
        `expected '${expected}', got:\n${found.join("\n")}`,
      );
    });
  }
});
