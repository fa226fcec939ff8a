import type * as pulumi from "@pulumi/pulumi";
import type { AlarmSpec } from "../observability/alarms";
import type { At } from "./config-fields";
import { sparkApplicationSpec, SparkApplication, SparkPlatform, SPARK_API_VERSION } from "./spark";
import { ResolvedSparkStream, RESERVED_SPARK_CONF } from "./spark-config";

// `platform.compute.spark.streams`: long-running Spark Structured Streaming applications. Each reads one Kafka topic
// with IAM authentication as its domain's identity, writes one Iceberg table of its domain, checkpoints under the
// domain's prefix of that table's zone, and is restarted by the operator whenever it stops.

/** Settings the platform hands a streaming application (read them with `spark.conf.get`). */
export const STREAM_CONF = "spark.data-platform.stream";

/** Where a stream's checkpoints live: under its domain's prefix of its table's zone, beside the table's data. */
export const checkpointPrefix = (domainPrefix: string, stream: string) => `${domainPrefix}_checkpoints/${stream}/`;

export interface StreamPlatform extends SparkPlatform {
  /** `s3a://bucket/<domain prefix>` of the table's zone, ending in `/`. */
  readonly zoneUri: string;
  readonly bootstrapBrokers: string;
  /** `<glue database>.<table>` of the Iceberg table. */
  readonly table: string;
}

/**
 * The SparkApplication of a stream: runs until stopped (restart policy Always, with back-off), checkpoints to S3,
 * and receives its topic, consumer group, table and trigger as `spark.data-platform.stream.*` settings.
 */
export function streamingSparkApplication(s: ResolvedSparkStream, pl: StreamPlatform): SparkApplication {
  const spec = sparkApplicationSpec(s.app, pl);
  const checkpoint = `${pl.zoneUri}${checkpointPrefix("", s.name)}`;
  return {
    apiVersion: SPARK_API_VERSION,
    kind: "SparkApplication",
    metadata: {
      name: s.name,
      namespace: pl.namespace,
      labels: { ...pl.labels, "data-platform/domain": s.domain, "data-platform/mode": "streaming" },
    },
    spec: {
      ...spec,
      sparkConf: {
        ...spec.sparkConf,
        "spark.sql.streaming.checkpointLocation": checkpoint,
        [`${STREAM_CONF}.topic`]: s.topic,
        [`${STREAM_CONF}.bootstrapServers`]: pl.bootstrapBrokers,
        // The consumer group sits under the topic's groups, which the domain identity's Kafka grant covers.
        [`${STREAM_CONF}.groupId`]: `${s.topic}.${s.name}`,
        [`${STREAM_CONF}.table`]: pl.table,
        [`${STREAM_CONF}.triggerSeconds`]: String(s.triggerSeconds),
      },
      restartPolicy: {
        type: "Always",
        onFailureRetryInterval: 30,
        onSubmissionFailureRetryInterval: 60,
      },
    },
  };
}

/** Cross-checks of the streams against the declared domains, topics and datasets. */
export function sparkStreamProblems(
  streams: readonly ResolvedSparkStream[],
  ctx: {
    readonly domains: readonly {
      readonly name: string;
      readonly datasets?: readonly { readonly name: string; readonly zone: string; readonly format?: string }[];
    }[];
    readonly topics: readonly { readonly name: string; readonly domain: string }[];
    readonly jobs: readonly { readonly name: string }[];
  },
  at: At,
): void {
  const seen = new Set(ctx.jobs.map((j) => j.name));
  streams.forEach((s, i) => {
    const path = `spark.streams[${i}]`;
    if (seen.has(s.name)) at(`${path}.name`, `'${s.name}' is already a job or stream name`);
    seen.add(s.name);
    const domain = ctx.domains.find((d) => d.name === s.domain);
    if (!domain) at(`${path}.domain`, `'${s.domain}' is not a declared domain`);
    const topic = ctx.topics.find((t) => t.name === s.topic);
    if (!topic) at(`${path}.topic`, `'${s.topic}' is not a declared topic (streaming.topics)`);
    else if (topic.domain !== s.domain)
      at(`${path}.topic`, `belongs to domain '${topic.domain}'; a stream reads only its own domain's topics`);
    const table = domain?.datasets?.find((d) => d.name === s.table);
    if (domain && !table) at(`${path}.table`, `'${s.table}' is not a dataset of domain '${s.domain}'`);
    else if (table && (table.zone === "raw" || (table.format ?? "iceberg") !== "iceberg"))
      at(`${path}.table`, `'${s.table}' must be an Iceberg dataset in the curated or analytics zone`);
    for (const key of Object.keys(s.app.sparkConf))
      if (
        RESERVED_SPARK_CONF.some((r) => r.test(key)) ||
        key.startsWith(`${STREAM_CONF}.`) ||
        key.startsWith("spark.sql.streaming.checkpoint")
      )
        at(`${path}.sparkConf.${key}`, "is set by the platform and cannot be overridden");
  });
}

/**
 * The stream's own latency signal: the micro-batches it commits, counted by S3 request metrics on its checkpoint's
 * `commits/` prefix (one object per batch). None for 15 minutes (or three triggers): the application is not running.
 * Fewer than half the batches its trigger allows: batches take more than twice the trigger, the stream falls behind.
 * A topic that receives nothing also commits nothing (Spark skips empty batches); the alarm text says so.
 */
export function streamAlarmSpecs(
  s: Pick<ResolvedSparkStream, "name" | "topic" | "triggerSeconds">,
  bucketName: pulumi.Input<string>,
  filterId: string,
): AlarmSpec[] {
  const window = Math.max(900, 3 * s.triggerSeconds);
  const periods = Math.ceil(window / 300);
  const expected = (periods * 300) / s.triggerSeconds;
  const base = {
    namespace: "AWS/S3",
    metricName: "PutRequests",
    dimensions: { BucketName: bucketName, FilterId: filterId },
    statistic: "Sum" as const,
    period: 300,
    comparisonOperator: "LessThanThreshold" as const,
    treatMissingData: "breaching" as const,
  };
  return [
    {
      ...base,
      id: `stream-${s.name}-stopped`,
      description: `Spark stream ${s.name} committed no micro-batch in ${periods * 5} minutes: it is not running (or ${s.topic} received nothing). Check the SparkApplication's state and driver log.`,
      evaluationPeriods: periods,
      threshold: 1,
    },
    {
      ...base,
      id: `stream-${s.name}-behind`,
      description: `Spark stream ${s.name} committed fewer than half the micro-batches its ${s.triggerSeconds}s trigger allows: batches take over twice the trigger, it falls behind ${s.topic}. Add executors or raise the trigger.`,
      // One window of the same length, summed: its count against half of what the trigger allows.
      period: periods * 300,
      evaluationPeriods: 1,
      threshold: Math.max(1, Math.floor(expected / 2)),
    },
  ];
}
