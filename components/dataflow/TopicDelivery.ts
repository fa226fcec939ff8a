import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { doc, platformRole, serviceTrust } from "../core/iam";
import { dataTags } from "../core/tags";
import type { PlatformContext, SecurityRefs } from "../core/types";
import type { LakeZoneRef } from "../ingestion/types";
import type { AlarmSpec } from "../observability/alarms";
import { declareAlarms } from "../observability/Monitoring";
import type { TopicConfig } from "../streaming/config";
import { DeliveryConfig, deliveryPrefixes, deliveryRoleStatements } from "../streaming/delivery";

export interface TopicDeliveryArgs {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  readonly security: SecurityRefs;
  readonly clusterArn: pulumi.Input<string>;
  readonly topic: TopicConfig & { readonly delivery: DeliveryConfig };
  /** The raw zone of the topic's domain. */
  readonly raw: LakeZoneRef;
  readonly alertsTopicArn: pulumi.Input<string>;
  /** @default 30 */
  readonly logRetentionDays?: number;
}

/** Freshness (the path's latency: oldest record not yet in S3) and failed deliveries. */
export function deliveryAlarmSpecs(
  topic: string,
  streamName: pulumi.Input<string>,
  d: Pick<DeliveryConfig, "maxAgeSeconds">,
): AlarmSpec[] {
  const label = `delivery-${topic.replace(/\./g, "-")}`;
  const dimensions = { DeliveryStreamName: streamName };
  return [
    {
      id: `${label}-freshness`,
      description: `${topic} → lake: the oldest record has waited more than ${d.maxAgeSeconds}s to reach S3. Check the stream's error log and the _errors/ prefix.`,
      namespace: "AWS/Firehose",
      metricName: "DeliveryToS3.DataFreshness",
      dimensions,
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 2,
      threshold: d.maxAgeSeconds,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    },
    {
      id: `${label}-errors`,
      description: `${topic} → lake: some deliveries to S3 failed in 5 minutes; Firehose retries, then writes the records under _errors/. Check the stream's error log.`,
      namespace: "AWS/Firehose",
      metricName: "DeliveryToS3.Success",
      dimensions,
      statistic: "Average",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "notBreaching",
    },
  ];
}

/**
 * A topic delivered into its domain's raw zone (data-platform:streaming:TopicDelivery): Firehose reads the topic
 * from MSK privately with IAM authentication and writes GZIP JSON lines under `<domain>/topic=<topic>/dt=…/` with
 * the zone's key; records it cannot deliver go under `_errors/`, never dropped. A role per delivery reads only its
 * topic and writes only its prefix.
 */
export class TopicDelivery extends pulumi.ComponentResource {
  readonly streamArn: pulumi.Output<string>;
  readonly streamName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: TopicDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:streaming:TopicDelivery", name, {}, opts);
    const { ctx, topic, raw } = args;
    const d = topic.delivery;
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
    const { role, policy } = platformRole(
      `${name}-role`,
      {
        ctx,
        permissionsBoundaryArn: args.security.permissionsBoundaryArn,
        assumeRolePolicy: pulumi.output(args.accountId).apply((a) => serviceTrust("firehose.amazonaws.com", a)),
        policy: pulumi
          .all([args.clusterArn, raw.bucketArn, raw.keyArn, logs.arn])
          .apply(([clusterArn, bucketArn, keyArn, logGroupArn]) =>
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
            ),
          ),
        tags,
        description: `Firehose delivery of ${topic.name}: reads the topic, writes ${prefixes.root} of the raw zone`,
      },
      p,
    );
    const stream = new aws.kinesis.FirehoseDeliveryStream(
      `${name}-stream`,
      {
        name: streamName,
        destination: "extended_s3",
        mskSourceConfiguration: {
          mskClusterArn: args.clusterArn,
          topicName: topic.name,
          authenticationConfiguration: { connectivity: "PRIVATE", roleArn: role.arn },
        },
        extendedS3Configuration: {
          roleArn: role.arn,
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
          cloudwatchLoggingOptions: { enabled: true, logGroupName: logs.name, logStreamName: logStream.name },
        },
        tags,
      },
      // The role's policy must exist before Firehose checks what the role may do.
      { ...p, dependsOn: policy ? [policy] : [] },
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
