import { strict as assert } from "node:assert";
import type { PlannedResource } from "../../policies/engine/args";
import { by, json, resourcesOf } from "../support/plan";
import { mergedLakeAdmins } from "../../components/lake/DataLake";
import { DEPLOYER_ROLE_ARN, EXISTING_LAKE_ADMIN_ARN } from "../../tools/plan/mocks";

const BUCKET = "aws:s3/bucket:Bucket";
const companion = (rs: PlannedResource[], type: string, bucket: PlannedResource) => {
  const found = rs.filter((r) => r.type === type && r.inputs.bucket === bucket.inputs.bucket);
  assert.equal(found.length, 1, `${type} for ${bucket.name}`);
  return found[0];
};
/** The key ARN of a classification, found through its alias (alias/<prefix>-<classification> → key id). */
const keyArnOf = (rs: PlannedResource[], classification: string) => {
  const alias = rs.find(
    (r) => r.type === "aws:kms/alias:Alias" && r.inputs.name === `alias/acme-data-prod-${classification}`,
  );
  assert.ok(alias, `alias for ${classification}`);
  return `arn:aws:kms:eu-west-1:123456789012:key/${alias.inputs.targetKeyId}`;
};

describe("DataLake wiring", () => {
  let prod: PlannedResource[];
  let dev: PlannedResource[];
  before(async () => {
    prod = await resourcesOf("prod");
    dev = await resourcesOf("dev");
  });

  it("encrypts each zone with the key of its classification, with bucket keys", () => {
    assert.equal(by.type(prod, "aws:kms/key:Key").filter((k) => k.name.startsWith("acme-data-security-")).length, 4);
    for (const [zone, classification] of [
      ["raw", "confidential"],
      ["curated", "internal"],
      ["analytics", "internal"],
    ]) {
      const bucket = by.name(prod, BUCKET, `acme-data-lake-${zone}`);
      const sse = companion(
        prod,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        bucket,
      );
      const rule = (sse.inputs.rules as Record<string, Record<string, string>>[])[0];
      assert.equal(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
      assert.equal(rule.bucketKeyEnabled, true);
      assert.equal(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId, keyArnOf(prod, classification));
      assert.equal((bucket.inputs.tags as Record<string, string>)["data-classification"], classification);
      // The bucket policy pins the same key: puts asking for any other key are denied.
      const policy = json<{ Statement: { Sid: string; Condition?: Record<string, Record<string, string>> }[] }>(
        companion(prod, "aws:s3/bucketPolicy:BucketPolicy", bucket).inputs.policy,
      );
      const pin = policy.Statement.find((s) => s.Sid === "DenyOtherKeys");
      assert.equal(
        pin?.Condition?.StringNotEqualsIfExists["s3:x-amz-server-side-encryption-aws-kms-key-id"],
        rule.applyServerSideEncryptionByDefault.kmsMasterKeyId,
      );
    }
  });

  it("denies insecure transport on every bucket and version deletion in prod only", () => {
    for (const [rs, prodLike] of [
      [prod, true],
      [dev, false],
    ] as const) {
      for (const bucket of by.type(rs, BUCKET)) {
        const policy = json<{
          Statement: {
            Sid: string;
            Effect: string;
            Action: string | string[];
            Condition?: Record<string, Record<string, string>>;
          }[];
        }>(companion(rs, "aws:s3/bucketPolicy:BucketPolicy", bucket).inputs.policy);
        const tls = policy.Statement.find((s) => s.Sid === "DenyInsecureTransport");
        assert.equal(tls?.Effect, "Deny");
        assert.equal(tls?.Condition?.Bool["aws:SecureTransport"], "false");
        assert.equal(
          policy.Statement.some((s) => s.Sid === "DenyVersionDeletion"),
          prodLike,
          bucket.name,
        );
      }
    }
  });

  it("blocks public access, enforces ownership, versions and logs every zone", () => {
    const logs = by.name(prod, BUCKET, "acme-data-lake-access-logs");
    for (const bucket of by.type(prod, BUCKET)) {
      const pab = companion(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket).inputs;
      assert.deepEqual(
        [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
        [true, true, true, true],
      );
      assert.equal(
        (
          companion(prod, "aws:s3/bucketVersioning:BucketVersioning", bucket).inputs.versioningConfiguration as {
            status: string;
          }
        ).status,
        "Enabled",
      );
      if (bucket !== logs)
        assert.equal(
          companion(prod, "aws:s3/bucketLogging:BucketLogging", bucket).inputs.targetBucket,
          logs.inputs.bucket,
        );
    }
  });

  it("tiers the raw zone and aborts incomplete uploads after one day", () => {
    const raw = by.name(prod, BUCKET, "acme-data-lake-raw");
    const rules = companion(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", raw).inputs
      .rules as Record<string, unknown>[];
    assert.deepEqual(rules.find((r) => r.id === "abort-incomplete-uploads")?.abortIncompleteMultipartUpload, {
      daysAfterInitiation: 1,
    });
    assert.deepEqual(rules.find((r) => r.id === "tier-raw")?.transitions, [
      { days: 30, storageClass: "STANDARD_IA" },
      { days: 180, storageClass: "GLACIER_IR" },
    ]);
    assert.deepEqual(rules.find((r) => r.id === "expire-noncurrent-versions")?.noncurrentVersionExpiration, {
      noncurrentDays: 90,
    });
    const curated = by.name(prod, BUCKET, "acme-data-lake-curated");
    const curatedRules = companion(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", curated)
      .inputs.rules as Record<string, unknown>[];
    assert.ok(!curatedRules.some((r) => r.id === "tier-raw"), "only raw is tiered");
  });

  it("keeps restricted domains in their own bucket under the restricted key", () => {
    const restricted = by.name(prod, BUCKET, "acme-data-lake-restricted");
    const sse = companion(
      prod,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      restricted,
    );
    const kmsKey = (sse.inputs.rules as Record<string, Record<string, string>>[])[0].applyServerSideEncryptionByDefault
      .kmsMasterKeyId;
    const zoneKeys = ["raw", "curated", "analytics"].map((z) => {
      const b = by.name(prod, BUCKET, `acme-data-lake-${z}`);
      return (
        companion(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", b)
          .inputs.rules as Record<string, Record<string, string>>[]
      )[0].applyServerSideEncryptionByDefault.kmsMasterKeyId;
    });
    assert.ok(!zoneKeys.includes(kmsKey), "the restricted key is used by no shared zone");
    const people = by.name(prod, "aws:glue/catalogDatabase:CatalogDatabase", "acme-data-lake-people-curated");
    assert.equal(people.inputs.locationUri, `s3://${restricted.inputs.bucket}/curated/people/`);
    assert.equal((people.inputs.tags as Record<string, string>)["data-classification"], "restricted");
    const sales = by.name(prod, "aws:glue/catalogDatabase:CatalogDatabase", "acme-data-lake-sales-raw");
    assert.equal(sales.inputs.name, "acme_data_prod_sales_raw");
    assert.equal(sales.inputs.locationUri, `s3://${by.name(prod, BUCKET, "acme-data-lake-raw").inputs.bucket}/sales/`);
  });

  it("creates a Glue database per domain and zone, tagged with owner and steward", () => {
    const dbs = by.type(prod, "aws:glue/catalogDatabase:CatalogDatabase");
    assert.equal(dbs.length, 3 * 3);
    for (const db of dbs) {
      const tags = db.inputs.tags as Record<string, string>;
      assert.match(tags["data-owner"], /@acme\.example$/);
      assert.match(tags["data-steward"], /@acme\.example$/);
      assert.ok(tags["data-domain"]);
    }
  });

  it("keeps the admins Lake Formation already has (another stack's, the account team's) and never deletes the settings", () => {
    const [settings] = by.type(prod, "aws:lakeformation/dataLakeSettings:DataLakeSettings");
    // What the account had first, then the deployer, then the configured admins.
    assert.deepEqual((settings.inputs.admins as string[]).slice(0, 2), [EXISTING_LAKE_ADMIN_ARN, DEPLOYER_ROLE_ARN]);
    assert.equal(settings.retainOnDelete, true);
    assert.deepEqual(
      mergedLakeAdmins([DEPLOYER_ROLE_ARN, "arn:aws:iam::1:role/b"], ["arn:aws:iam::1:role/a", DEPLOYER_ROLE_ARN]),
      [DEPLOYER_ROLE_ARN, "arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a"],
    );
    assert.deepEqual(mergedLakeAdmins(undefined, ["x"]), ["x"]);
  });

  it("turns off IAMAllowedPrincipals and registers every lake location with the Lake Formation role", () => {
    const [settings] = by.type(prod, "aws:lakeformation/dataLakeSettings:DataLakeSettings");
    assert.deepEqual(settings.inputs.createDatabaseDefaultPermissions, []);
    assert.deepEqual(settings.inputs.createTableDefaultPermissions, []);
    assert.ok((settings.inputs.admins as string[]).includes("arn:aws:iam::123456789012:role/platform-deployer"));
    const locations = by.type(prod, "aws:lakeformation/resource:Resource");
    const lfRole = by.name(prod, "aws:iam/role:Role", "acme-data-lake-lakeformation");
    assert.equal(lfRole.inputs.path, "/acme-data-prod/");
    assert.equal(locations.length, 4);
    for (const l of locations)
      assert.match(
        String(l.inputs.roleArn),
        /^arn:aws:iam::123456789012:role\/acme-data-prod\/acme-data-lake-lakeformation-[0-9a-f]{7}$/,
      );
    const arns = locations.map((l) => l.inputs.arn).sort();
    const buckets = by
      .type(prod, BUCKET)
      .filter((b) => b.name.startsWith("acme-data-lake-") && !/access-logs|query-results/.test(b.name))
      .map((b) => `arn:aws:s3:::${b.inputs.bucket}`)
      .sort();
    assert.deepEqual(arns, buckets);
    const lfPolicy = json<{ Statement: { Sid: string; Resource: string[] }[] }>(
      by.name(prod, "aws:iam/rolePolicy:RolePolicy", "acme-data-lake-lakeformation-policy").inputs.policy,
    );
    assert.deepEqual(lfPolicy.Statement.find((s) => s.Sid === "ZoneBuckets")?.Resource.sort(), buckets);
  });

  it("protects stateful resources in prod and empties buckets on destroy only in dev", () => {
    for (const b of by.type(prod, BUCKET)) {
      assert.equal(b.protect, true);
      assert.equal(b.retainOnDelete, true);
      assert.equal(b.inputs.forceDestroy, false);
    }
    for (const k of by.type(prod, "aws:kms/key:Key")) assert.equal(k.protect, true);
    for (const b of by.type(dev, BUCKET)) {
      assert.equal(b.protect, false);
      assert.equal(b.inputs.forceDestroy, true);
    }
  });
});
