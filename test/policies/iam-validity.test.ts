import { strict as assert } from "node:assert";
import { iamValidityRules } from "../../policies/rules/iam-validity";
import { resourceFits } from "../../policies/rules/iam-reference/arn";
import { planned, violations } from "../support/policy";
import { resourcesOf } from "../support/plan";

const ACCOUNT = "123456789012";
const rule = (name: string) => {
  const r = iamValidityRules.find((x) => x.name === name);
  if (!r) throw new Error(name);
  return r;
};
const rolePolicy = (...Statement: object[]) =>
  planned(
    "aws:iam/rolePolicy:RolePolicy",
    { role: "r", policy: JSON.stringify({ Version: "2012-10-17", Statement }) },
    { name: "doc" },
  );
const bucketPolicy = (...Statement: object[]) =>
  planned(
    "aws:s3/bucketPolicy:BucketPolicy",
    { bucket: "b", policy: JSON.stringify({ Version: "2012-10-17", Statement }) },
    { name: "doc" },
  );
const role = (trust: object, inline: object[] = []) =>
  planned(
    "aws:iam/role:Role",
    {
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [trust] }),
      inlinePolicies: inline.map((s) => ({
        name: "p",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [s] }),
      })),
    },
    { name: "doc" },
  );
const BUCKET = "arn:aws:s3:::acme-raw";
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe("IAM validity against the Service Authorization Reference", () => {
  describe("iam-actions-exist", () => {
    const r = rule("iam-actions-exist");
    it("passes real actions and wildcard patterns that name some", async () => {
      assert.deepEqual(
        await violations(
          r,
          rolePolicy({
            Effect: "Allow",
            Action: ["s3:GetObject", "kms:GenerateDataKey*", "kafka-cluster:ReadData"],
            Resource: "*",
          }),
        ),
        [],
      );
    });
    it("flags a misspelt action, an unknown service and a pattern that names nothing", async () => {
      const found = await violations(
        r,
        rolePolicy({ Effect: "Allow", Action: ["s3:GetObjects", "kafka:ReadData", "kms:Frobnicate*"], Resource: "*" }),
      );
      assert.equal(found.length, 3, found.join("\n"));
      assert.match(found[0], /s3:GetObjects is not an action/);
    });
    it("reads Deny statements and NotAction too (a misspelt deny protects nothing)", async () => {
      const found = await violations(r, rolePolicy({ Effect: "Deny", NotAction: "iam:PasRole", Resource: "*" }));
      assert.equal(found.length, 1);
    });
  });

  describe("iam-action-resources-fit", () => {
    const r = rule("iam-action-resources-fit");
    it('passes object actions on object ARNs, bucket actions on buckets and "*"-only actions on "*"', async () => {
      const ok = rolePolicy(
        { Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/sales/*` },
        { Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET },
        { Effect: "Allow", Action: "dynamodb:ListStreams", Resource: "*" },
        {
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:acme/warehouse/admin-AbCdEf`,
        },
        {
          Effect: "Allow",
          Action: "logs:PutLogEvents",
          Resource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/x:*`,
        },
      );
      assert.deepEqual(await violations(r, ok), []);
    });
    it('flags an action that accepts only "*" scoped to an ARN (dynamodb:ListStreams on a stream)', async () => {
      const found = await violations(
        r,
        rolePolicy({
          Effect: "Allow",
          Action: "dynamodb:ListStreams",
          Resource: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/carts/stream/*`,
        }),
      );
      assert.deepEqual(found.length, 1);
      assert.match(found[0], /dynamodb:ListStreams accepts only "\*"/);
    });
    it("flags object actions on a bucket ARN and bucket actions on object ARNs", async () => {
      const found = await violations(
        r,
        rolePolicy(
          { Effect: "Allow", Action: "s3:GetObject", Resource: BUCKET },
          { Effect: "Allow", Action: "s3:ListBucket", Resource: `${BUCKET}/*` },
        ),
      );
      assert.equal(found.length, 2, found.join("\n"));
    });
    it("tells a bucket ARN from its objects ARNs, both ways", () => {
      const bucket = "arn:${Partition}:s3:::${BucketName}";
      const object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
      for (const name of ["a", "acme-raw", "b.c", "x1"]) {
        assert.ok(resourceFits(`arn:aws:s3:::${name}`, bucket) && !resourceFits(`arn:aws:s3:::${name}`, object));
        assert.ok(
          resourceFits(`arn:aws:s3:::${name}/k/*`, object) && !resourceFits(`arn:aws:s3:::${name}/k/*`, bucket),
        );
      }
    });
  });

  describe("iam-condition-keys-apply", () => {
    const r = rule("iam-condition-keys-apply");
    it("passes keys that the actions carry, global keys, and absent-tolerant operators", async () => {
      const ok = rolePolicy(
        {
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: BUCKET,
          Condition: { StringLike: { "s3:prefix": ["sales/*"] } },
        },
        {
          Effect: "Allow",
          Action: "s3:GetBucketLocation",
          Resource: BUCKET,
          Condition: { Bool: { "aws:SecureTransport": "true" } },
        },
        {
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:DescribeKey"],
          Resource: KEY,
          Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
        },
        {
          Effect: "Allow",
          Action: "kms:DescribeKey",
          Resource: KEY,
          Condition: { StringLikeIfExists: { "kms:EncryptionContext:aws:s3:arn": BUCKET } },
        },
      );
      assert.deepEqual(await violations(r, ok), []);
    });
    it("flags s3:GetBucketLocation under s3:prefix and kms:DescribeKey under an encryption context", async () => {
      const found = await violations(
        r,
        rolePolicy(
          {
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation"],
            Resource: BUCKET,
            Condition: { StringLike: { "s3:prefix": ["sales/*"] } },
          },
          {
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:DescribeKey"],
            Resource: KEY,
            Condition: { StringLike: { "kms:EncryptionContext:aws:s3:arn": BUCKET } },
          },
        ),
      );
      assert.equal(found.length, 2, found.join("\n"));
      assert.match(found[0], /s3:GetBucketLocation is never granted: its requests carry no s3:prefix/);
      assert.match(found[1], /kms:DescribeKey is never granted/);
    });
    it("flags kms:DescribeKey under kms:GrantIsForAWSResource in a key policy, and a key that does not exist", async () => {
      const key = planned(
        "aws:kms/key:Key",
        {
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/deployer` },
                Action: ["kms:DescribeKey", "kms:CreateGrant"],
                Resource: "*",
                Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
              },
              {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                Action: "kms:Decrypt",
                Resource: "*",
                Condition: { StringEquals: { "kms:ViaServce": "s3.eu-west-1.amazonaws.com" } },
              },
            ],
          }),
        },
        { name: "doc" },
      );
      const found = await violations(r, key);
      assert.equal(found.length, 2, found.join("\n"));
      assert.match(found[1], /condition key kms:ViaServce does not exist/);
    });
  });

  describe("iam-condition-operators-fit", () => {
    const r = rule("iam-condition-operators-fit");
    it("passes operators of the key's type (and ArnLike on ARN-valued string keys, as AWS documents)", async () => {
      const ok = bucketPolicy({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [BUCKET, `${BUCKET}/*`],
        Condition: {
          Bool: { "aws:SecureTransport": "false" },
          NumericLessThan: { "s3:TlsVersion": 1.2 },
          ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/*` },
        },
      });
      assert.deepEqual(await violations(r, ok), []);
    });
    it("flags a Bool test of a string key, a date test of an IP key and an operator that does not exist", async () => {
      const found = await violations(
        r,
        bucketPolicy({
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: BUCKET,
          Condition: {
            Bool: { "aws:SourceVpce": "true" },
            DateGreaterThan: { "aws:SourceIp": "2020-01-01" },
            StringEqualz: { "aws:SourceVpce": "vpce-1" },
          },
        }),
      );
      assert.equal(found.length, 3, found.join("\n"));
    });
  });

  describe("iam-principals-valid", () => {
    const r = rule("iam-principals-valid");
    it("passes account, role, service and federated principals in trust and resource policies", async () => {
      assert.deepEqual(
        await violations(
          r,
          role({
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
          }),
        ),
        [],
      );
      assert.deepEqual(
        await violations(
          r,
          role({
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC` },
            Action: "sts:AssumeRoleWithWebIdentity",
          }),
        ),
        [],
      );
      assert.deepEqual(
        await violations(
          r,
          bucketPolicy({
            Effect: "Allow",
            Principal: { AWS: [ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/x`] },
            Action: "s3:GetObject",
            Resource: `${BUCKET}/*`,
          }),
        ),
        [],
      );
    });
    it("flags malformed principals, a principal in an identity policy and a resource policy without one", async () => {
      assert.equal(
        (await violations(r, role({ Effect: "Allow", Principal: { Service: "lambda" }, Action: "sts:AssumeRole" })))
          .length,
        1,
      );
      assert.equal(
        (
          await violations(
            r,
            role({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::12345:role/x" }, Action: "sts:AssumeRole" }),
          )
        ).length,
        1,
      );
      assert.equal(
        (await violations(r, role({ Effect: "Allow", Principal: { Aws: ACCOUNT }, Action: "sts:AssumeRole" }))).length,
        1,
      );
      assert.equal(
        (await violations(r, rolePolicy({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" })))
          .length,
        1,
      );
      assert.equal(
        (await violations(r, bucketPolicy({ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/*` })))
          .length,
        1,
      );
    });
  });

  for (const stack of ["dev", "staging", "prod"] as const) {
    it(`finds nothing in the ${stack} plan's policy documents`, async () => {
      const resources = await resourcesOf(stack);
      for (const r of iamValidityRules) assert.deepEqual(await violations(r, resources), [], r.name);
    });
  }
});
