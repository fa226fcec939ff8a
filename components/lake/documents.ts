import { doc, PolicyDocument, Statement } from "../core/iam";

export interface BucketPolicyInput {
  readonly bucketArn: string;
  /** The key every object must be encrypted with; undefined for SSE-S3 buckets (access logs). */
  readonly kmsKeyArn?: string;
  /** Deny s3:DeleteObjectVersion to everyone (prod): history cannot be erased, only expired by lifecycle. */
  readonly denyVersionDeletion: boolean;
  readonly extraStatements?: readonly Statement[];
}

/**
 * Bucket policy shared by every platform bucket. Default encryption already applies the right key to puts that
 * name none, so the policy only has to refuse puts that *ask* for something else: another algorithm or another
 * key. That keeps SDK clients working without headers while making the wrong key impossible.
 */
export function bucketPolicy(input: BucketPolicyInput): PolicyDocument {
  const { bucketArn, kmsKeyArn } = input;
  const objects = `${bucketArn}/*`;
  const statements: Statement[] = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucketArn, objects],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "DenyOutdatedTls",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucketArn, objects],
      Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
    },
  ];
  if (kmsKeyArn) {
    statements.push(
      // A condition on an absent key counts as met (…IfExists or not), so each deny also requires the header to be
      // present (Null: false); otherwise every put relying on default encryption would be refused.
      {
        Sid: "DenyOtherEncryption",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: {
          StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
          Null: { "s3:x-amz-server-side-encryption": "false" },
        },
      },
      // Asking for SSE-KMS without naming a key means the AWS managed key, which platform roles cannot be kept out of.
      {
        Sid: "DenyOtherKeys",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: {
          StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn },
          Null: { "s3:x-amz-server-side-encryption": "false" },
        },
      },
    );
  }
  if (input.denyVersionDeletion) {
    statements.push({
      Sid: "DenyVersionDeletion",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:DeleteObjectVersion", "s3:DeleteBucket"],
      Resource: [bucketArn, objects],
    });
  }
  return doc(...statements, ...(input.extraStatements ?? []));
}

export interface LifecycleInput {
  readonly noncurrentVersionExpirationDays: number;
  /** Tiering for the raw zone: infrequent access, then an archive class that still serves reads in milliseconds. */
  readonly tiering?: { infrequentAccessAfterDays: number; archiveAfterDays: number };
  /** Expire current objects (query results, access logs). */
  readonly expireAfterDays?: number;
}

export interface LifecycleRule {
  id: string;
  status: "Enabled";
  filter: Record<string, never>;
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
  noncurrentVersionExpiration?: { noncurrentDays: number };
  transitions?: { days: number; storageClass: string }[];
  expiration?: { days: number };
}

export function lifecycleRules(input: LifecycleInput): LifecycleRule[] {
  const rules: LifecycleRule[] = [
    {
      id: "abort-incomplete-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
    {
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: input.noncurrentVersionExpirationDays },
    },
  ];
  if (input.tiering) {
    rules.push({
      id: "tier-raw",
      status: "Enabled",
      filter: {},
      transitions: [
        { days: input.tiering.infrequentAccessAfterDays, storageClass: "STANDARD_IA" },
        { days: input.tiering.archiveAfterDays, storageClass: "GLACIER_IR" },
      ],
    });
  }
  if (input.expireAfterDays)
    rules.push({ id: "expire", status: "Enabled", filter: {}, expiration: { days: input.expireAfterDays } });
  return rules;
}
