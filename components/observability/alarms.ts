import type * as pulumi from "@pulumi/pulumi";
import type { ResolvedMonitoring } from "./config";
import { datasetDimensions, INGESTION_METRICS, PIPELINE_METRICS, sourceDimensions } from "./metrics";

type V = pulumi.Input<string>;

/** The alerts topic and the operations key (from Monitoring), for state machines that alert on failure. */
export interface OperationsRefs {
  readonly alertsTopicArn: pulumi.Input<string>;
  /** Key of the alerts topic, state machines and their logs; its policy admits the services involved. */
  readonly keyArn: pulumi.Input<string>;
}

/** What Monitoring watches; every name is a physical name (function, queue, state machine ARN, API id). */
export interface MonitoringTargets {
  readonly functions?: readonly { readonly label: string; readonly functionName: V }[];
  readonly deadLetterQueues?: readonly { readonly label: string; readonly queueName: V }[];
  /** Source queues: alarmed on the age of their oldest message. */
  readonly queues?: readonly { readonly label: string; readonly queueName: V; readonly maxAgeSeconds?: number }[];
  readonly apis?: readonly { readonly label: string; readonly apiId: V; readonly stage: string }[];
  readonly stateMachines?: readonly { readonly label: string; readonly arn: V }[];
  /** Sources whose raw objects must keep arriving. */
  readonly freshness?: readonly { readonly source: string; readonly minutes: number }[];
  /** Published datasets (`<domain>.<name>`) whose quality rules gate their pipeline's publish. */
  readonly qualityGates?: readonly { readonly dataset: string; readonly steward: string }[];
  /** Published datasets (`<domain>.<name>`) expected to be published again within `hours` (at most a week). */
  readonly datasetFreshness?: readonly { readonly dataset: string; readonly hours: number }[];
}

interface MetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly label?: string;
  readonly returnData?: boolean;
  readonly metric?: {
    namespace: string;
    metricName: string;
    dimensions: Record<string, V>;
    period: number;
    stat: string;
  };
}

/** One alarm, independent of Pulumi so tests can read it; `description` tells the on-call what it means. */
export interface AlarmSpec {
  readonly id: string;
  readonly description: string;
  readonly comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold";
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly treatMissingData: "notBreaching" | "breaching";
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions?: Record<string, V>;
  readonly statistic?: "Sum" | "Maximum" | "Average";
  readonly period?: number;
  readonly metricQueries?: MetricQuery[];
}

const FIVE_MINUTES = 300;

/** Every alarm the issue lists, for the given targets. Pure: same inputs, same alarms. */
export function alarmSpecs(t: MonitoringTargets, cfg: ResolvedMonitoring, namespace: string): AlarmSpec[] {
  const specs: AlarmSpec[] = [];
  for (const f of t.functions ?? []) {
    specs.push({
      id: `${f.label}-errors`,
      description: `${f.label}: the function failed ${cfg.functionErrorThreshold}+ times in 5 minutes. Check its log group; failed events are retried, then kept in its dead-letter queue.`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: f.functionName },
      statistic: "Sum",
      period: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: cfg.functionErrorThreshold,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
    specs.push({
      id: `${f.label}-throttles`,
      description: `${f.label}: invocations were throttled by its reserved concurrency. Data waits (queues, streams) or callers get 429s; raise reservedConcurrency if this persists.`,
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      dimensions: { FunctionName: f.functionName },
      statistic: "Sum",
      period: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  }
  for (const q of t.deadLetterQueues ?? []) {
    specs.push({
      id: `${q.label}-dlq-depth`,
      description: `${q.label}: messages are waiting in a dead-letter queue. Each is a record or event that failed every retry; inspect it, fix the cause, then redrive it.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: q.queueName },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  }
  for (const q of t.queues ?? []) {
    const max = q.maxAgeSeconds ?? cfg.oldestMessageAgeSeconds;
    specs.push({
      id: `${q.label}-oldest-message`,
      description: `${q.label}: the oldest message has waited more than ${max} s. The consumer is failing, throttled or too slow; data is delayed, not lost.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: q.queueName },
      statistic: "Maximum",
      period: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: max,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  }
  for (const a of t.apis ?? []) {
    const m = (id: string, metricName: string): MetricQuery => ({
      id,
      returnData: false,
      metric: {
        namespace: "AWS/ApiGateway",
        metricName,
        dimensions: { ApiId: a.apiId, Stage: a.stage },
        period: FIVE_MINUTES,
        stat: "Sum",
      },
    });
    specs.push({
      id: `${a.label}-5xx-rate`,
      description: `${a.label}: more than ${cfg.api5xxRatePercent}% of requests in 5 minutes failed with 5xx (storage or Kafka unavailable, or the function failing). Clients should retry; check the function's logs.`,
      metricQueries: [
        m("errors", "5xx"),
        m("requests", "Count"),
        { id: "rate", expression: "IF(requests > 0, 100 * errors / requests, 0)", label: "5xx %", returnData: true },
      ],
      evaluationPeriods: 1,
      threshold: cfg.api5xxRatePercent,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  }
  for (const s of t.stateMachines ?? []) {
    const m = (id: string, metricName: string): MetricQuery => ({
      id,
      returnData: false,
      metric: {
        namespace: "AWS/States",
        metricName,
        dimensions: { StateMachineArn: s.arn },
        period: FIVE_MINUTES,
        stat: "Sum",
      },
    });
    specs.push({
      id: `${s.label}-failed`,
      description: `${s.label}: a run failed, timed out or was aborted. The alert message carries the execution id; re-run it after fixing the cause (steps are idempotent).`,
      metricQueries: [
        m("failed", "ExecutionsFailed"),
        m("timedout", "ExecutionsTimedOut"),
        m("aborted", "ExecutionsAborted"),
        {
          id: "bad",
          expression: "FILL(failed, 0) + FILL(timedout, 0) + FILL(aborted, 0)",
          label: "failed runs",
          returnData: true,
        },
      ],
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  }
  for (const f of t.freshness ?? []) {
    specs.push({
      id: `${f.source}-freshness`,
      description: `${f.source}: no new raw object for ${f.minutes} minutes. The upstream stopped sending, or ingestion is failing before it writes; check the source's function alarms.`,
      namespace,
      metricName: INGESTION_METRICS.rawObjectsWritten,
      dimensions: sourceDimensions(f.source),
      statistic: "Sum",
      period: f.minutes * 60,
      // No data at all is exactly the failure this alarm exists for.
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
    });
  }
  for (const g of t.qualityGates ?? []) {
    specs.push({
      id: `${g.dataset.replace(/[._]/g, "-")}-quality`,
      description: `${g.dataset}: its pipeline's publish gate found failing quality rules, so nothing was published. The alert names the rules; its steward (${g.steward}) decides whether the data or the rules are wrong.`,
      namespace,
      metricName: PIPELINE_METRICS.qualityRulesFailed,
      dimensions: datasetDimensions(g.dataset),
      statistic: "Maximum",
      period: FIVE_MINUTES,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  }
  for (const f of t.datasetFreshness ?? []) {
    specs.push({
      id: `${f.dataset.replace(/[._]/g, "-")}-freshness`,
      description: `${f.dataset}: not published for ${f.hours} hours, its freshness expectation. Its pipeline did not run, failed, or stopped at the quality gate (see those alarms); readers see stale data.`,
      namespace,
      metricName: PIPELINE_METRICS.datasetPublished,
      dimensions: datasetDimensions(f.dataset),
      statistic: "Sum",
      // Hourly periods, all of them empty: no publish within the expectation. CloudWatch evaluates up to 7 days of
      // hourly periods, the dataset config's limit.
      period: 3600,
      evaluationPeriods: f.hours,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      // No data at all is exactly the failure this alarm exists for.
      treatMissingData: "breaching",
    });
  }
  return specs;
}
