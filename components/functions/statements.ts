import type { PolicyStatement as Statement } from "./types";

// IAM statements of the ingestion functions, as plain functions of ARNs so the IAM tests can evaluate them.
// Every grant names exact resources; KMS use is limited to the service that needs the key and, for S3, to the
// bucket: zone buckets use S3 bucket keys, so the encryption context S3 sends KMS is the bucket ARN.

const KEY_FOR_WRITE = ["kms:GenerateDataKey", "kms:Decrypt"];

function s3Key(keyArn: string, bucketArn: string, region: string, actions: string[], sid: string): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: keyArn,
    Condition: {
      StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com`, "kms:EncryptionContext:aws:s3:arn": bucketArn },
    },
  };
}

export interface PrefixAccess {
  readonly bucketArn: string;
  readonly keyArn: string;
  /** The prefix, ending in `/`, e.g. `sales/source=orders/`. */
  readonly prefix: string;
  readonly region: string;
}

/** Write (and read back, for the watermark) only under the source's own prefix, with only the zone's key. */
export function rawWriteStatements(a: PrefixAccess, sid = "Raw"): Statement[] {
  return [
    {
      Sid: `${sid}Objects`,
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject"],
      Resource: `${a.bucketArn}/${a.prefix}*`,
    },
    s3Key(a.keyArn, a.bucketArn, a.region, KEY_FOR_WRITE, `${sid}Key`),
  ];
}

/**
 * A service writing files under one prefix (Firehose, DMS): the given object actions there, listing limited to the
 * prefix, optional bucket-level actions, and the zone's key through S3 for this bucket only.
 */
export function prefixObjectStatements(
  a: PrefixAccess,
  objectActions: readonly string[],
  sid: string,
  bucketActions: readonly string[] = [],
): Statement[] {
  return [
    { Sid: `${sid}Objects`, Effect: "Allow", Action: [...objectActions], Resource: `${a.bucketArn}/${a.prefix}*` },
    ...(bucketActions.length > 0
      ? [{ Sid: `${sid}Bucket`, Effect: "Allow" as const, Action: [...bucketActions], Resource: a.bucketArn }]
      : []),
    {
      Sid: `${sid}List`,
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: a.bucketArn,
      Condition: { StringLike: { "s3:prefix": `${a.prefix}*` } },
    },
    s3Key(a.keyArn, a.bucketArn, a.region, KEY_FOR_WRITE, `${sid}Key`),
  ];
}

/** Read and list only under one prefix (a loader reading the source it loads). */
export function prefixReadStatements(a: PrefixAccess, sid = "Read"): Statement[] {
  return [
    { Sid: `${sid}Objects`, Effect: "Allow", Action: "s3:GetObject", Resource: `${a.bucketArn}/${a.prefix}*` },
    {
      Sid: `${sid}List`,
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: a.bucketArn,
      Condition: { StringLike: { "s3:prefix": `${a.prefix}*` } },
    },
    s3Key(a.keyArn, a.bucketArn, a.region, ["kms:Decrypt"], `${sid}Key`),
  ];
}

/**
 * A loader's staging folder for Redshift COPY: it writes and removes its staging objects there, under the zone's
 * key, and reads nothing it did not write (the folder's objects exist only while their COPY runs).
 */
export function copyStagingStatements(a: PrefixAccess, sid = "CopyStaging"): Statement[] {
  return [
    {
      Sid: `${sid}Objects`,
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: `${a.bucketArn}/${a.prefix}*`,
    },
    s3Key(a.keyArn, a.bucketArn, a.region, KEY_FOR_WRITE, `${sid}Key`),
  ];
}

/**
 * The warehouse's COPY role: reads the loaders' staging folders (through a manifest, so no listing) and decrypts
 * them through S3 with the zone's key, nothing else.
 */
export function copyReadStatements(sources: readonly PrefixAccess[], sid = "CopyRead"): Statement[] {
  return sources.flatMap((a, i) => [
    { Sid: `${sid}Objects${i}`, Effect: "Allow", Action: "s3:GetObject", Resource: `${a.bucketArn}/${a.prefix}*` },
    s3Key(a.keyArn, a.bucketArn, a.region, ["kms:Decrypt"], `${sid}Key${i}`),
  ]);
}

/** Write-only under one prefix (the pipeline runner publishing marts to the analytics zone). */
export function prefixWriteStatements(a: PrefixAccess, sid = "Publish"): Statement[] {
  return [
    { Sid: `${sid}Objects`, Effect: "Allow", Action: "s3:PutObject", Resource: `${a.bucketArn}/${a.prefix}*` },
    s3Key(a.keyArn, a.bucketArn, a.region, KEY_FOR_WRITE, `${sid}Key`),
  ];
}

/** One secret, decrypted through Secrets Manager only. */
export function secretReadStatements(
  secretArn: string,
  region: string,
  secretKeyArn?: string,
  sid = "Secret",
): Statement[] {
  const out: Statement[] = [
    { Sid: sid, Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn },
  ];
  if (secretKeyArn) {
    out.push({
      Sid: `${sid}Key`,
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: secretKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
    });
  }
  return out;
}

/**
 * The shared idempotency table, restricted to items whose key starts with the function's own name (Powertools
 * keys are `<keyPrefix>#<hash>`, and the handlers use the function name as the prefix).
 */
export function idempotencyStatements(
  tableArn: string,
  functionName: string,
  keyArn: string,
  region: string,
): Statement[] {
  return [
    {
      Sid: "IdempotencyItems",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      Resource: tableArn,
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${functionName}#*`] } },
    },
    {
      Sid: "IdempotencyKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": `dynamodb.${region}.amazonaws.com` } },
    },
  ];
}

/** Consume one queue (the SQS event source mapping polls with the function's role). */
export function queueConsumeStatements(queueArn: string, keyArn: string, region: string): Statement[] {
  return [
    {
      Sid: "ConsumeQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
      Resource: queueArn,
    },
    {
      Sid: "QueueKey",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } },
    },
  ];
}

/** Send to one queue: for producers of a queue source, and for on-failure destinations. */
export function queueSendStatements(queueArn: string, keyArn: string, region: string, sid = "SendQueue"): Statement[] {
  return [
    { Sid: sid, Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn },
    {
      Sid: `${sid}Key`,
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } },
    },
  ];
}

/** Read one table's stream (the DynamoDB event source mapping reads with the function's role). */
export function streamReadStatements(tableArn: string, keyArn: string, region: string): Statement[] {
  return [
    {
      Sid: "ReadStream",
      Effect: "Allow",
      Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
      Resource: `${tableArn}/stream/*`,
    },
    // ListStreams names no resource (AWS accepts only "*"); it returns stream ARNs, not records.
    { Sid: "ListStreams", Effect: "Allow", Action: "dynamodb:ListStreams", Resource: "*" },
    {
      Sid: "StreamKey",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": `dynamodb.${region}.amazonaws.com` } },
    },
  ];
}
