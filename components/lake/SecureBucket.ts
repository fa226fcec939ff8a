import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Statement } from "../core/iam";
import type { PlatformContext, Tags } from "../core/types";
import { bucketPolicy, LifecycleInput, lifecycleRules } from "./documents";

export interface SecureBucketArgs {
  readonly ctx: PlatformContext;
  /** Physical bucket name (globally unique). */
  readonly bucketName: pulumi.Input<string>;
  readonly tags: Tags;
  /** SSE-KMS with this key and bucket keys. Omit only for the access-log bucket: S3 log delivery supports SSE-S3 alone. */
  readonly kmsKeyArn?: pulumi.Input<string>;
  readonly lifecycle: LifecycleInput;
  /** Server access logs go here. Omit only for the access-log bucket itself. */
  readonly accessLogs?: { bucket: pulumi.Input<string>; prefix: string };
  /** Empty the bucket on destroy. @default false (only the dev profile turns it on) */
  readonly forceDestroy?: boolean;
  /** Statements appended to the bucket policy, e.g. a service principal's delivery grant. */
  readonly extraPolicyStatements?: (bucketArn: string) => pulumi.Input<Statement[]>;
}

/**
 * A bucket with every companion the platform requires: versioning, SSE-KMS with bucket keys, public access
 * blocked, owner-enforced object ownership, a TLS-only / right-key-only policy, lifecycle and access logging.
 */
export class SecureBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:lake:SecureBucket", name, {}, opts);
    const { ctx } = args;
    const p = { parent: this };
    this.bucket = new aws.s3.Bucket(
      name,
      { bucket: args.bucketName, forceDestroy: args.forceDestroy ?? false, objectLockEnabled: false, tags: args.tags },
      { parent: this, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete },
    );
    this.name = this.bucket.bucket;
    this.arn = this.bucket.arn;
    const bucket = this.bucket.id;

    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      name,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      p,
    );
    new aws.s3.BucketOwnershipControls(name, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, p);
    new aws.s3.BucketVersioning(name, { bucket, versioningConfiguration: { status: "Enabled" } }, p);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      {
        bucket,
        rules: [
          args.kmsKeyArn
            ? {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                bucketKeyEnabled: true,
              }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      p,
    );
    new aws.s3.BucketLifecycleConfiguration(name, { bucket, rules: lifecycleRules(args.lifecycle) }, p);
    if (args.accessLogs) {
      new aws.s3.BucketLogging(
        name,
        { bucket, targetBucket: args.accessLogs.bucket, targetPrefix: args.accessLogs.prefix },
        p,
      );
    }
    new aws.s3.BucketPolicy(
      name,
      {
        bucket,
        policy: pulumi.all([this.bucket.arn, args.kmsKeyArn]).apply(([bucketArn, kmsKeyArn]) =>
          pulumi.output(args.extraPolicyStatements?.(bucketArn) ?? []).apply((extraStatements) =>
            JSON.stringify(
              bucketPolicy({
                bucketArn,
                kmsKeyArn,
                denyVersionDeletion: ctx.protect,
                extraStatements: extraStatements as Statement[],
              }),
            ),
          ),
        ),
      },
      { parent: this, dependsOn: [publicAccess] },
    );

    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
