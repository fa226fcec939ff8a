import { strict as assert } from "node:assert";
import { boundaryPolicy, keyPolicy } from "../../components/security/documents";
import type { PlannedResource } from "../../policies/engine/args";
import { by, json, resourcesOf } from "../support/plan";

describe("SecurityFoundation", () => {
  let prod: PlannedResource[];
  before(async () => (prod = await resourcesOf("prod")));

  it("creates one rotating, aliased key per classification with a 30-day deletion window in prod", () => {
    const keys = by.type(prod, "aws:kms/key:Key").filter((k) => k.name.startsWith("acme-data-security-"));
    assert.deepEqual(keys.map((k) => (k.inputs.tags as Record<string, string>)["data-classification"]).sort(), [
      "confidential",
      "internal",
      "public",
      "restricted",
    ]);
    for (const k of keys) {
      assert.equal(k.inputs.enableKeyRotation, true);
      assert.equal(k.inputs.deletionWindowInDays, 30);
    }
    assert.deepEqual(
      by
        .type(prod, "aws:kms/alias:Alias")
        .filter((a) => a.name.startsWith("acme-data-security-"))
        .map((a) => a.inputs.name)
        .sort(),
      [
        "alias/acme-data-prod-confidential",
        "alias/acme-data-prod-internal",
        "alias/acme-data-prod-public",
        "alias/acme-data-prod-restricted",
      ],
    );
  });

  it("lets only platform roles use a key, and only cleared roles use the restricted key", () => {
    const doc = keyPolicy({
      accountId: "123456789012",
      region: "eu-west-1",
      prefix: "acme-data-prod",
      classification: "restricted",
    });
    const use = doc.Statement.find((s) => s.Sid === "UseByPlatformRoles");
    assert.deepEqual(use?.Condition?.ArnLike, {
      "aws:PrincipalArn": "arn:aws:iam::123456789012:role/acme-data-prod/*",
    });
    assert.deepEqual(use?.Condition?.StringEquals, { "aws:PrincipalTag/data-platform:clearance": "restricted" });
    assert.ok(!doc.Statement.some((s) => s.Sid === "CloudWatchLogs"), "logs never get the restricted key");
    const admin = doc.Statement.find((s) => s.Sid === "KeyAdministration");
    assert.ok(
      !(admin?.Action as string[]).some((a) => /Decrypt|Encrypt|GenerateDataKey/.test(a)),
      "administration does not include use",
    );
    const internal = keyPolicy({
      accountId: "123456789012",
      region: "eu-west-1",
      prefix: "acme-data-prod",
      classification: "internal",
    });
    assert.equal(internal.Statement.find((s) => s.Sid === "UseByPlatformRoles")?.Condition?.StringEquals, undefined);
  });

  it("lets the deployer use keys only through the services that create encrypted resources, never S3", () => {
    const doc = keyPolicy({
      accountId: "123456789012",
      region: "eu-west-1",
      prefix: "acme-data-prod",
      classification: "confidential",
      deployerArn: "arn:aws:iam::123456789012:role/platform-deployer",
    });
    const deployer = doc.Statement.find((s) => s.Sid === "DeployerThroughServices");
    assert.deepEqual(deployer?.Principal, { AWS: "arn:aws:iam::123456789012:role/platform-deployer" });
    const via = deployer?.Condition?.StringEquals["kms:ViaService"] as string[];
    assert.ok(via.includes("secretsmanager.eu-west-1.amazonaws.com") && via.includes("rds.eu-west-1.amazonaws.com"));
    assert.ok(!via.some((v) => v.startsWith("s3.")), "the deployer cannot decrypt lake objects");
    const restricted = keyPolicy({
      accountId: "123456789012",
      region: "eu-west-1",
      prefix: "acme-data-prod",
      classification: "restricted",
      deployerArn: "arn:aws:iam::123456789012:role/platform-deployer",
    });
    const grantsOnly = restricted.Statement.find((s) => s.Sid === "DeployerThroughServices");
    assert.equal(
      grantsOnly?.Action,
      "kms:CreateGrant",
      "without clearance the deployer never uses the restricted key itself",
    );
    assert.equal(grantsOnly?.Condition?.Bool["kms:GrantIsForAWSResource"], "true");
    // DescribeKey requests carry no kms:GrantIsForAWSResource: its own statement, through the services only.
    const describe = restricted.Statement.find((s) => s.Sid === "DeployerDescribesThroughServices");
    assert.equal(describe?.Action, "kms:DescribeKey");
    assert.deepEqual(describe?.Condition, { StringEquals: deployer?.Condition?.StringEquals });
    const planned = by
      .type(prod, "aws:kms/key:Key")
      .map((k) => json<{ Statement: { Sid: string }[] }>(k.inputs.policy));
    assert.ok(planned.every((p) => p.Statement.some((s) => s.Sid === "DeployerThroughServices")));
  });

  it("puts the boundary on every role and the boundary forbids escaping itself", () => {
    const [boundary] = by
      .type(prod, "aws:iam/policy:Policy")
      .filter((p) => String(p.inputs.name).endsWith("-permissions-boundary"));
    const arn = `arn:aws:iam::123456789012:policy/${boundary.inputs.name}`;
    for (const role of by.type(prod, "aws:iam/role:Role"))
      assert.equal(role.inputs.permissionsBoundary, arn, role.name);
    const doc = json<ReturnType<typeof boundaryPolicy>>(boundary.inputs.policy);
    const sid = (s: string) => doc.Statement.find((x) => x.Sid === s);
    assert.deepEqual(sid("NoRoleWithoutBoundary")?.Condition, { StringNotEquals: { "iam:PermissionsBoundary": arn } });
    assert.ok((sid("NoBoundaryRemovalOrChange")?.Action as string[]).includes("iam:DeleteRolePermissionsBoundary"));
    assert.equal(sid("BoundaryIsImmutable")?.Resource, arn);
    assert.ok((sid("AuditStaysOn")?.Action as string[]).includes("cloudtrail:StopLogging"));
    assert.ok((sid("NoIdentityAdministration")?.Action as string[]).includes("organizations:*"));
  });
});
