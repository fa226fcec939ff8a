import { strict as assert } from "assert";
import { alarmSpecs } from "../../components/observability/alarms";
import { MONITORING_PROFILES, resolveMonitoring } from "../../components/observability/config";
import { dashboardBody } from "../../components/observability/dashboard";
import { operationsKeyPolicy } from "../../components/observability/Monitoring";
import type { PlannedResource } from "../../policies/engine/args";
import { by, json, resourcesOf } from "../support/plan";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const cfg = resolveMonitoring(undefined, "prod", "owner@acme.example");

describe("observability: alarm specs", () => {
  const specs = alarmSpecs(
    {
      functions: [{ label: "orders", functionName: "acme-prod-orders-http" }],
      deadLetterQueues: [{ label: "orders", queueName: "acme-prod-orders-http-dlq" }],
      queues: [
        { label: "payments", queueName: "q1" },
        { label: "slow", queueName: "q2", maxAgeSeconds: 7200 },
      ],
      apis: [{ label: "orders", apiId: "abc123", stage: "$default" }],
      stateMachines: [{ label: "pipeline-sales", arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:p" }],
      freshness: [{ source: "orders", minutes: 180 }],
    },
    cfg,
    "acme-prod/ingestion",
  );
  const spec = (id: string) => {
    const s = specs.find((x) => x.id === id);
    assert.ok(s, `no alarm ${id}; have ${specs.map((x) => x.id).join(", ")}`);
    return s;
  };

  it("alarms on errors and throttles, any DLQ message, queue age, API 5xx share, failed runs and freshness", () => {
    assert.deepEqual(specs.map((s) => s.id).sort(), [
      "orders-5xx-rate",
      "orders-dlq-depth",
      "orders-errors",
      "orders-freshness",
      "orders-throttles",
      "payments-oldest-message",
      "pipeline-sales-failed",
      "slow-oldest-message",
    ]);
    assert.deepEqual(
      [spec("orders-dlq-depth").comparisonOperator, spec("orders-dlq-depth").threshold],
      ["GreaterThanThreshold", 0],
      "one message is enough",
    );
    assert.equal(spec("payments-oldest-message").threshold, MONITORING_PROFILES.prod.oldestMessageAgeSeconds);
    assert.equal(spec("slow-oldest-message").threshold, 7200, "a source's own limit wins");
    for (const s of specs) assert.ok(s.description.length > 40, `${s.id} explains itself to the on-call`);
  });

  it("computes the 5xx share from the API's own counts, and counts timed-out and aborted runs as failed", () => {
    const api = spec("orders-5xx-rate");
    assert.equal(api.threshold, cfg.api5xxRatePercent);
    const rate = api.metricQueries!.find((q) => q.returnData);
    assert.match(rate!.expression!, /100 \* errors \/ requests/);
    assert.deepEqual(
      api.metricQueries!.filter((q) => q.metric).map((q) => [q.metric!.metricName, q.metric!.dimensions.ApiId]),
      [
        ["5xx", "abc123"],
        ["Count", "abc123"],
      ],
    );
    const runs = spec("pipeline-sales-failed")
      .metricQueries!.filter((q) => q.metric)
      .map((q) => q.metric!.metricName);
    assert.deepEqual(runs, ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"]);
  });

  it("treats a silent source as stale: missing data breaches over the source's interval", () => {
    const f = spec("orders-freshness");
    assert.deepEqual(
      [f.namespace, f.metricName, f.dimensions],
      ["acme-prod/ingestion", "RawObjectsWritten", { service: "ingestion", source: "orders" }],
    );
    assert.deepEqual(
      [f.period, f.comparisonOperator, f.threshold, f.treatMissingData],
      [180 * 60, "LessThanThreshold", 1, "breaching"],
    );
  });
});

describe("observability: dashboard body", () => {
  it("charts volumes, rejects, errors, latency, API traffic, pipeline runs and DLQs for exactly the given targets", () => {
    const body = JSON.parse(
      dashboardBody({
        region: "eu-west-1",
        title: "t",
        namespace: "acme/ingestion",
        sources: ["orders", "carts"],
        functions: ["f1"],
        apis: [{ label: "orders", apiId: "abc", stage: "$default" }],
        stateMachines: [{ label: "p", arn: "arn:sm" }],
        deadLetterQueues: ["d1"],
        alarmArns: ["arn:a1"],
      }),
    ) as {
      widgets: {
        type: string;
        x: number;
        width: number;
        properties: { title?: string; metrics?: unknown[][]; alarms?: string[] };
      }[];
    };
    const titled = (t: string) => body.widgets.find((w) => w.properties.title?.startsWith(t))!;
    assert.deepEqual(
      titled("Records accepted").properties.metrics!.map((m) => m[5]),
      ["orders", "carts"],
    );
    assert.deepEqual(
      titled("Pipeline runs").properties.metrics!.map((m) => m[1]),
      ["ExecutionsSucceeded", "ExecutionsFailed"],
    );
    assert.ok(titled("Function duration p95"));
    assert.ok(titled("API latency p95"));
    assert.deepEqual(titled("Alarms").properties.alarms, ["arn:a1"]);
    for (const w of body.widgets) assert.ok(w.x + w.width <= 24, "fits the 24-column grid");
  });
});

describe("observability: Monitoring in the prod stack", function () {
  this.timeout(60_000);
  let prod: PlannedResource[];
  before(async () => (prod = await resourcesOf("prod")));

  it("has one encrypted alerts topic with the configured subscriptions, and every alarm notifies it", () => {
    const [topic] = by.type(prod, "aws:sns/topic:Topic");
    assert.equal(by.type(prod, "aws:sns/topic:Topic").length, 1);
    const key = by.name(prod, "aws:kms/key:Key", "acme-data-monitoring-key");
    assert.equal(key.inputs.enableKeyRotation, true);
    assert.ok(topic.inputs.kmsMasterKeyId, "encrypted");
    const subs = by
      .type(prod, "aws:sns/topicSubscription:TopicSubscription")
      .map((s) => [s.inputs.protocol, s.inputs.endpoint]);
    assert.deepEqual(subs, [
      ["email", "data-oncall@acme.example"],
      ["https", "https://paging.acme.example/integrations/sns/data-platform"],
    ]);
    const topicArn = `arn:aws:sns:eu-west-1:123456789012:${topic.inputs.name}`;
    const alarms = by.type(prod, ALARM);
    assert.ok(alarms.length > 20);
    for (const a of alarms) assert.deepEqual(a.inputs.alarmActions, [topicArn], String(a.inputs.name));
  });

  it("watches every function, every dead-letter queue, every API, every state machine and every landing source", () => {
    const alarmed = new Set(
      by.type(prod, ALARM).flatMap((a) => {
        const d = (a.inputs.dimensions ?? {}) as Record<string, string>;
        const q = ((a.inputs.metricQueries ?? []) as { metric?: { dimensions: Record<string, string> } }[]).map(
          (x) => x.metric?.dimensions ?? {},
        );
        return [d, ...q].flatMap((x) => Object.values(x));
      }),
    );
    const functions = by.type(prod, "aws:lambda/function:Function").map((f) => String(f.inputs.name));
    // The warehouse bootstrap and the Kafka topic manager run once per deploy, invoked synchronously by it.
    const watched = functions.filter((f) => !/warehouse|kafka|topic/.test(f));
    assert.equal(watched.length, 10, "seven sources, the pipeline runner, the stream processor and the CDC load");
    for (const f of watched) assert.ok(alarmed.has(f), `function ${f} has no alarm`);
    const dlqs = by
      .type(prod, "aws:sqs/queue:Queue")
      .filter((q) => (q.inputs.tags as Record<string, string>)["data-platform:queue-role"] === "dead-letter")
      .map((q) => String(q.inputs.name));
    const unwatched = dlqs.filter((q) => !alarmed.has(q));
    assert.deepEqual(
      unwatched.filter((q) => !/bootstrap|topic/.test(q)),
      [],
      "every runtime dead-letter queue is alarmed",
    );
    for (const m of by.type(prod, "aws:sfn/stateMachine:StateMachine"))
      assert.ok(
        [...alarmed].some((v) => v.endsWith(`:stateMachine:${m.inputs.name}`)),
        `${m.inputs.name} unwatched`,
      );
    const fresh = by
      .type(prod, ALARM)
      .filter((a) => a.inputs.metricName === "RawObjectsWritten")
      .map((a) => (a.inputs.dimensions as Record<string, string>).source)
      .sort();
    assert.deepEqual(fresh, ["carts", "crm-contacts", "orders-api", "payments", "web-events"]);
  });

  it("builds one dashboard naming the same functions the alarms watch", () => {
    const [dash] = by.type(prod, "aws:cloudwatch/dashboard:Dashboard");
    const body = json<{ widgets: { properties: { title?: string; metrics?: string[][] } }[] }>(
      dash.inputs.dashboardBody,
    );
    const errors = body.widgets
      .find((w) => w.properties.title === "Function errors")!
      .properties.metrics!.map((m) => m[3]);
    assert.ok(errors.includes("acme-data-prod-orders-api-http"), JSON.stringify(errors));
  });

  it("alarms on and charts the quality gate of every published dataset with rules, on the metric the runner emits", () => {
    const quality = by.type(prod, ALARM).filter((a) => a.inputs.metricName === "QualityRulesFailed");
    assert.deepEqual(
      quality.map((a) => a.inputs.dimensions),
      [{ service: "pipelines", dataset: "sales.daily_revenue" }],
    );
    const [alarm] = quality;
    assert.deepEqual(
      [alarm.inputs.namespace, alarm.inputs.statistic, alarm.inputs.threshold, alarm.inputs.comparisonOperator],
      ["acme-data-prod/ingestion", "Maximum", 1, "GreaterThanOrEqualToThreshold"],
    );
    assert.match(String(alarm.inputs.alarmDescription), /steward \(minji\.kim@acme\.example\)/);
    const [dash] = by.type(prod, "aws:cloudwatch/dashboard:Dashboard");
    const body = json<{ widgets: { properties: { title?: string; metrics?: unknown[][] } }[] }>(
      dash.inputs.dashboardBody,
    );
    const widget = body.widgets.find((w) => String(w.properties.title).startsWith("Quality gate"));
    assert.deepEqual(widget?.properties.metrics, [
      [
        "acme-data-prod/ingestion",
        "QualityRulesFailed",
        "service",
        "pipelines",
        "dataset",
        "sales.daily_revenue",
        { label: "sales.daily_revenue" },
      ],
    ]);
    const runner = by
      .type(prod, "aws:lambda/function:Function")
      .find((f) => String(f.inputs.name).endsWith("sales-daily-runner"))!;
    assert.equal(
      (runner.inputs.environment as { variables: Record<string, string> }).variables.METRICS_NAMESPACE,
      "acme-data-prod/ingestion",
    );
  });

  it("alarms when a published dataset is not published within its freshness expectation, on the metric the runner emits", () => {
    const fresh = by.type(prod, ALARM).filter((a) => a.inputs.metricName === "DatasetPublished");
    assert.deepEqual(
      fresh.map((a) => [a.inputs.name, a.inputs.dimensions, a.inputs.period, a.inputs.evaluationPeriods]),
      [
        [
          "acme-data-prod-sales-daily-revenue-freshness",
          { service: "pipelines", dataset: "sales.daily_revenue" },
          3600,
          26,
        ],
      ],
      "daily_revenue: published by sales-daily, expected within 26 hours",
    );
    const [alarm] = fresh;
    assert.deepEqual(
      [alarm.inputs.namespace, alarm.inputs.statistic, alarm.inputs.threshold, alarm.inputs.comparisonOperator],
      ["acme-data-prod/ingestion", "Sum", 1, "LessThanThreshold"],
    );
    assert.equal(alarm.inputs.treatMissingData, "breaching", "no publish at all is the failure");
    assert.ok(Number(alarm.inputs.period) * Number(alarm.inputs.evaluationPeriods) <= 7 * 86_400, "CloudWatch's limit");
  });

  it("lets CloudWatch and platform roles use the operations key, and the deployer only through Step Functions and SNS", () => {
    const policy = operationsKeyPolicy({
      accountId: "123456789012",
      region: "eu-west-1",
      prefix: "acme-data-prod",
      deployerArn: "arn:aws:iam::123456789012:role/deployer",
    });
    const sid = (s: string) => policy.Statement.find((x) => x.Sid === s);
    assert.deepEqual(sid("AlarmsPublish")?.Principal, { Service: "cloudwatch.amazonaws.com" });
    assert.deepEqual(sid("DeployerThroughServices")?.Condition?.StringEquals["kms:ViaService"], [
      "states.eu-west-1.amazonaws.com",
      "sns.eu-west-1.amazonaws.com",
    ]);
    assert.equal(
      operationsKeyPolicy({ accountId: "123456789012", region: "eu-west-1", prefix: "p" }).Statement.some(
        (x) => x.Sid === "DeployerThroughServices",
      ),
      false,
    );
  });
});
