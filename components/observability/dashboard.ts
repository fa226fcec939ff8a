import { INGESTION_METRICS, METRICS_SERVICE, PIPELINE_METRICS, PIPELINES_SERVICE } from "./metrics";

/** Resolved (plain string) view of what the dashboard shows. */
export interface DashboardInput {
  readonly region: string;
  readonly title: string;
  readonly namespace: string;
  readonly sources: readonly string[];
  readonly functions: readonly string[];
  readonly apis: readonly { readonly label: string; readonly apiId: string; readonly stage: string }[];
  readonly stateMachines: readonly { readonly label: string; readonly arn: string }[];
  readonly deadLetterQueues: readonly string[];
  readonly alarmArns: readonly string[];
  /** Datasets whose publish is gated by quality rules (`<domain>.<name>`). @default [] */
  readonly qualityGates?: readonly string[];
}

type Metric = (string | { label?: string; stat?: string })[];

interface Widget {
  type: "metric" | "text" | "alarm";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

/** The per-environment dashboard: ingestion volumes, errors, latency and pipeline runs. Pure and deterministic. */
export function dashboardBody(d: DashboardInput): string {
  const widgets: Widget[] = [];
  let y = 0;
  const row = (cells: Omit<Widget, "x" | "y" | "width" | "height">[], height = 6) => {
    const width = Math.floor(24 / cells.length);
    cells.forEach((c, i) => widgets.push({ ...c, x: i * width, y, width, height }));
    y += height;
  };
  const chart = (title: string, metrics: Metric[], stat = "Sum", extra: Record<string, unknown> = {}) => ({
    type: "metric" as const,
    properties: {
      title,
      region: d.region,
      view: "timeSeries",
      stacked: false,
      stat,
      period: 300,
      metrics: metrics.length > 0 ? metrics : [],
      ...extra,
    },
  });
  const perSource = (metric: string) =>
    d.sources.map((s): Metric => [d.namespace, metric, "service", METRICS_SERVICE, "source", s, { label: s }]);

  row(
    [
      {
        type: "text",
        properties: {
          markdown: `# ${d.title}\nIngestion volumes, rejects, errors and latency per source; pipeline runs; dead-letter queues. Alarms notify the alerts topic.`,
        },
      },
    ],
    2,
  );
  row([
    chart("Records accepted", perSource(INGESTION_METRICS.accepted)),
    chart("Records rejected (kept under _rejected/)", perSource(INGESTION_METRICS.rejected)),
  ]);
  row([
    chart("Raw objects written (freshness)", perSource(INGESTION_METRICS.rawObjectsWritten)),
    chart(
      "Rows loaded into staging",
      d.sources.map((s): Metric => [
        d.namespace,
        INGESTION_METRICS.rowsLoaded,
        "service",
        METRICS_SERVICE,
        "source",
        s,
        { label: s },
      ]),
    ),
  ]);
  row([
    chart(
      "Function errors",
      d.functions.map((f): Metric => ["AWS/Lambda", "Errors", "FunctionName", f, { label: f }]),
    ),
    chart(
      "Function duration p95 (ms)",
      d.functions.map((f): Metric => ["AWS/Lambda", "Duration", "FunctionName", f, { label: f, stat: "p95" }]),
      "p95",
    ),
  ]);
  row([
    chart(
      "API requests and 5xx",
      d.apis.flatMap((a): Metric[] => [
        ["AWS/ApiGateway", "Count", "ApiId", a.apiId, "Stage", a.stage, { label: `${a.label} requests` }],
        ["AWS/ApiGateway", "5xx", "ApiId", a.apiId, "Stage", a.stage, { label: `${a.label} 5xx` }],
      ]),
    ),
    chart(
      "API latency p95 (ms)",
      d.apis.map((a): Metric => [
        "AWS/ApiGateway",
        "Latency",
        "ApiId",
        a.apiId,
        "Stage",
        a.stage,
        { label: a.label, stat: "p95" },
      ]),
      "p95",
    ),
  ]);
  row([
    chart(
      "Pipeline runs",
      d.stateMachines.flatMap((s): Metric[] => [
        ["AWS/States", "ExecutionsSucceeded", "StateMachineArn", s.arn, { label: `${s.label} ok` }],
        ["AWS/States", "ExecutionsFailed", "StateMachineArn", s.arn, { label: `${s.label} failed` }],
      ]),
    ),
    chart(
      "Dead-letter queue depth",
      d.deadLetterQueues.map((q): Metric => [
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        q,
        { label: q },
      ]),
      "Maximum",
    ),
  ]);
  if ((d.qualityGates ?? []).length > 0)
    row([
      chart(
        "Quality gate: failing rules per published dataset (0 = passed)",
        (d.qualityGates ?? []).map((g): Metric => [
          d.namespace,
          PIPELINE_METRICS.qualityRulesFailed,
          "service",
          PIPELINES_SERVICE,
          "dataset",
          g,
          { label: g },
        ]),
        "Maximum",
      ),
    ]);
  if (d.alarmArns.length > 0)
    row(
      [{ type: "alarm", properties: { title: "Alarms", alarms: [...d.alarmArns], sortBy: "stateUpdatedTimestamp" } }],
      Math.min(2 + Math.ceil(d.alarmArns.length / 4), 12),
    );
  return JSON.stringify({ widgets });
}
