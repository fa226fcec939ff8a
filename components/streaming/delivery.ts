import { z } from "zod";
import { prefixObjectStatements } from "../functions/statements";
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
  /**
   * An Iceberg dataset of the topic's domain (curated or analytics zone) to deliver into, columns matched by name;
   * records it cannot take go under the topic's `_errors/` prefix of the raw zone. @default the raw zone
   */
  table: z.string().min(1).optional(),
});
export type DeliveryInput = z.input<typeof deliverySchema>;

export interface DeliveryConfig {
  readonly bufferSeconds: number;
  readonly bufferMb: number;
  readonly maxAgeSeconds: number;
  /** The Iceberg dataset it writes; absent: the raw zone. */
  readonly table?: string;
}

/** dev: the fewest, largest objects (cheapest); prod: records in the lake about a minute after they are produced. */
export const DELIVERY_PROFILES: Record<Environment, Omit<DeliveryConfig, "maxAgeSeconds" | "table">> = {
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
    ...(input.table ? { table: input.table } : {}),
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
    ...prefixObjectStatements(
      { bucketArn: a.bucketArn, keyArn: a.keyArn, prefix: a.prefix, region: a.region },
      ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
      "Lake",
      ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
    ),
    { Sid: "ErrorLogs", Effect: "Allow", Action: "logs:PutLogEvents", Resource: `${a.logGroupArn}:*` },
  ];
}

/** The Iceberg table a delivery writes: its Glue entries, its files' prefix and its zone. */
export interface DeliveryTableAccess {
  /** `arn:aws:glue:<region>:<account>`. */
  readonly glueArn: string;
  readonly database: string;
  readonly table: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  /** The table's prefix, ending in `/`. */
  readonly prefix: string;
  readonly region: string;
}

/**
 * What Firehose needs to commit to one Iceberg table and nothing more: read and update that table's Glue entry
 * (each commit swaps its metadata pointer), write, read and remove files under the table's prefix with its zone's
 * key, and take Lake Formation's credentials for it (the table grant names the table only).
 */
export function deliveryTableStatements(t: DeliveryTableAccess): PolicyStatement[] {
  return [
    {
      Sid: "IcebergTable",
      Effect: "Allow",
      Action: ["glue:GetTable", "glue:GetDatabase", "glue:UpdateTable"],
      Resource: [
        `${t.glueArn}:catalog`,
        `${t.glueArn}:database/${t.database}`,
        `${t.glueArn}:table/${t.database}/${t.table}`,
      ],
    },
    ...prefixObjectStatements(
      { bucketArn: t.bucketArn, keyArn: t.keyArn, prefix: t.prefix, region: t.region },
      ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
      "TableFiles",
      ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
    ),
    { Sid: "LakeFormationCredentials", Effect: "Allow", Action: "lakeformation:GetDataAccess", Resource: "*" },
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

/** Cross-checks of deliveries into tables: each names an Iceberg dataset of its topic's domain, outside the raw zone. */
export function deliveryTableProblems(
  topics: readonly {
    readonly name: string;
    readonly domain: string;
    readonly delivery?: { readonly table?: string };
  }[],
  domains: readonly {
    readonly name: string;
    readonly datasets?: readonly { readonly name: string; readonly zone: string; readonly format?: string }[];
  }[],
  at: (path: string, message: string) => void,
): void {
  topics.forEach((t, i) => {
    const name = t.delivery?.table;
    if (name === undefined) return;
    const ds = domains.find((d) => d.name === t.domain)?.datasets?.find((d) => d.name === name);
    const path = `topics[${i}].delivery.table`;
    if (!ds) at(path, `'${name}' is not a dataset of domain '${t.domain}' (domains[].datasets)`);
    else if (ds.zone === "raw" || (ds.format ?? "iceberg") !== "iceberg")
      at(path, `'${name}' must be an Iceberg dataset in the curated or analytics zone`);
  });
}
