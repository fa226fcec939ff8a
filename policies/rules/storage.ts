import type { PolicyResource } from "@pulumi/policy";
import { ALWAYS, PlatformRule, PROD_ONLY, PROD_PROFILE, resourceRule, RuleGroup, SECURITY, stackRule } from "./define";
import { actionMatches, isAnyone, positiveConditionKeys } from "./graph";
import { companions, isAccessLogBucket, list, parsePolicy, S3, Stmt } from "./util";
import { stackIndex } from "./stack-index";

type Check = (bucket: PolicyResource, all: readonly PolicyResource[]) => string | undefined;

/** A stack rule that joins each bucket with its companion resources and reports what is missing. */
function bucketRule(
  name: string,
  description: string,
  remediation: string,
  types: string[],
  enforcement: typeof SECURITY,
  check: Check,
  group: RuleGroup = "security",
): PlatformRule {
  return stackRule({
    name,
    description,
    remediation,
    group,
    enforcement,
    resourceTypes: [S3.bucket, ...types],
    validate(resources, report) {
      for (const bucket of stackIndex(resources).ofType(S3.bucket)) {
        const problem = check(bucket, resources);
        if (problem) report(`bucket '${bucket.name}': ${problem}`, bucket.urn);
      }
    },
  });
}

export const storageRules: PlatformRule[] = [
  bucketRule(
    "s3-kms-encryption",
    "Every bucket is encrypted by default with a customer-managed KMS key and bucket keys (the access-log bucket may use SSE-S3, the only option S3 log delivery supports).",
    "Use SecureBucket with kmsKeyArn set to the key of the data's classification.",
    [S3.sse],
    ALWAYS,
    (bucket, all) => {
      const sse = companions(all, S3.sse, bucket.props.bucket)[0];
      if (!sse) return "has no server-side encryption configuration";
      const rule = list(sse.props.rules)[0] as
        | {
            applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string };
            bucketKeyEnabled?: boolean;
          }
        | undefined;
      const algo = rule?.applyServerSideEncryptionByDefault?.sseAlgorithm;
      if (algo === "AES256" && isAccessLogBucket(bucket)) return undefined;
      if (algo !== "aws:kms" && algo !== "aws:kms:dsse") return `uses ${algo ?? "no"} encryption instead of SSE-KMS`;
      if (!rule?.applyServerSideEncryptionByDefault?.kmsMasterKeyId)
        return "uses the AWS-managed key instead of a customer-managed key";
      if (!rule.bucketKeyEnabled) return "does not enable bucket keys (each object would call KMS)";
      return undefined;
    },
  ),
  bucketRule(
    "s3-public-access-blocked",
    "Every bucket blocks public ACLs and policies with all four public-access-block settings.",
    "Add a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true.",
    [S3.publicAccess],
    ALWAYS,
    (bucket, all) => {
      const pab = companions(all, S3.publicAccess, bucket.props.bucket)[0];
      if (!pab) return "has no public access block";
      const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter(
        (k) => pab.props[k] !== true,
      );
      return off.length ? `public access block leaves ${off.join(", ")} off` : undefined;
    },
  ),
  bucketRule(
    "s3-tls-only",
    "Every bucket policy denies requests that do not use TLS (aws:SecureTransport false).",
    "Attach the platform bucket policy (lake/documents.ts bucketPolicy), which denies insecure transport.",
    [S3.policy],
    ALWAYS,
    (bucket, all) => {
      const policy = companions(all, S3.policy, bucket.props.bucket)[0];
      const doc = policy ? parsePolicy(policy.props.policy) : undefined;
      const denies = doc?.Statement.some(
        (s) =>
          s.Effect === "Deny" &&
          list(s.Action).some((a) => a === "s3:*" || a === "*") &&
          s.Condition?.Bool?.["aws:SecureTransport"] === "false",
      );
      return denies ? undefined : "has no policy statement denying requests without TLS";
    },
  ),
  bucketRule(
    "s3-versioning",
    "Every bucket has versioning enabled, so overwrites and deletes can be undone.",
    "Add a BucketVersioning with status Enabled.",
    [S3.versioning],
    ALWAYS,
    (bucket, all) =>
      companions(all, S3.versioning, bucket.props.bucket)[0]?.props.versioningConfiguration?.status === "Enabled"
        ? undefined
        : "versioning is not enabled",
  ),
  bucketRule(
    "s3-access-logging",
    "Every bucket except the access-log bucket sends server access logs to the platform's log bucket.",
    "Add a BucketLogging targeting the access-log bucket (SecureBucket's accessLogs).",
    [S3.logging],
    SECURITY,
    (bucket, all) =>
      isAccessLogBucket(bucket) || companions(all, S3.logging, bucket.props.bucket).length > 0
        ? undefined
        : "has no server access logging",
  ),
  bucketRule(
    "s3-object-ownership-enforced",
    "Every bucket enforces bucket-owner object ownership, which disables ACLs entirely.",
    "Add BucketOwnershipControls with objectOwnership BucketOwnerEnforced.",
    [S3.ownership],
    SECURITY,
    (bucket, all) =>
      list(companions(all, S3.ownership, bucket.props.bucket)[0]?.props.rule)[0]?.objectOwnership ===
      "BucketOwnerEnforced"
        ? undefined
        : "does not enforce BucketOwnerEnforced object ownership",
  ),
  bucketRule(
    "s3-lifecycle-abort-uploads",
    "Every bucket aborts incomplete multipart uploads after at most 7 days and expires noncurrent versions (cost; Checkov CKV2_AWS_61, Security Hub S3.13).",
    "Add a BucketLifecycleConfiguration with abortIncompleteMultipartUpload and noncurrentVersionExpiration rules.",
    [S3.lifecycle],
    // Versioned buckets without expiry grow without bound: mandatory where the data is kept.
    { dev: "advisory", staging: "mandatory", prod: "mandatory" },
    (bucket, all) => {
      const rules = list(companions(all, S3.lifecycle, bucket.props.bucket)[0]?.props.rules) as {
        abortIncompleteMultipartUpload?: { daysAfterInitiation?: number };
        noncurrentVersionExpiration?: unknown;
      }[];
      if (!rules.some((r) => (r.abortIncompleteMultipartUpload?.daysAfterInitiation ?? 99) <= 7))
        return "does not abort incomplete multipart uploads within 7 days";
      if (!rules.some((r) => r.noncurrentVersionExpiration)) return "keeps noncurrent versions forever";
      return undefined;
    },
    "cost",
  ),
  bucketRule(
    "s3-prod-no-force-destroy",
    "In prod, buckets are never emptied on destroy and are marked protect.",
    "Leave lake.forceDestroy unset outside dev; the prod profile marks buckets protect.",
    [],
    PROD_ONLY,
    (bucket) => {
      if (bucket.props.forceDestroy === true) return "would be emptied on destroy (forceDestroy)";
      if (!bucket.opts.protect) return "is not marked protect";
      return undefined;
    },
    "reliability",
  ),
];

const ACL = "aws:s3/bucketAcl:BucketAcl";
const OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const PUBLIC_GROUPS = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/;

/** Condition keys that pin an open principal to a caller: an account, organisation, network path or source resource. */
export const CALLER_PINNING_KEYS = [
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceowner",
  "aws:sourceorgid",
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:principalarn",
  "aws:sourcevpc",
  "aws:sourcevpce",
];

/** The statements of a bucket's policy companion. */
/** Allow statements of a resource policy that admit everyone ('*' or NotPrincipal) with no condition pinning the caller. */
export function openStatements(policy: unknown): Stmt[] {
  return (parsePolicy(policy)?.Statement ?? []).filter(
    (s) =>
      s.Effect === "Allow" &&
      (isAnyone(s.Principal) || s.NotPrincipal !== undefined) &&
      !positiveConditionKeys(s).some((k) => CALLER_PINNING_KEYS.includes(k)),
  );
}

const policyStatements = (bucket: PolicyResource, all: readonly PolicyResource[]): Stmt[] =>
  companions(all, S3.policy, bucket.props.bucket).flatMap((p) => parsePolicy(p.props.policy)?.Statement ?? []);

/** Bucket rules beyond the foundation's: policies, ACLs, object lock, key pinning, prod history. */
export const bucketPolicyRules: PlatformRule[] = [
  resourceRule({
    name: "s3-bucket-policy-not-public",
    description:
      "No bucket policy allows everyone ('*' or NotPrincipal) unless a condition pins the caller to an account, organisation, VPC endpoint or source.",
    remediation:
      "Grant named roles, or a service principal with aws:SourceAccount / aws:SourceArn, as the access-log delivery grant does.",
    group: "security",
    resourceTypes: [S3.policy, S3.bucket],
    enforcement: ALWAYS,
    validate(r, report) {
      for (const s of openStatements(r.props.policy))
        report(`statement ${s.Sid ?? "(no Sid)"} allows everyone ${list(s.Action).join(", ")}`);
    },
  }),
  resourceRule({
    name: "s3-no-acl-grants",
    description:
      "Buckets grant nothing through ACLs (no canned ACL but private, no grants); access is granted by policies alone.",
    remediation:
      "Delete the BucketAcl / acl / grants and grant through the bucket policy or IAM; ownership is BucketOwnerEnforced anyway.",
    group: "security",
    resourceTypes: [S3.bucket, ACL],
    enforcement: ALWAYS,
    validate(r, report) {
      const acl = r.props.acl as string | undefined;
      if (acl !== undefined && acl !== "private") report(`sets the '${acl}' ACL`);
      const grants = r.type === ACL ? list(r.props.accessControlPolicy?.grants) : list(r.props.grants);
      for (const g of grants as {
        grantee?: { uri?: string; type?: string };
        uri?: string;
        type?: string;
        permission?: string;
        permissions?: string[];
      }[]) {
        const uri = g.grantee?.uri ?? g.uri ?? "";
        report(
          PUBLIC_GROUPS.test(uri)
            ? `grants ${g.permission ?? g.permissions?.join("/") ?? "access"} to ${uri.split("/").pop()} (public)`
            : "grants access through an ACL",
        );
      }
    },
  }),
  stackRule({
    name: "s3-object-lock-retention",
    description: "A bucket with object lock enabled has a lock configuration with a default retention mode and period.",
    remediation:
      "Add a BucketObjectLockConfiguration with rule.defaultRetention { mode: GOVERNANCE | COMPLIANCE, days | years }.",
    group: "reliability",
    resourceTypes: [S3.bucket, OBJECT_LOCK],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const bucket of resources.filter((r) => r.type === S3.bucket && r.props.objectLockEnabled === true)) {
        const retention = companions(resources, OBJECT_LOCK, bucket.props.bucket)[0]?.props.rule?.defaultRetention as
          { mode?: string; days?: number; years?: number } | undefined;
        if (!retention?.mode || !(retention.days || retention.years))
          report(`bucket '${bucket.name}' enables object lock without a default retention`, bucket.urn);
      }
    },
  }),
  bucketRule(
    "s3-policy-pins-bucket-key",
    "A KMS-encrypted bucket's policy refuses uploads that ask for any other key, so no writer can put data under a weaker key.",
    "Use SecureBucket: its policy denies s3:PutObject when s3:x-amz-server-side-encryption-aws-kms-key-id is not the bucket's key.",
    [S3.sse, S3.policy],
    SECURITY,
    (bucket, all) => {
      const sse = companions(all, S3.sse, bucket.props.bucket)[0];
      const key = list(sse?.props.rules)[0]?.applyServerSideEncryptionByDefault?.kmsMasterKeyId as string | undefined;
      if (!key) return undefined; // no KMS key: s3-kms-encryption reports it
      const pinned = policyStatements(bucket, all).some((s) => {
        if (s.Effect !== "Deny" || !list(s.Action).some((a) => actionMatches(a, "s3:PutObject"))) return false;
        return Object.entries(s.Condition ?? {}).some(
          ([op, kv]) => /^StringNotEquals/.test(op) && kv["s3:x-amz-server-side-encryption-aws-kms-key-id"] === key,
        );
      });
      return pinned ? undefined : "its policy does not refuse uploads under another KMS key";
    },
  ),
  bucketRule(
    "s3-prod-deny-version-deletion",
    "In prod, every bucket policy denies s3:DeleteObjectVersion to everyone: history can only expire through lifecycle, never be erased by a caller.",
    "SecureBucket adds the DenyVersionDeletion statement when the context protects resources (the prod profile).",
    [S3.policy],
    PROD_PROFILE,
    (bucket, all) =>
      policyStatements(bucket, all).some(
        (s) =>
          s.Effect === "Deny" &&
          isAnyone(s.Principal) &&
          !s.Condition &&
          list(s.Action).some((a) => actionMatches(a, "s3:DeleteObjectVersion")),
      )
        ? undefined
        : "its policy lets callers delete object versions",
    "reliability",
  ),
];
