import { strict as assert } from "node:assert";
import { STREAM_TRIGGER_SECONDS } from "../../components/compute/config";
import { streamAlarmSpecs } from "../../components/compute/spark-streams";
import type { PolicyDocument } from "../../components/core/iam";
import type { PlannedResource } from "../../policies/engine/args";
import { processingRules, PROCESSING_TYPES } from "../../policies/rules/processing";
import { ACCOUNT_ID } from "../../tools/plan/mocks";
import { configProblems, platformOf } from "../support/config";
import { prodRoleDecider } from "../support/iam";
import { by, resourcesOf } from "../support/plan";
import { planned, violations } from "../support/policy";
import { crdErrors } from "./crd-schemas";

// Spark Structured Streaming applications (compute.spark.streams): a SparkApplication that runs until stopped,
// checkpoints in its domain's prefix of its table's zone, reads its topic as its domain's identity, and alarms when
// it stops or falls behind.

const CURATED = `acme-data-prod-curated-${ACCOUNT_ID}`;
type Obj = Record<string, unknown>;
type Platform = Obj & { compute: { spark: { streams: Obj[] } } };

describe("compute: the prod streaming application orders-live", function () {
  this.timeout(120_000);
  let prod: PlannedResource[];
  before(async () => (prod = await resourcesOf("prod")));
  const app = () => by.type(prod, PROCESSING_TYPES.sparkApplication)[0].inputs as Obj & { spec: Obj; kind: string };

  it("is a valid SparkApplication that restarts whenever it stops and checkpoints under its domain's prefix", async () => {
    const a = app();
    assert.deepEqual(crdErrors(a), []);
    assert.deepEqual(a.spec.restartPolicy, {
      type: "Always",
      onFailureRetryInterval: 30,
      onSubmissionFailureRetryInterval: 60,
    });
    const conf = a.spec.sparkConf as Record<string, string>;
    assert.equal(conf["spark.sql.streaming.checkpointLocation"], `s3a://${CURATED}/sales/_checkpoints/orders-live/`);
    assert.equal(conf["spark.data-platform.stream.topic"], "sales.orders");
    assert.equal(conf["spark.data-platform.stream.groupId"], "sales.orders.orders-live");
    assert.equal(conf["spark.data-platform.stream.table"], "acme_data_prod_sales_curated.orders_live");
    assert.equal(conf["spark.data-platform.stream.triggerSeconds"], String(STREAM_TRIGGER_SECONDS.prod));
    assert.match(conf["spark.data-platform.stream.bootstrapServers"], /:9098/);
    assert.equal((a.spec.driver as Obj).serviceAccount, "spark-sales");
    assert.deepEqual(await violations(processingRules[1], by.type(prod, PROCESSING_TYPES.sparkApplication)), []);
  });

  it("runs as the sales identity: reads its topic in its own group, writes the curated sales prefix only", async () => {
    const identity = JSON.parse(
      String(by.name(prod, "aws:iam/rolePolicy:RolePolicy", "acme-data-spark-spark-sales-policy").inputs.policy),
    ) as PolicyDocument;
    const connect = identity.Statement.find((s) => String(s.Sid).endsWith("Connect"));
    const cluster = String(connect?.Resource);
    const arn = (kind: string, name: string) => `${cluster.replace(":cluster/", `:${kind}/`)}/${name}`;
    const decide = prodRoleDecider(identity, "spark-sales");
    assert.equal(await decide("kafka-cluster:ReadData", arn("topic", "sales.orders")), "Allowed");
    assert.equal(await decide("kafka-cluster:AlterGroup", arn("group", "sales.orders.orders-live")), "Allowed");
    assert.notEqual(await decide("kafka-cluster:AlterGroup", arn("group", "sales.orders.orders-check")), "Allowed");
    assert.notEqual(await decide("kafka-cluster:ReadData", arn("topic", "marketing.clickstream")), "Allowed");
    assert.notEqual(await decide("kafka-cluster:WriteData", arn("topic", "sales.orders")), "Allowed");
    const checkpoint = `arn:aws:s3:::${CURATED}/sales/_checkpoints/orders-live/commits/7`;
    assert.equal(await decide("s3:PutObject", checkpoint), "Allowed");
    assert.notEqual(
      await decide("s3:PutObject", `arn:aws:s3:::${CURATED}/marketing/_checkpoints/x/commits/1`),
      "Allowed",
    );
  });

  it("counts committed micro-batches on its checkpoint and alarms when none or too few arrive", () => {
    const metric = by.type(prod, "aws:s3/bucketMetric:BucketMetric")[0].inputs as Obj & { filter: Obj };
    assert.equal(metric.name, "stream-orders-live");
    assert.equal(metric.filter.prefix, "sales/_checkpoints/orders-live/commits/");
    const alarms = by
      .type(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
      .filter((a) => String(a.inputs.name).includes("stream-orders-live"));
    assert.deepEqual(
      alarms.map((a) => [a.inputs.metricName, a.inputs.dimensions, a.inputs.treatMissingData]),
      [0, 1].map(() => ["PutRequests", { BucketName: CURATED, FilterId: "stream-orders-live" }, "breaching"]),
    );
  });

  it("sizes the alarms to the trigger: none in 15 minutes is stopped, under half the batches is behind", () => {
    const [stopped, behind] = streamAlarmSpecs({ name: "s", topic: "t", triggerSeconds: 10 }, "b", "f");
    assert.deepEqual([stopped.period, stopped.evaluationPeriods, stopped.threshold], [300, 3, 1]);
    assert.deepEqual([behind.period, behind.evaluationPeriods, behind.threshold], [900, 1, 45]);
    const [slowStopped, slowBehind] = streamAlarmSpecs({ name: "s", topic: "t", triggerSeconds: 600 }, "b", "f");
    assert.deepEqual([slowStopped.evaluationPeriods, slowBehind.period, slowBehind.threshold], [6, 1800, 1]);
  });
});

describe("compute: streaming application config", () => {
  const withStream = (stream: Obj) => {
    const p = platformOf("prod") as Platform;
    p.compute.spark.streams = [{ ...p.compute.spark.streams[0], ...stream }];
    return configProblems(p).filter((m) => m.includes("streams"));
  };
  it("refuses another domain's topic, an undeclared or non-Iceberg table, and platform settings", () => {
    assert.deepEqual(withStream({ topic: "marketing.clickstream" }), [
      "platform.compute.spark.streams[0].topic: belongs to domain 'marketing'; a stream reads only its own domain's topics",
    ]);
    assert.deepEqual(withStream({ table: "nope" }), [
      "platform.compute.spark.streams[0].table: 'nope' is not a dataset of domain 'sales'",
    ]);
    assert.deepEqual(withStream({ table: "daily_revenue" }), [
      "platform.compute.spark.streams[0].table: 'daily_revenue' must be an Iceberg dataset in the curated or analytics zone",
    ]);
    assert.deepEqual(withStream({ sparkConf: { "spark.sql.streaming.checkpointLocation": "s3a://elsewhere/" } }), [
      "platform.compute.spark.streams[0].sparkConf.spark.sql.streaming.checkpointLocation: is set by the platform and cannot be overridden",
    ]);
    assert.deepEqual(withStream({ name: "orders-daily" }), [
      "platform.compute.spark.streams[0].name: 'orders-daily' is already a job or stream name",
    ]);
  });
});

describe("spark-streaming-checkpoint-restart, both ways", () => {
  const rule = processingRules[1];
  const app = (spec: Obj) =>
    planned(PROCESSING_TYPES.sparkApplication, {
      spec: {
        sparkConf: { "spark.sql.streaming.checkpointLocation": "s3a://bucket/sales/_checkpoints/s/" },
        restartPolicy: { type: "Always", onFailureRetryInterval: 30 },
        ...spec,
      },
    });
  it("passes an application with an S3 checkpoint that restarts with back-off, and a prefix-scoped metric", async () => {
    assert.deepEqual(await violations(rule, app({})), []);
    const metric = (filter?: Obj) => planned(PROCESSING_TYPES.bucketMetric, { bucket: "b", name: "m", filter });
    assert.deepEqual(await violations(rule, metric({ prefix: "sales/_checkpoints/s/commits/" })), []);
    assert.deepEqual(await violations(rule, metric()), [
      "counts the whole bucket: scope it to a checkpoint's commits/ prefix",
    ]);
  });
  it("flags a missing or local checkpoint, a restart policy other than Always, and restarts without back-off", async () => {
    assert.deepEqual(await violations(rule, app({ sparkConf: {}, restartPolicy: { type: "OnFailure" } })), [
      "checkpoints nowhere: a restart would reprocess or skip records; set an s3a:// prefix",
      "restart policy is OnFailure: a stopped stream stays stopped; use Always",
    ]);
    assert.deepEqual(
      await violations(
        rule,
        app({
          sparkConf: { "spark.sql.streaming.checkpointLocation": "/tmp/checkpoints" },
          restartPolicy: { type: "Always" },
        }),
      ),
      [
        "checkpoints to '/tmp/checkpoints': a restart would reprocess or skip records; set an s3a:// prefix",
        "restarts without an onFailureRetryInterval: a crash loop would hammer the cluster",
      ],
    );
  });
});
