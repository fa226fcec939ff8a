// Weakenings of S3 buckets and KMS keys.
import type { Template } from "../model";
import { S3, bucketOf, notLogBucket, editDoc, dropStatement, type Inputs } from "./shared";

export const storageTemplates: readonly Template[] = [
  // ---- S3 ----
  {
    source: "CKV_AWS_145, Security Hub S3.17",
    type: S3.sse,
    what: "sse-s3-instead-of-kms",
    pick: notLogBucket,
    blame: bucketOf,
    edit: (i) => (i.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" }),
  },
  {
    source: "CKV_AWS_53, Security Hub S3.8",
    type: S3.pab,
    what: "public-acls-allowed",
    blame: bucketOf,
    edit: (i) => (i.blockPublicAcls = false),
  },
  {
    source: "CKV_AWS_54, Security Hub S3.8",
    type: S3.pab,
    what: "public-policy-allowed",
    blame: bucketOf,
    edit: (i) => (i.blockPublicPolicy = false),
  },
  {
    source: "CKV_AWS_55, Security Hub S3.8",
    type: S3.pab,
    what: "public-acls-honoured",
    blame: bucketOf,
    edit: (i) => (i.ignorePublicAcls = false),
  },
  {
    source: "CKV_AWS_56, Security Hub S3.8",
    type: S3.pab,
    what: "public-buckets-unrestricted",
    blame: bucketOf,
    edit: (i) => (i.restrictPublicBuckets = false),
  },
  {
    source: "CKV_AWS_21, Security Hub S3.14",
    type: S3.versioning,
    what: "versioning-suspended",
    blame: bucketOf,
    edit: (i) => (i.versioningConfiguration.status = "Suspended"),
  },
  { source: "CKV_AWS_18, Security Hub S3.9", type: S3.logging, what: "access-logging-removed", dropBlaming: bucketOf },
  {
    source: "CKV2_AWS_65, Security Hub S3.12",
    type: S3.ownership,
    what: "acls-enabled",
    blame: bucketOf,
    edit: (i) => (i.rule.objectOwnership = "ObjectWriter"),
  },
  { source: "CKV2_AWS_61, Security Hub S3.13", type: S3.lifecycle, what: "lifecycle-removed", dropBlaming: bucketOf },
  {
    source: "CKV2_AWS_61, Security Hub S3.13",
    type: S3.lifecycle,
    what: "no-abort-incomplete-uploads",
    blame: bucketOf,
    edit: (i) => (i.rules = i.rules.filter((x: Inputs) => !x.abortIncompleteMultipartUpload)),
  },
  {
    source: "Security Hub S3.5",
    type: S3.policy,
    what: "tls-deny-removed",
    blame: bucketOf,
    edit: (i) =>
      editDoc(
        i,
        "policy",
        dropStatement((s) => JSON.stringify(s.Condition ?? {}).includes("aws:SecureTransport")),
      ),
  },
  {
    source: "CKV_AWS_70, Security Hub S3.2",
    type: S3.policy,
    what: "public-read-grant",
    blame: bucketOf,
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${i.bucket}/*`,
        }),
      ),
  },
  {
    source: "Security Hub S3.6",
    type: S3.policy,
    what: "other-account-grant",
    blame: bucketOf,
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::999999999999:root" },
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${i.bucket}/*`,
        }),
      ),
  },
  {
    source: "CKV_AWS_20, Security Hub S3.2",
    type: S3.bucket,
    what: "public-read-acl",
    edit: (i) => (i.acl = "public-read"),
  },
  {
    source: "Security Hub S3.15 (object lock), CKV_AWS_143",
    type: S3.bucket,
    what: "object-lock-without-retention",
    pick: notLogBucket,
    edit: (i) => (i.objectLockEnabled = true),
  },
  // ---- KMS ----
  {
    source: "CKV_AWS_7, Security Hub KMS.4",
    type: "aws:kms/key:Key",
    what: "rotation-off",
    edit: (i) => (i.enableKeyRotation = false),
  },
  { source: "CKV_AWS_227", type: "aws:kms/key:Key", what: "key-disabled", edit: (i) => (i.isEnabled = false) },
  {
    source: "CKV_AWS_33, Security Hub KMS.5",
    type: "aws:kms/key:Key",
    what: "policy-any-principal",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({ Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }),
      ),
  },
  {
    source: "Security Hub KMS.3 (keys not deleted unintentionally)",
    type: "aws:kms/key:Key",
    what: "short-deletion-window",
    edit: (i) => (i.deletionWindowInDays = 7),
  },
  {
    source: "KMS best practice (key use scoped to named roles), CKV_AWS_33 family",
    type: "aws:kms/key:Key",
    what: "use-by-whole-account",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: ["kms:Decrypt", "kms:Encrypt"],
          Resource: "*",
        }),
      ),
  },
];
