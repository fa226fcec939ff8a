import { ALWAYS, PlatformRule, resourceRule, ResourceView } from "./define";

// Stream processing: functions triggered by Kafka topics and long-running Spark Structured Streaming applications.
// A processor never loses what it cannot process; a streaming application survives its own failures and resumes
// where it stopped.

export const PROCESSING_TYPES = {
  mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  sparkApplication: "kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication",
  bucketMetric: "aws:s3/bucketMetric:BucketMetric",
} as const;
const T = PROCESSING_TYPES;

type Props = ResourceView["props"];

/** Whether a mapping reads Kafka (MSK or self-managed): it names topics instead of a queue or stream. */
export const isKafkaMapping = (props: Props): boolean =>
  (Array.isArray(props.topics) && props.topics.length > 0) ||
  props.amazonManagedKafkaEventSourceConfig !== undefined ||
  props.selfManagedEventSource !== undefined;

export const processingRules: PlatformRule[] = [
  resourceRule({
    name: "stream-processor-on-failure",
    description:
      "Stream processors (Kafka-triggered functions) send batches Lambda gives up on to an on-failure destination, consume in a group under their topic's (`<topic>.<name>`), and with dedicated pollers retry a bounded number of times.",
    remediation:
      "Declare the processor under streaming.processors (StreamProcessor sets destinationConfig.onFailure, the consumer group and the retries).",
    group: "reliability",
    resourceTypes: [T.mapping],
    enforcement: ALWAYS,
    validate(r, report) {
      const props = r.props;
      if (!isKafkaMapping(props)) return;
      if (!props.destinationConfig?.onFailure?.destinationArn)
        report("has no on-failure destination: batches Lambda gives up on would be lost");
      const group = props.amazonManagedKafkaEventSourceConfig?.consumerGroupId;
      const topics = (props.topics ?? []) as string[];
      if (typeof group !== "string" || !topics.every((t) => group.startsWith(`${t}.`)))
        report(
          `consumer group ${group === undefined ? "is generated" : `'${group}' is not <topic>.<name>`}: the topic's consume grants cover only its own groups`,
        );
      if (props.provisionedPollerConfig !== undefined) {
        const retries = props.maximumRetryAttempts;
        if (typeof retries !== "number" || retries < 0)
          report("retries a failing batch forever: set maximumRetryAttempts so it reaches the on-failure destination");
      }
    },
  }),
  resourceRule({
    name: "spark-streaming-checkpoint-restart",
    description:
      "Every SparkApplication the stack declares (a long-running Structured Streaming job; batch jobs are ScheduledSparkApplications) checkpoints to S3 and restarts whenever it stops; the S3 request metrics that watch checkpoints count one prefix, not a whole bucket.",
    remediation:
      "Declare it under compute.spark.streams (the platform sets spark.sql.streaming.checkpointLocation to s3a://… and restartPolicy.type Always).",
    group: "reliability",
    resourceTypes: [T.sparkApplication, T.bucketMetric],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.type === T.bucketMetric) {
        // Each configuration is billed as CloudWatch metrics; a whole-bucket one says nothing about one stream.
        if (!r.props.filter?.prefix) report("counts the whole bucket: scope it to a checkpoint's commits/ prefix");
        return;
      }
      const spec: Props = r.props.spec ?? {};
      const checkpoint = spec.sparkConf?.["spark.sql.streaming.checkpointLocation"];
      if (typeof checkpoint !== "string" || !/^s3a:\/\/[^/]+\/.+\/$/.test(checkpoint))
        report(
          `checkpoints ${checkpoint === undefined ? "nowhere" : `to '${checkpoint}'`}: a restart would reprocess or skip records; set an s3a:// prefix`,
        );
      const restart = spec.restartPolicy ?? {};
      if (restart.type !== "Always")
        report(`restart policy is ${restart.type ?? "unset (Never)"}: a stopped stream stays stopped; use Always`);
      else if (typeof restart.onFailureRetryInterval !== "number")
        report("restarts without an onFailureRetryInterval: a crash loop would hammer the cluster");
    },
  }),
];
