import { strict as assert } from "node:assert";
import { personaTrust } from "../../components/security/personas";
import { workgroupConfiguration } from "../../components/bi/documents";
import { accessRules, IAM_ALLOWED_PRINCIPALS } from "../../policies/rules/access";
import type { PlatformRule } from "../../policies/rules/define";
import { resourcesOf } from "../support/plan";
import { planned, violations } from "../support/policy";

const rule = (name: string): PlatformRule => {
  const r = accessRules.find((x) => x.name === name);
  assert.ok(r, name);
  return r;
};

const PERMISSIONS = "aws:lakeformation/permissions:Permissions";
const SETTINGS = "aws:lakeformation/dataLakeSettings:DataLakeSettings";
const WORKGROUP = "aws:athena/workgroup:Workgroup";
const ROLE = "aws:iam/role:Role";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/abc";
const SSO = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_0123456789abcdef";
const tagGrant = { resourceType: "TABLE", expressions: [{ key: "acme-data-prod-domain", values: ["sales"] }] };
const wg = (change: (c: Record<string, unknown>) => void = () => undefined) => {
  const c = workgroupConfiguration({
    accountId: "123456789012",
    resultsBucket: "results",
    resultsKeyArn: KEY,
    group: "analysts",
    engineVersion: "Athena engine version 3",
    bytesScannedCutoffPerQueryGb: 10,
  }) as Record<string, unknown>;
  change(c);
  return planned(WORKGROUP, { name: "wg", configuration: c });
};

describe("access policy rules", () => {
  describe("lakeformation-no-iam-allowed-principals", () => {
    const r = rule("lakeformation-no-iam-allowed-principals");
    it("passes grants to named roles and settings with no default grants", async () => {
      assert.deepEqual(
        await violations(r, [
          planned(PERMISSIONS, {
            principal: "arn:aws:iam::123456789012:role/x",
            permissions: ["SELECT"],
            lfTagPolicy: tagGrant,
          }),
          planned(SETTINGS, { admins: [], createDatabaseDefaultPermissions: [], createTableDefaultPermissions: [] }),
        ]),
        [],
      );
    });
    it("flags a grant to IAMAllowedPrincipals", async () => {
      const found = await violations(
        r,
        planned(PERMISSIONS, { principal: IAM_ALLOWED_PRINCIPALS, permissions: ["ALL"], database: { name: "db" } }),
      );
      assert.equal(found.length, 1);
      assert.match(found[0]!, /grants IAMAllowedPrincipals/);
    });
    it("flags settings that leave the account default (or name it)", async () => {
      const found = await violations(
        r,
        planned(SETTINGS, {
          createTableDefaultPermissions: [{ principal: IAM_ALLOWED_PRINCIPALS, permissions: ["ALL"] }],
        }),
      );
      assert.deepEqual(found.map((m) => m.replace(/^.*?(leaves|createTable)/, "$1")).sort(), [
        "createTableDefaultPermissions grants IAMAllowedPrincipals",
        "leaves createDatabaseDefaultPermissions unset: the account default grants IAMAllowedPrincipals",
      ]);
    });
  });

  describe("athena-workgroup-enforced", () => {
    const r = rule("athena-workgroup-enforced");
    it("passes the workgroup configuration BiAccess builds", async () => {
      assert.deepEqual(await violations(r, wg()), []);
    });
    const cases: [string, (c: Record<string, unknown>) => void, RegExp][] = [
      ["not enforced", (c) => (c.enforceWorkgroupConfiguration = false), /does not enforce/],
      [
        "SSE_S3 results",
        (c) =>
          (c.resultConfiguration = {
            outputLocation: "s3://results/",
            encryptionConfiguration: { encryptionOption: "SSE_S3" },
          }),
        /customer-managed KMS key/,
      ],
      ["no scan limit", (c) => delete c.bytesScannedCutoffPerQuery, /no per-query scan limit/],
      ["engine AUTO", (c) => (c.engineVersion = { selectedEngineVersion: "AUTO" }), /does not pin/],
    ];
    for (const [what, change, message] of cases) {
      it(`flags ${what}`, async () => {
        const found = await violations(r, wg(change));
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0]!, message);
      });
    }
  });

  describe("iam-human-trust-mfa", () => {
    const r = rule("iam-human-trust-mfa");
    const role = (policy: unknown) => planned(ROLE, { assumeRolePolicy: JSON.stringify(policy) });
    it("passes persona trust: permission sets by ARN, account principals with MFA", async () => {
      assert.deepEqual(
        await violations(
          r,
          role(personaTrust({ accountId: "123456789012", principals: [SSO, "arn:aws:iam::210987654321:root"] })),
        ),
        [],
      );
      assert.deepEqual(await violations(r, role(personaTrust({ accountId: "123456789012", principals: [] }))), []);
    });
    it("passes service trust", async () => {
      assert.deepEqual(
        await violations(
          r,
          role({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
          }),
        ),
        [],
      );
    });
    it("flags an account principal without MFA", async () => {
      const found = await violations(
        r,
        role({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "sts:AssumeRole" },
          ],
        }),
      );
      assert.equal(found.length, 1);
      assert.match(found[0]!, /210987654321:root without requiring MFA/);
    });
  });

  it("the prod plan passes every access rule, and has resources of each type they check", async function () {
    const resources = await resourcesOf("prod");
    for (const type of [PERMISSIONS, SETTINGS, WORKGROUP, ROLE])
      assert.ok(
        resources.some((x) => x.type === type),
        `no ${type} in the prod plan`,
      );
    for (const r of accessRules) assert.deepEqual(await violations(r, resources), [], r.name);
  });
});
