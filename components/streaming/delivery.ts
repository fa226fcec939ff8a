import { z } from "zod";
import type { PolicyStatement } from "../functions/types";
import type { Environment } from "../core/types";
import { consumeStatements, kafkaArns } from "./iam";

// Topic → lake delivery with Amazon Data Firehose reading MSK. Firehose reaches a cluster privately only through
// MSK multi-VPC private connectivity (IAM authentication), which kafka.t3.small brokers do not support; such
// clusters are refused in config with that reason.

/** Broker types MSK multi-VPC private connectivity (hence Firehose's private MSK source) does not support. */
export const NO_PRIVATE_CONNECTIVITY = ["kafka.t3.small"] as const;

export const deliverySchema = z.strictObject({
  /** Seconds Firehose buffers before writing an object. @default profile (dev 900, staging 300, prod 60) */
  bufferSeconds: z.number().int().min(0).max(900).optional(),
  /** MiB Firehose buffers before writing an object. @default profile (dev 128, staging 64, prod 64) */
  bufferMb: z.number().int().min(1).max(128).optional(),
  /** Alarm when the oldest record waits longer than this in Firehose. @default bufferSeconds + 600 */
  maxAgeSeconds: z.number().int().min(60).max(86_400).optional(),
});
export type DeliveryInput = z.input<typeof deliverySchema>;

export interface DeliveryConfig {
  readonly bufferSeconds: number;
  readonly bufferMb: number;
  readonly maxAgeSeconds: number;
}

/** dev: the fewest, largest objects (cheapest); prod: records in the lake about a minute after they are produced. */
export const DELIVERY_PROFILES: Record<Environment, Omit<DeliveryConfig, "maxAgeSeconds">> = {
  dev: { bufferSeconds: 900, bufferMb: 128 },
  staging: { bufferSeconds: 300, bufferMb: 64 },
  prod: { bufferSeconds: 60, bufferMb: 64 },
};

export function resolveDelivery(
  input: DeliveryInput | undefined,
  environment: Environment,
): DeliveryConfig | undefined {
  if (!input) return undefined;
  const p = DELIVERY_PROFILES[environment];
  const bufferSeconds = input.bufferSeconds ?? p.bufferSeconds;
  return {
    bufferSeconds,
    bufferMb: input.bufferMb ?? p.bufferMb,
    maxAgeSeconds: input.maxAgeSeconds ?? bufferSeconds + 600,
  };
}

/** Why a cluster cannot feed Firehose privately, or undefined when it can. */
export function deliveryRefusal(engine: string, instanceType: string): string | undefined {
  if (engine === "msk" && (NO_PRIVATE_CONNECTIVITY as readonly string[]).includes(instanceType))
    return (
      `Firehose reads MSK privately through multi-VPC private connectivity, which ${instanceType} brokers do not ` +
      "support; use kafka.m7g.large (or larger) brokers, or msk-serverless"
    );
  return undefined;
}

/** Where a topic's records land in the raw zone: `<domain>/topic=<topic>/dt=YYYY-MM-DD/`, errors beside them. */
export function deliveryPrefixes(
  domain: string,
  topic: string,
  root = "",
): { root: string; data: string; errors: string } {
  const base = `${root}${domain}/topic=${topic}/`;
  return {
    root: base,
    data: `${base}dt=!{timestamp:yyyy-MM-dd}/`,
    errors: `${base}_errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
  };
}

export interface DeliveryAccess {
  readonly clusterArn: string;
  readonly topic: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  /** The topic's raw prefix, ending in `/`. */
  readonly prefix: string;
  readonly logGroupArn: string;
  readonly region: string;
}

/**
 * The delivery's role: read its one topic (Firehose's own consumer group lives under the topic's groups), find the
 * cluster's brokers, write only under the topic's raw prefix with the zone key through S3, and log its errors.
 */
export function deliveryRoleStatements(a: DeliveryAccess): PolicyStatement[] {
  const arns = kafkaArns(a.clusterArn);
  return [
    ...consumeStatements(a.clusterArn, a.topic),
    {
      Sid: "Brokers",
      Effect: "Allow",
      Action: ["kafka:DescribeCluster", "kafka:DescribeClusterV2"],
      Resource: arns.cluster,
    },
    // Broker discovery names no resource: IAM accepts only "*" for it.
    { Sid: "BrokerDiscovery", Effect: "Allow", Action: "kafka:GetBootstrapBrokers", Resource: "*" },
    {
      Sid: "TopicConfig",
      Effect: "Allow",
      Action: "kafka-cluster:DescribeTopicDynamicConfiguration",
      Resource: arns.topic(a.topic),
    },
    {
      Sid: "LakeObjects",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
      Resource: `${a.bucketArn}/${a.prefix}*`,
    },
    {
      Sid: "LakeBucket",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
      Resource: a.bucketArn,
    },
    {
      Sid: "LakeList",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: a.bucketArn,
      Condition: { StringLike: { "s3:prefix": `${a.prefix}*` } },
    },
    {
      Sid: "LakeKey",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: a.keyArn,
      Condition: {
        StringEquals: {
          "kms:ViaService": `s3.${a.region}.amazonaws.com`,
          "kms:EncryptionContext:aws:s3:arn": a.bucketArn,
        },
      },
    },
    { Sid: "ErrorLogs", Effect: "Allow", Action: "logs:PutLogEvents", Resource: `${a.logGroupArn}:*` },
  ];
}

/** The cluster policy that lets Firehose create its private connection to the cluster (multi-VPC connectivity). */
export function firehoseClusterPolicy(clusterArn: string, accountId: string) {
  return {
    Version: "2012-10-17" as const,
    Statement: [
      {
        Sid: "FirehosePrivateConnectivity",
        Effect: "Allow" as const,
        Principal: { Service: "firehose.amazonaws.com" },
        Action: ["kafka:CreateVpcConnection", "kafka:DescribeCluster", "kafka:DescribeClusterV2"],
        Resource: clusterArn,
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}
