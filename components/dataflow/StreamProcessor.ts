import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dataTags } from "../core/tags";
import type { PlatformContext, SecurityRefs } from "../core/types";
import { PlatformFunction } from "../functions/function";
import { rawWriteStatements } from "../functions/statements";
import type { PolicyStatement } from "../functions/types";
import { HANDLERS } from "../ingestion/entries";
import type { LakeZoneRef } from "../ingestion/types";
import type { AlarmSpec } from "../observability/alarms";
import { declareAlarms } from "../observability/Monitoring";
import type { TopicConfig } from "../streaming/config";
import { consumeStatements, kafkaArns } from "../streaming/iam";
import { ProcessorConfig, processorGroup, processorRoot } from "../streaming/processors";

export interface StreamProcessorArgs {
  readonly ctx: PlatformContext;
  readonly security: SecurityRefs;
  readonly clusterArn: pulumi.Input<string>;
  readonly clusterName: pulumi.Input<string>;
  readonly processor: ProcessorConfig;
  /** The consumed topic; its schema validates every record. */
  readonly topic: TopicConfig & { readonly schema: Readonly<Record<string, unknown>> };
  /** The raw zone of the topic's domain. */
  readonly raw: LakeZoneRef;
  readonly alertsTopicArn: pulumi.Input<string>;
  readonly logRetentionDays?: number;
}

/**
 * What the processor's role may do: consume its one topic in its one consumer group, find the brokers, let Lambda's
 * pollers reach the cluster's network, and write only its raw prefix.
 */
export function processorStatements(clusterArn: string, p: Pick<ProcessorConfig, "topic" | "name">): PolicyStatement[] {
  return [
    ...consumeStatements(clusterArn, p.topic, processorGroup(p.topic, p.name)),
    {
      Sid: "Brokers",
      Effect: "Allow",
      Action: ["kafka:DescribeCluster", "kafka:DescribeClusterV2"],
      Resource: kafkaArns(clusterArn).cluster,
    },
    // Broker discovery and the pollers' network interfaces name no resource: IAM accepts only "*" for them.
    {
      Sid: "PollerNetwork",
      Effect: "Allow",
      Action: [
        "kafka:GetBootstrapBrokers",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
      ],
      Resource: "*",
    },
  ];
}

/** The processor's latency: how far its consumer group is behind the topic (MSK's estimated time lag). */
export function processorAlarmSpecs(
  p: Pick<ProcessorConfig, "name" | "topic" | "maxLagSeconds">,
  clusterName: pulumi.Input<string>,
): AlarmSpec[] {
  return [
    {
      id: `processor-${p.name}-lag`,
      description: `Stream processor ${p.name} is more than ${p.maxLagSeconds}s behind ${p.topic}, or stopped consuming. Check its function's errors and the mapping's state; batches it gave up on are in its dead-letter queue.`,
      namespace: "AWS/Kafka",
      metricName: "EstimatedMaxTimeLag",
      dimensions: { "Cluster Name": clusterName, "Consumer Group": processorGroup(p.topic, p.name), Topic: p.topic },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 2,
      threshold: p.maxLagSeconds,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    },
  ];
}

/**
 * A stream processor (data-platform:streaming:StreamProcessor): a function triggered by one topic through a Lambda
 * event source mapping on MSK (IAM authentication, consumer group `<topic>.<name>`). It validates each record
 * against the topic's schema, writes accepted ones under `<domain>/processor=<name>/`, parks the others under
 * `_rejected/` with their reasons, and batches Lambda gives up on go to the mapping's on-failure destination.
 */
export class StreamProcessor extends pulumi.ComponentResource {
  readonly fn: PlatformFunction;
  readonly mapping: aws.lambda.EventSourceMapping;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: StreamProcessorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:streaming:StreamProcessor", name, {}, opts);
    const { ctx, processor: proc, topic, raw } = args;
    const p = { parent: this };
    const tags = dataTags(ctx, topic.domain, topic.classification, {
      component: "streaming",
      "data-platform:topic": topic.name,
      "data-platform:processor": proc.name,
    });
    const root = processorRoot(topic.domain, proc.name, raw.root ?? "");
    const keyArn = args.security.keyArns[topic.classification];
    const statements = pulumi
      .all([args.clusterArn, raw.bucketArn, raw.keyArn])
      .apply(([clusterArn, bucketArn, zoneKey]) => [
        ...processorStatements(clusterArn, proc),
        ...rawWriteStatements({ bucketArn, keyArn: zoneKey, prefix: root, region: ctx.region }),
      ]);
    this.fn = new PlatformFunction(
      `${name}-fn`,
      {
        ctx,
        entry: HANDLERS.processor,
        functionName: `processor-${proc.name}`,
        description: `Stream processor ${proc.name}: ${topic.name} → ${root}`,
        tags,
        statements,
        permissionsBoundaryArn: args.security.permissionsBoundaryArn,
        kmsKeyArn: keyArn,
        environment: { RAW_BUCKET: raw.bucketName, RAW_KEY_ARN: raw.keyArn },
        files: {
          "source.json": JSON.stringify({
            name: proc.name,
            domain: topic.domain,
            root,
            topic: topic.name,
            schema: topic.schema,
          }),
        },
        memoryMb: proc.memoryMb,
        timeoutSeconds: proc.timeoutSeconds,
        reservedConcurrency: proc.reservedConcurrency,
        logRetentionDays: args.logRetentionDays,
      },
      p,
    );
    const provisioned = proc.pollers !== undefined;
    this.mapping = new aws.lambda.EventSourceMapping(
      `${name}-mapping`,
      {
        eventSourceArn: args.clusterArn,
        functionName: this.fn.functionArn,
        topics: [topic.name],
        startingPosition: "TRIM_HORIZON",
        batchSize: proc.batchSize,
        maximumBatchingWindowInSeconds: proc.batchWindowSeconds,
        amazonManagedKafkaEventSourceConfig: { consumerGroupId: processorGroup(topic.name, proc.name) },
        // Batches Lambda gives up on (metadata: topic, partition, offsets) are kept for replay, never dropped.
        destinationConfig: { onFailure: { destinationArn: this.fn.deadLetterTargetArn } },
        // Dedicated pollers bound the retries of a failing batch; on-demand pollers retry it until it succeeds.
        ...(provisioned
          ? {
              provisionedPollerConfig: {
                minimumPollers: proc.pollers!.minimum,
                maximumPollers: proc.pollers!.maximum,
              },
              maximumRetryAttempts: proc.maximumRetryAttempts,
            }
          : {}),
        tags,
      },
      p,
    );
    this.alarms = declareAlarms(
      name,
      processorAlarmSpecs(proc, args.clusterName),
      { prefix: ctx.prefix, alertsTopicArn: args.alertsTopicArn, tags },
      this,
    );
    this.registerOutputs({ functionName: this.fn.functionName, mappingUuid: this.mapping.uuid });
  }
}
