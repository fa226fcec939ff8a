import { strict as assert } from "node:assert";
import type { PlannedResource } from "../../policies/engine/args";
import { governanceRules } from "../../policies/rules/governance";
import { securityRules } from "../../policies/rules/security";
import { storageRules } from "../../policies/rules/storage";
import type { PlatformRule } from "../../policies/rules/define";
import { planned, violations } from "../support/policy";

const rule = (name: string): PlatformRule => {
  const r = [...storageRules, ...securityRules, ...governanceRules].find((x) => x.name === name);
  assert.ok(r, name);
  return r;
};

const tags = {
  environment: "prod",
  owner: "o@x.io",
  "cost-center": "CC-1",
  "managed-by": "pulumi:data-platform",
  "data-domain": "sales",
  "data-classification": "confidential",
};
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/abc";

/** A bucket with every companion the platform gives it; `change` breaks one thing. */
function bucketSet(
  change: (set: Record<string, PlannedResource>) => void = () => undefined,
  bucketTags: Record<string, string> = tags,
): PlannedResource[] {
  const b = "b1";
  const set: Record<string, PlannedResource> = {
    bucket: planned("aws:s3/bucket:Bucket", { bucket: b, forceDestroy: false, tags: bucketTags }, { protect: true }),
    sse: planned("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", {
      bucket: b,
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY },
          bucketKeyEnabled: true,
        },
      ],
    }),
    pab: planned("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
      bucket: b,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    policy: planned("aws:s3/bucketPolicy:BucketPolicy", {
      bucket: b,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: "*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    }),
    versioning: planned("aws:s3/bucketVersioning:BucketVersioning", {
      bucket: b,
      versioningConfiguration: { status: "Enabled" },
    }),
    logging: planned("aws:s3/bucketLogging:BucketLogging", { bucket: b, targetBucket: "logs", targetPrefix: "b1/" }),
    ownership: planned("aws:s3/bucketOwnershipControls:BucketOwnershipControls", {
      bucket: b,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }),
    lifecycle: planned("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", {
      bucket: b,
      rules: [
        { id: "a", abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
        { id: "n", noncurrentVersionExpiration: { noncurrentDays: 30 } },
      ],
    }),
  };
  change(set);
  return Object.values(set);
}

const with_ = (key: string, inputs: Record<string, unknown>) => (set: Record<string, PlannedResource>) => {
  set[key] = { ...set[key], inputs: { ...set[key].inputs, ...inputs } };
};
const without = (key: string) => (set: Record<string, PlannedResource>) => delete set[key];

const bucketCases: [string, (set: Record<string, PlannedResource>) => void, RegExp][] = [
  [
    "s3-kms-encryption",
    with_("sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
    /uses AES256 encryption instead of SSE-KMS/,
  ],
  [
    "s3-kms-encryption",
    with_("sse", {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
    }),
    /AWS-managed key/,
  ],
  ["s3-kms-encryption", without("sse"), /no server-side encryption/],
  ["s3-public-access-blocked", with_("pab", { restrictPublicBuckets: false }), /leaves restrictPublicBuckets off/],
  ["s3-public-access-blocked", without("pab"), /no public access block/],
  [
    "s3-tls-only",
    with_("policy", {
      policy: JSON.stringify({
        Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }],
      }),
    }),
    /denying requests without TLS/,
  ],
  [
    "s3-versioning",
    with_("versioning", { versioningConfiguration: { status: "Suspended" } }),
    /versioning is not enabled/,
  ],
  ["s3-access-logging", without("logging"), /no server access logging/],
  [
    "s3-object-ownership-enforced",
    with_("ownership", { rule: { objectOwnership: "ObjectWriter" } }),
    /BucketOwnerEnforced/,
  ],
  [
    "s3-lifecycle-abort-uploads",
    with_("lifecycle", { rules: [{ id: "n", noncurrentVersionExpiration: { noncurrentDays: 30 } }] }),
    /abort incomplete/,
  ],
  ["s3-prod-no-force-destroy", with_("bucket", { forceDestroy: true }), /emptied on destroy/],
  ["s3-prod-no-force-destroy", (set) => (set.bucket = { ...set.bucket, protect: false }), /not marked protect/],
];

describe("foundation rules", () => {
  describe("bucket stack rules join a bucket with its companions", () => {
    for (const name of new Set(bucketCases.map(([n]) => n))) {
      it(`${name}: passes a complete bucket`, async () =>
        assert.deepEqual(await violations(rule(name), bucketSet()), []));
    }
    for (const [name, change, expected] of bucketCases) {
      it(`${name}: flags ${expected.source}`, async () => {
        const found = await violations(rule(name), bucketSet(change));
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(found[0], expected);
      });
    }
    it("s3-kms-encryption lets only the access-log bucket use SSE-S3", async () => {
      const logs = { ...tags, "data-platform:bucket-role": "access-logs" };
      const aes = with_("sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
      assert.deepEqual(await violations(rule("s3-kms-encryption"), bucketSet(aes, logs)), []);
    });
    it("a waiver in the policy config silences one named resource and no other", async () => {
      const set = bucketSet(without("logging"));
      assert.equal(
        (
          await violations(rule("s3-access-logging"), set, {
            waivers: [{ resource: set[0].urn, reason: "log bucket of a partner, logs elsewhere" }],
          })
        ).length,
        0,
      );
      assert.equal(
        (
          await violations(rule("s3-access-logging"), set, {
            waivers: [{ resource: "other", reason: "log bucket of a partner" }],
          })
        ).length,
        1,
      );
    });
  });

  describe("security rules", () => {
    const key = (inputs: Record<string, unknown>) =>
      planned("aws:kms/key:Key", {
        enableKeyRotation: true,
        policy: JSON.stringify({
          Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "kms:*", Resource: "*" }],
        }),
        tags,
        ...inputs,
      });
    it("kms-key-rotation", async () => {
      assert.deepEqual(await violations(rule("kms-key-rotation"), key({})), []);
      assert.match(
        (await violations(rule("kms-key-rotation"), key({ enableKeyRotation: false })))[0],
        /rotation is off/,
      );
    });
    it("kms-key-policy-no-wildcard-use", async () => {
      assert.deepEqual(await violations(rule("kms-key-policy-no-wildcard-use"), key({})), []);
      const open = JSON.stringify({
        Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }],
      });
      assert.match(
        (await violations(rule("kms-key-policy-no-wildcard-use"), key({ policy: open })))[0],
        /any principal/,
      );
      assert.match(
        (await violations(rule("kms-key-policy-no-wildcard-use"), key({ policy: undefined })))[0],
        /no explicit key policy/,
      );
    });
    it("iam-role-permissions-boundary joins roles to the platform boundary", async () => {
      const boundary = planned("aws:iam/policy:Policy", { name: "p-dev-permissions-boundary", policy: "{}", tags });
      const ok = planned("aws:iam/role:Role", {
        permissionsBoundary: "arn:aws:iam::1:policy/p-dev-permissions-boundary",
        tags,
      });
      const none = planned("aws:iam/role:Role", { tags });
      const other = planned("aws:iam/role:Role", {
        permissionsBoundary: "arn:aws:iam::1:policy/AdministratorAccess",
        tags,
      });
      assert.deepEqual(await violations(rule("iam-role-permissions-boundary"), [boundary, ok]), []);
      const found = await violations(rule("iam-role-permissions-boundary"), [boundary, ok, none, other]);
      assert.equal(found.length, 2);
      assert.ok(
        found.some((f) => /has no permissions boundary/.test(f)) &&
          found.some((f) => /not the platform's boundary/.test(f)),
      );
    });
    it("iam-no-wildcard-admin", async () => {
      const pol = (Action: string, Resource: string) =>
        planned("aws:iam/rolePolicy:RolePolicy", {
          name: "x",
          policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action, Resource }] }),
        });
      assert.deepEqual(await violations(rule("iam-no-wildcard-admin"), pol("s3:GetObject", "*")), []);
      assert.match((await violations(rule("iam-no-wildcard-admin"), pol("*", "*")))[0], /'\*' on '\*'/);
    });
    it("iam-role-trust-scoped", async () => {
      const role = (Principal: unknown) =>
        planned("aws:iam/role:Role", {
          assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal, Action: "sts:AssumeRole" }] }),
          tags,
        });
      assert.deepEqual(await violations(rule("iam-role-trust-scoped"), role({ Service: "lambda.amazonaws.com" })), []);
      assert.match((await violations(rule("iam-role-trust-scoped"), role({ AWS: "*" })))[0], /trusts any principal/);
    });
  });

  describe("governance rules", () => {
    it("governance-tags", async () => {
      assert.deepEqual(await violations(rule("governance-tags"), planned("aws:ec2/vpc:Vpc", { tags })), []);
      const { owner: _owner, ...rest } = tags;
      assert.match(
        (await violations(rule("governance-tags"), planned("aws:ec2/vpc:Vpc", { tags: rest })))[0],
        /missing governance tags: owner/,
      );
      assert.match(
        (
          await violations(
            rule("governance-tags"),
            planned("aws:ec2/vpc:Vpc", { tags: { ...tags, environment: "qa" } }),
          )
        )[0],
        /not dev, staging or prod/,
      );
    });
    it("data-classification-tags", async () => {
      assert.deepEqual(
        await violations(
          rule("data-classification-tags"),
          planned("aws:glue/catalogDatabase:CatalogDatabase", { tags }),
        ),
        [],
      );
      assert.match(
        (
          await violations(
            rule("data-classification-tags"),
            planned("aws:glue/catalogDatabase:CatalogDatabase", { tags: { ...tags, "data-classification": "secret" } }),
          )
        )[0],
        /not one of/,
      );
      const { "data-domain": _d, ...noDomain } = tags;
      assert.match(
        (await violations(rule("data-classification-tags"), planned("aws:s3/bucket:Bucket", { tags: noDomain })))[0],
        /missing data-domain/,
      );
    });
    it("rules only judge their own resource types (the runtime would call them for every resource)", async () => {
      assert.deepEqual(
        await violations(rule("kms-key-rotation"), planned("aws:ec2/vpc:Vpc", { enableKeyRotation: false })),
        [],
      );
    });
  });
});
