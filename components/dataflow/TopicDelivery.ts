import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { doc, platformRole, serviceTrust } from "../core/iam";
import { dataTags } from "../core/tags";
import type { PlatformContext, SecurityRefs } from "../core/types";
import type { LakeZoneRef } from "../ingestion/types";
import type { AlarmSpec } from "../observability/alarms";
import { declareAlarms } from "../observability/Monitoring";
import type { TopicConfig } from "../streaming/config";
import {
  DeliveryConfig,
  deliveryPrefixes,
  deliveryRoleStatements,
  deliveryTableStatements,
} from "../streaming/delivery";

/** Lake Formation permissions Firehose needs on the table it commits to (appends and metadata swaps). */
export const DELIVERY_TABLE_PERMISSIONS = ["SELECT", "INSERT", "ALTER", "DESCRIBE"] as const;

/** The Iceberg table a delivery writes (a dataset of the topic's domain, declared by the catalog). */
export interface DeliveryTableRef {
  /** The table's zone: its bucket and key. */
  readonly zone: Pick<LakeZoneRef, "bucketArn" | "keyArn">;
  /** The table's prefix in that bucket, ending in `/`. */
  readonly prefix: string;
  readonly databaseName: pulumi.Input<string>;
  /** The catalog's table name (its output, so the stream is created after the table). */
  readonly tableName: pulumi.Input<string>;
}

export interface TopicDeliveryArgs {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  readonly security: SecurityRefs;
  readonly clusterArn: pulumi.Input<string>;
  readonly topic: TopicConfig & { readonly delivery: DeliveryConfig };
  /** The raw zone of the topic's domain (the delivery, or its errors when it writes a table). */
  readonly raw: LakeZoneRef;
  /** Required when `topic.delivery.table` is set. */
  readonly table?: DeliveryTableRef;
  readonly alertsTopicArn: pulumi.Input<string>;
  /** @default 30 */
  readonly logRetentionDays?: number;
}

/**
 * Freshness (the path's latency: the oldest record not yet in S3, or not yet committed to the table) and failed
 * deliveries (a failed S3 write; rows the table refused, kept under `_errors/`).
 */
export function deliveryAlarmSpecs(
  topic: string,
  streamName: pulumi.Input<string>,
  d: Pick<DeliveryConfig, "maxAgeSeconds" | "table">,
): AlarmSpec[] {
  const label = `delivery-${topic.replace(/\./g, "-")}`;
  const common = { namespace: "AWS/Firehose", dimensions: { DeliveryStreamName: streamName }, period: 300 } as const;
  const target = d.table ? `${topic} → ${d.table}` : `${topic} → lake`;
  const failed: Pick<AlarmSpec, "metricName" | "statistic" | "threshold" | "comparisonOperator"> = d.table
    ? // Rows the table refused: any is an alarm (they wait under _errors/).
      {
        metricName: "DeliveryToIceberg.FailedRowCount",
        statistic: "Sum",
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
      }
    : // S3 writes that failed: the success ratio below 1.
      {
        metricName: "DeliveryToS3.Success",
        statistic: "Average",
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
      };
  return [
    {
      ...common,
      id: `${label}-freshness`,
      description: `${target}: the oldest record has waited more than ${d.maxAgeSeconds}s to ${d.table ? "be committed to the table" : "reach S3"}. Check the stream's error log and the _errors/ prefix.`,
      metricName: d.table ? "DeliveryToIceberg.DataFreshness" : "DeliveryToS3.DataFreshness",
      statistic: "Maximum",
      evaluationPeriods: 2,
      threshold: d.maxAgeSeconds,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    },
    {
      ...common,
      ...failed,
      id: `${label}-errors`,
      description: d.table
        ? `${target}: rows the table did not take in 5 minutes went under the topic's _errors/ prefix of the raw zone. Check the stream's error log.`
        : `${target}: some deliveries to S3 failed in 5 minutes; Firehose retries, then writes the records under _errors/. Check the stream's error log.`,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
  ];
}

/**
 * A topic delivered into its domain's lake (data-platform:streaming:TopicDelivery): Firehose reads the topic from MSK
 * privately with IAM authentication and writes GZIP JSON lines under `<domain>/topic=<topic>/dt=…/` of the raw zone
 * with the zone's key, or commits them to a declared Iceberg table; records it cannot deliver go under `_errors/`,
 * never dropped. A role per delivery reads only its topic and writes only its prefix or its table.
 */
export class TopicDelivery extends pulumi.ComponentResource {
  readonly streamArn: pulumi.Output<string>;
  readonly streamName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: TopicDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:streaming:TopicDelivery", name, {}, opts);
    const { ctx, topic, raw, table } = args;
    const d = topic.delivery;
    if (d.table && !table) throw new Error(`topic ${topic.name}: delivery into '${d.table}' needs the table's refs`);
    const p = { parent: this };
    const tags = dataTags(ctx, topic.domain, topic.classification, {
      component: "streaming",
      "data-platform:topic": topic.name,
    });
    const streamName = `${ctx.prefix}-${topic.name.replace(/[^a-zA-Z0-9_-]/g, "-")}`.slice(0, 64);
    const prefixes = deliveryPrefixes(topic.domain, topic.name, raw.root ?? "");

    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/kinesisfirehose/${streamName}`,
        retentionInDays: args.logRetentionDays ?? 30,
        kmsKeyId: args.security.keyArns[topic.classification],
        tags,
      },
      p,
    );
    const logStream = new aws.cloudwatch.LogStream(
      `${name}-errors`,
      { name: "DestinationDelivery", logGroupName: logs.name },
      p,
    );
    const tableRefs: pulumi.Output<string[]> = table
      ? pulumi.all([table.zone.bucketArn, table.zone.keyArn, table.databaseName, table.tableName])
      : pulumi.output([]);
    const { role, policy } = platformRole(
      `${name}-role`,
      {
        ctx,
        permissionsBoundaryArn: args.security.permissionsBoundaryArn,
        assumeRolePolicy: pulumi.output(args.accountId).apply((a) => serviceTrust("firehose.amazonaws.com", a)),
        policy: pulumi
          .all([pulumi.all([args.clusterArn, raw.bucketArn, raw.keyArn, logs.arn, args.accountId]), tableRefs])
          .apply(([[clusterArn, bucketArn, keyArn, logGroupArn, account], t]) =>
            doc(
              ...deliveryRoleStatements({
                clusterArn,
                topic: topic.name,
                bucketArn,
                keyArn,
                prefix: prefixes.root,
                logGroupArn,
                region: ctx.region,
              }),
              ...(table && t.length === 4
                ? deliveryTableStatements({
                    glueArn: `arn:aws:glue:${ctx.region}:${account}`,
                    bucketArn: t[0],
                    keyArn: t[1],
                    database: t[2],
                    table: t[3],
                    prefix: table.prefix,
                    region: ctx.region,
                  })
                : []),
            ),
          ),
        tags,
        description: d.table
          ? `Firehose delivery of ${topic.name}: reads the topic, writes the ${d.table} table (errors: ${prefixes.root})`
          : `Firehose delivery of ${topic.name}: reads the topic, writes ${prefixes.root} of the raw zone`,
      },
      p,
    );
    // Lake Formation governs the catalog: the role may commit to its one table, by name, and re-grant nothing.
    const grant =
      table &&
      new aws.lakeformation.Permissions(
        `${name}-table`,
        {
          principal: role.arn,
          permissions: [...DELIVERY_TABLE_PERMISSIONS],
          table: { databaseName: table.databaseName, name: table.tableName },
        },
        p,
      );
    const logging = { enabled: true, logGroupName: logs.name, logStreamName: logStream.name };
    const stream = new aws.kinesis.FirehoseDeliveryStream(
      `${name}-stream`,
      {
        name: streamName,
        mskSourceConfiguration: {
          mskClusterArn: args.clusterArn,
          topicName: topic.name,
          authenticationConfiguration: { connectivity: "PRIVATE", roleArn: role.arn },
        },
        ...destination({ ctx, accountId: args.accountId, d, raw, table, prefixes, roleArn: role.arn, logging }),
        tags,
      },
      // The role's policy must exist before Firehose checks what the role may do.
      { ...p, dependsOn: [...(policy ? [policy] : []), ...(grant ? [grant] : [])] },
    );
    this.alarms = declareAlarms(
      name,
      deliveryAlarmSpecs(topic.name, stream.name, d),
      { prefix: ctx.prefix, alertsTopicArn: args.alertsTopicArn, tags },
      this,
    );
    this.streamArn = stream.arn;
    this.streamName = stream.name;
    this.roleArn = role.arn;
    this.registerOutputs({ streamArn: this.streamArn });
  }
}

interface DestinationInput {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  readonly d: DeliveryConfig;
  readonly raw: LakeZoneRef;
  readonly table?: DeliveryTableRef;
  readonly prefixes: ReturnType<typeof deliveryPrefixes>;
  readonly roleArn: pulumi.Input<string>;
  readonly logging: { enabled: boolean; logGroupName: pulumi.Input<string>; logStreamName: pulumi.Input<string> };
}

/**
 * Where the stream writes. Raw zone: GZIP JSON lines under the topic's prefix, one record per line. Iceberg table:
 * rows committed to the table through the Glue catalog (append only: topics carry events, not upserts), and rows it
 * cannot take kept under the topic's `_errors/` prefix of the raw zone with the zone's key, never dropped.
 */
function destination(i: DestinationInput): Partial<aws.kinesis.FirehoseDeliveryStreamArgs> & { destination: string } {
  const { d, raw, prefixes } = i;
  if (!i.table)
    return {
      destination: "extended_s3",
      extendedS3Configuration: {
        roleArn: i.roleArn,
        bucketArn: raw.bucketArn,
        prefix: prefixes.data,
        errorOutputPrefix: prefixes.errors,
        bufferingInterval: d.bufferSeconds,
        bufferingSize: d.bufferMb,
        compressionFormat: "GZIP",
        // Kafka values arrive without separators: one record per line makes the objects JSON lines, which the
        // topic's raw table (and any JSON reader) can split.
        processingConfiguration: { enabled: true, processors: [{ type: "AppendDelimiterToRecord" }] },
        kmsKeyArn: raw.keyArn,
        cloudwatchLoggingOptions: i.logging,
      },
    };
  return {
    destination: "iceberg",
    icebergConfiguration: {
      roleArn: i.roleArn,
      catalogArn: pulumi.interpolate`arn:aws:glue:${i.ctx.region}:${i.accountId}:catalog`,
      bufferingInterval: d.bufferSeconds,
      bufferingSize: d.bufferMb,
      appendOnly: true,
      destinationTableConfigurations: [
        { databaseName: i.table.databaseName, tableName: i.table.tableName, s3ErrorOutputPrefix: prefixes.errors },
      ],
      s3BackupMode: "FailedDataOnly",
      s3Configuration: {
        roleArn: i.roleArn,
        bucketArn: raw.bucketArn,
        prefix: prefixes.data,
        errorOutputPrefix: prefixes.errors,
        compressionFormat: "GZIP",
        kmsKeyArn: raw.keyArn,
      },
      cloudwatchLoggingOptions: i.logging,
    },
  };
}
