import { strict as assert } from "assert";
import { cdcRules, DMS_TYPES as D } from "../../policies/rules/cdc";
import type { PlatformRule } from "../../policies/rules/define";
import { planned, violations } from "../support/policy";
import { resourcesOf } from "../support/plan";

const rule = (name: string): PlatformRule => {
  const r = cdcRules.find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf";

const replication = (compute: Record<string, unknown> = {}) =>
  planned(D.replicationConfig, {
    replicationType: "full-load-and-cdc",
    computeConfig: { replicationSubnetGroupId: "cdc", vpcSecurityGroupIds: ["sg-1"], kmsKeyId: KEY, ...compute },
  });
const source = (extra: Record<string, unknown> = {}) =>
  planned(D.endpoint, {
    endpointType: "source",
    engineName: "postgres",
    sslMode: "verify-full",
    secretsManagerArn: SECRET,
    kmsKeyArn: KEY,
    ...extra,
  });

describe("cdc policy rules, both ways", () => {
  it("dms-replication-private-encrypted: a private encrypted replication passes; missing pieces or a public instance fail", async () => {
    const r = rule("dms-replication-private-encrypted");
    assert.deepEqual(await violations(r, replication()), []);
    assert.deepEqual(
      await violations(
        r,
        replication({ replicationSubnetGroupId: undefined, vpcSecurityGroupIds: [], kmsKeyId: undefined }),
      ),
      [
        "names no replication subnet group",
        "has no security group of its own",
        "is not encrypted with a customer-managed key (DMS's default key)",
      ],
    );
    assert.deepEqual(await violations(r, planned(D.subnetGroup, { subnetIds: ["subnet-a", "subnet-b"] })), []);
    assert.deepEqual(await violations(r, planned(D.subnetGroup, { subnetIds: ["subnet-a"] })), [
      "spans fewer than two subnets",
    ]);
    const instance = (publiclyAccessible: unknown) =>
      planned(D.replicationInstance, { publiclyAccessible, kmsKeyArn: KEY, vpcSecurityGroupIds: ["sg-1"] });
    assert.deepEqual(await violations(r, instance(false)), []);
    assert.deepEqual(await violations(r, instance(undefined)), [
      "is publicly accessible (publiclyAccessible is not false)",
    ]);
  });

  it("dms-source-ssl: verified TLS with a secret passes; no TLS or inline credentials fail; targets are not judged", async () => {
    const r = rule("dms-source-ssl");
    assert.deepEqual(await violations(r, source()), []);
    assert.deepEqual(await violations(r, source({ sslMode: "none" })), ["reads its source without TLS (sslMode none)"]);
    assert.deepEqual(
      await violations(r, source({ secretsManagerArn: undefined, password: "pw", kmsKeyArn: undefined })),
      [
        "takes its credentials from inputs instead of a Secrets Manager secret",
        "connection details are not encrypted with a customer-managed key",
      ],
    );
    assert.deepEqual(await violations(r, source({ endpointType: "target", sslMode: "none" })), []);
  });

  it("dms-s3-target-encrypted: SSE-KMS with a customer key passes; SSE-S3 or no key fails", async () => {
    const r = rule("dms-s3-target-encrypted");
    const target = (extra: Record<string, unknown>) => planned(D.s3Endpoint, { endpointType: "target", ...extra });
    assert.deepEqual(await violations(r, target({ encryptionMode: "SSE_KMS", serverSideEncryptionKmsKeyId: KEY })), []);
    assert.deepEqual(await violations(r, target({})), ["writes with SSE_S3 (the default), not SSE_KMS"]);
    assert.deepEqual(await violations(r, target({ encryptionMode: "SSE_KMS" })), [
      "names no customer-managed key for SSE_KMS",
    ]);
  });

  it("the prod stack's replication passes every cdc rule", async function () {
    this.timeout(120_000);
    const prod = await resourcesOf("prod");
    assert.ok(prod.some((x) => x.type === D.replicationConfig));
    for (const r of cdcRules) assert.deepEqual(await violations(r, prod), [], r.name);
  });
});
