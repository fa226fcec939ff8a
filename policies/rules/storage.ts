import type { PolicyResource } from "@pulumi/policy";
import { PlatformRule, SECURITY, stackRule, ALWAYS, PROD_ONLY } from "./define";
import { companions, isAccessLogBucket, list, parsePolicy, S3 } from "./util";

type Check = (bucket: PolicyResource, all: readonly PolicyResource[]) => string | undefined;

/** A stack rule that joins each bucket with its companion resources and reports what is missing. */
function bucketRule(name: string, description: string, remediation: string, types: string[], enforcement: typeof SECURITY, check: Check): PlatformRule {
  return stackRule({
    name, description, remediation, group: "security", enforcement, resourceTypes: [S3.bucket, ...types],
    validate(resources, report) {
      for (const bucket of resources.filter((r) => r.type === S3.bucket)) {
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
    [S3.sse], ALWAYS,
    (bucket, all) => {
      const sse = companions(all, S3.sse, bucket.props.bucket)[0];
      if (!sse) return "has no server-side encryption configuration";
      const rule = list(sse.props.rules)[0] as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string }; bucketKeyEnabled?: boolean } | undefined;
      const algo = rule?.applyServerSideEncryptionByDefault?.sseAlgorithm;
      if (algo === "AES256" && isAccessLogBucket(bucket)) return undefined;
      if (algo !== "aws:kms" && algo !== "aws:kms:dsse") return `uses ${algo ?? "no"} encryption instead of SSE-KMS`;
      if (!rule?.applyServerSideEncryptionByDefault?.kmsMasterKeyId) return "uses the AWS-managed key instead of a customer-managed key";
      if (!rule.bucketKeyEnabled) return "does not enable bucket keys (each object would call KMS)";
      return undefined;
    },
  ),
  bucketRule(
    "s3-public-access-blocked",
    "Every bucket blocks public ACLs and policies with all four public-access-block settings.",
    "Add a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true.",
    [S3.publicAccess], ALWAYS,
    (bucket, all) => {
      const pab = companions(all, S3.publicAccess, bucket.props.bucket)[0];
      if (!pab) return "has no public access block";
      const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((k) => pab.props[k] !== true);
      return off.length ? `public access block leaves ${off.join(", ")} off` : undefined;
    },
  ),
  bucketRule(
    "s3-tls-only",
    "Every bucket policy denies requests that do not use TLS (aws:SecureTransport false).",
    "Attach the platform bucket policy (lake/documents.ts bucketPolicy), which denies insecure transport.",
    [S3.policy], ALWAYS,
    (bucket, all) => {
      const policy = companions(all, S3.policy, bucket.props.bucket)[0];
      const doc = policy ? parsePolicy(policy.props.policy) : undefined;
      const denies = doc?.Statement.some((s) => s.Effect === "Deny" && list(s.Action).some((a) => a === "s3:*" || a === "*") && s.Condition?.Bool?.["aws:SecureTransport"] === "false");
      return denies ? undefined : "has no policy statement denying requests without TLS";
    },
  ),
  bucketRule(
    "s3-versioning",
    "Every bucket has versioning enabled, so overwrites and deletes can be undone.",
    "Add a BucketVersioning with status Enabled.",
    [S3.versioning], ALWAYS,
    (bucket, all) => (companions(all, S3.versioning, bucket.props.bucket)[0]?.props.versioningConfiguration?.status === "Enabled" ? undefined : "versioning is not enabled"),
  ),
  bucketRule(
    "s3-access-logging",
    "Every bucket except the access-log bucket sends server access logs to the platform's log bucket.",
    "Add a BucketLogging targeting the access-log bucket (SecureBucket's accessLogs).",
    [S3.logging], SECURITY,
    (bucket, all) => (isAccessLogBucket(bucket) || companions(all, S3.logging, bucket.props.bucket).length > 0 ? undefined : "has no server access logging"),
  ),
  bucketRule(
    "s3-object-ownership-enforced",
    "Every bucket enforces bucket-owner object ownership, which disables ACLs entirely.",
    "Add BucketOwnershipControls with objectOwnership BucketOwnerEnforced.",
    [S3.ownership], SECURITY,
    (bucket, all) => (list(companions(all, S3.ownership, bucket.props.bucket)[0]?.props.rule)[0]?.objectOwnership === "BucketOwnerEnforced" ? undefined : "does not enforce BucketOwnerEnforced object ownership"),
  ),
  bucketRule(
    "s3-lifecycle-abort-uploads",
    "Every bucket aborts incomplete multipart uploads after at most 7 days and expires noncurrent versions (cost).",
    "Add a BucketLifecycleConfiguration with abortIncompleteMultipartUpload and noncurrentVersionExpiration rules.",
    [S3.lifecycle], { dev: "advisory", staging: "advisory", prod: "advisory" },
    (bucket, all) => {
      const rules = list(companions(all, S3.lifecycle, bucket.props.bucket)[0]?.props.rules) as { abortIncompleteMultipartUpload?: { daysAfterInitiation?: number }; noncurrentVersionExpiration?: unknown }[];
      if (!rules.some((r) => (r.abortIncompleteMultipartUpload?.daysAfterInitiation ?? 99) <= 7)) return "does not abort incomplete multipart uploads within 7 days";
      if (!rules.some((r) => r.noncurrentVersionExpiration)) return "keeps noncurrent versions forever";
      return undefined;
    },
  ),
  bucketRule(
    "s3-prod-no-force-destroy",
    "In prod, buckets are never emptied on destroy and are marked protect.",
    "Leave lake.forceDestroy unset outside dev; the prod profile marks buckets protect.",
    [], PROD_ONLY,
    (bucket) => {
      if (bucket.props.forceDestroy === true) return "would be emptied on destroy (forceDestroy)";
      if (!bucket.opts.protect) return "is not marked protect";
      return undefined;
    },
  ),
];
