import { strict as assert } from "assert";
import { loadPlatformConfig } from "../../components/config";
import type { PolicyDocument } from "../../components/core/iam";
import { DELIVERY_PROFILES, deliveryRefusal } from "../../components/streaming/delivery";
import type { PlannedResource } from "../../policies/engine/args";
import { FIREHOSE_TYPE, firehoseRules } from "../../policies/rules/firehose";
import { ACCOUNT_ID } from "../../tools/plan/mocks";
import { configProblems, platformOf } from "../support/config";
import { prodRoleDecider } from "../support/iam";
import { by, resourcesOf } from "../support/plan";
import { planned, violations } from "../support/policy";

// Topic → lake with Firehose: refused where MSK cannot be a private Firehose source, buffered per profile, written
// under the topic's raw prefix with the zone key and an error prefix, alarmed, and run as a role that reads only its
// topic and writes only its prefix.

const REGION = "eu-west-1";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
type Platform = Record<string, unknown> & { streaming: { topics: Record<string, unknown>[]; [k: string]: unknown } };

describe("streaming: topic delivery config", () => {
  it("refuses a delivery on kafka.t3.small brokers, naming the reason and the way out", () => {
    const p = platformOf("dev") as Platform;
    delete p.streaming.instanceType; // the dev profile's kafka.t3.small
    p.streaming.topics[0].delivery = {};
    const problems = configProblems(p);
    assert.deepEqual(
      problems.filter((m) => m.includes("delivery")),
      [
        "platform.streaming.topics[0].delivery: Firehose reads MSK privately through multi-VPC private connectivity, which kafka.t3.small brokers do not support; use kafka.m7g.large (or larger) brokers, or msk-serverless",
      ],
    );
    p.streaming.instanceType = "kafka.m7g.large";
    assert.deepEqual(configProblems(p), []);
    assert.equal(deliveryRefusal("msk-serverless", "kafka.t3.small"), undefined);
  });

  it("buffers per profile (dev cheapest, prod lowest latency); written values win", () => {
    const staging = loadPlatformConfig(platformOf("staging"), REGION).streaming.topics[0].delivery;
    const prod = loadPlatformConfig(platformOf("prod"), REGION).streaming.topics[0].delivery;
    assert.deepEqual(staging, { ...DELIVERY_PROFILES.staging, maxAgeSeconds: 900 });
    assert.deepEqual(prod, { ...DELIVERY_PROFILES.prod, maxAgeSeconds: 660 });
    assert.ok(DELIVERY_PROFILES.dev.bufferSeconds > DELIVERY_PROFILES.prod.bufferSeconds);
    const p = platformOf("prod") as Platform;
    p.streaming.topics[0].delivery = { bufferSeconds: 120, bufferMb: 200 };
    assert.deepEqual(configProblems(p), [
      "platform.streaming.topics[0].delivery.bufferMb: Too big: expected number to be <=128",
    ]);
  });
});

describe("streaming: the prod delivery of sales.orders", function () {
  this.timeout(120_000);
  let prod: PlannedResource[];
  const stream = () => by.name(prod, FIREHOSE_TYPE, "acme-data-delivery-sales.orders-stream");
  before(async () => {
    prod = await resourcesOf("prod");
  });

  it("reads the topic privately with IAM and writes its raw prefix with the zone key and an error prefix", () => {
    const s = stream().inputs as Record<string, Record<string, unknown>>;
    assert.equal(s.mskSourceConfiguration.topicName, "sales.orders");
    assert.deepEqual(
      (s.mskSourceConfiguration.authenticationConfiguration as Record<string, unknown>).connectivity,
      "PRIVATE",
    );
    const s3 = s.extendedS3Configuration;
    assert.equal(s3.prefix, "sales/topic=sales.orders/dt=!{timestamp:yyyy-MM-dd}/");
    assert.equal(
      s3.errorOutputPrefix,
      "sales/topic=sales.orders/_errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/",
    );
    assert.deepEqual(
      [s3.bufferingInterval, s3.bufferingSize],
      [DELIVERY_PROFILES.prod.bufferSeconds, DELIVERY_PROFILES.prod.bufferMb],
    );
    assert.match(String(s3.kmsKeyArn), /^arn:aws:kms:/);
    assert.match(String(s3.bucketArn), /acme-data-prod-raw/);
    assert.equal((s3.cloudwatchLoggingOptions as Record<string, unknown>).enabled, true);
  });

  it("writes JSON lines (a delimiter after every record) that the topic's raw table reads, typed from its schema", () => {
    const s3 = (stream().inputs as Record<string, Record<string, unknown>>).extendedS3Configuration;
    assert.deepEqual(s3.processingConfiguration, {
      enabled: true,
      processors: [{ type: "AppendDelimiterToRecord" }],
    });
    const table = by.name(prod, "aws:glue/catalogTable:CatalogTable", "acme-data-catalog-raw-sales.orders")
      .inputs as Record<string, Record<string, unknown> & { columns: { name: string; type: string }[] }>;
    assert.equal(table.name as unknown as string, "topic_sales_orders");
    assert.equal(table.databaseName as unknown as string, "acme_data_prod_sales_raw");
    assert.match(
      String(table.storageDescriptor.location),
      /^s3:\/\/acme-data-prod-raw-\d{12}\/sales\/topic=sales\.orders\/$/,
    );
    assert.deepEqual(
      table.storageDescriptor.columns.map((c) => `${c.name} ${c.type}`),
      ["order_id string", "customer_id string", "amount double", "currency string", "created_at timestamp"],
    );
    // The day partitions Firehose writes (dt=YYYY-MM-DD under the prefix) are projected, never crawled.
    assert.equal(table.parameters["storage.location.template"], `${table.storageDescriptor.location}dt=\${dt}/`);
    assert.equal(table.parameters["data-platform:source-kind"], "topic");
  });

  it("opens the cluster to Firehose through multi-VPC private connectivity, IAM only", () => {
    const cluster = by.type(prod, "aws:msk/cluster:Cluster")[0];
    const connectivity = (cluster.inputs.brokerNodeGroupInfo as Record<string, Record<string, unknown>>)
      .connectivityInfo;
    assert.deepEqual(connectivity.vpcConnectivity, { clientAuthentication: { sasl: { iam: true } } });
    const policy = JSON.parse(String(by.type(prod, "aws:msk/clusterPolicy:ClusterPolicy")[0].inputs.policy));
    assert.deepEqual(policy.Statement[0].Principal, { Service: "firehose.amazonaws.com" });
    assert.deepEqual(policy.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
  });

  it("alarms on freshness (the path's latency) and on failed deliveries", () => {
    const alarms = by
      .type(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
      .filter((a) => String(a.name).includes("delivery-sales-orders"));
    assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), [
      "DeliveryToS3.DataFreshness",
      "DeliveryToS3.Success",
    ]);
    for (const a of alarms)
      assert.deepEqual(a.inputs.dimensions, { DeliveryStreamName: "acme-data-prod-sales-orders" });
  });

  it("its role reads only its topic and writes only its prefix (IAM simulation)", async () => {
    const identity = JSON.parse(
      String(
        by.name(prod, "aws:iam/rolePolicy:RolePolicy", "acme-data-delivery-sales.orders-role-policy").inputs.policy,
      ),
    ) as PolicyDocument;
    const cluster = String((identity.Statement.find((s) => s.Sid === "Brokers")?.Resource as string) ?? "");
    assert.ok(cluster.startsWith("arn:aws:kafka:"), cluster);
    const topicArn = (t: string) => cluster.replace(":cluster/", ":topic/") + `/${t}`;
    const raw = `arn:aws:s3:::acme-data-prod-raw-${ACCOUNT_ID}`;
    const decide = prodRoleDecider(identity, "delivery");
    assert.equal(await decide("kafka-cluster:ReadData", topicArn("sales.orders")), "Allowed");
    assert.notEqual(await decide("kafka-cluster:ReadData", topicArn("marketing.clickstream")), "Allowed");
    assert.notEqual(await decide("kafka-cluster:WriteData", topicArn("sales.orders")), "Allowed");
    assert.equal(await decide("s3:PutObject", `${raw}/sales/topic=sales.orders/dt=2026-01-01/part-1.gz`), "Allowed");
    assert.equal(
      await decide("s3:PutObject", `${raw}/sales/topic=sales.orders/_errors/processing-failed/x.gz`),
      "Allowed",
    );
    assert.notEqual(await decide("s3:PutObject", `${raw}/sales/source=orders-api/dt=2026-01-01/o.json`), "Allowed");
    assert.notEqual(await decide("s3:PutObject", `${raw}/marketing/topic=marketing.clickstream/x.gz`), "Allowed");
    assert.notEqual(
      await decide("s3:DeleteObject", `${raw}/sales/topic=sales.orders/dt=2026-01-01/part-1.gz`),
      "Allowed",
    );
    assert.notEqual(await decide("s3:ListBucket", raw, { "s3:prefix": "sales/" }), "Allowed");
  });
});

describe("firehose-encrypted-error-output, both ways", () => {
  const rule = firehoseRules[0];
  const msk = (s3: Record<string, unknown>) =>
    planned(FIREHOSE_TYPE, {
      destination: "extended_s3",
      mskSourceConfiguration: { topicName: "t" },
      extendedS3Configuration: { bucketArn: "arn:aws:s3:::b", kmsKeyArn: KEY, errorOutputPrefix: "t/_errors/", ...s3 },
    });
  it("passes an MSK-sourced stream with a CMK and an error prefix", async () => {
    assert.deepEqual(await violations(rule, msk({})), []);
  });
  it("flags a missing key or error prefix, and an unencrypted direct-put stream", async () => {
    assert.deepEqual(await violations(rule, msk({ kmsKeyArn: undefined, errorOutputPrefix: undefined })), [
      "writes S3 objects without a customer-managed key (kmsKeyArn)",
      "has no errorOutputPrefix: records it cannot deliver have nowhere to go",
    ]);
    const direct = planned(FIREHOSE_TYPE, {
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "AWS_OWNED_CMK" },
      extendedS3Configuration: { kmsKeyArn: KEY, errorOutputPrefix: "e/" },
    });
    assert.deepEqual(await violations(rule, direct), [
      "a direct-put stream is not encrypted with a customer-managed key",
    ]);
  });
  it("judges the cluster policy (AWS services for this account only) and the error log stream", async () => {
    const policy = (statement: Record<string, unknown>) =>
      planned("aws:msk/clusterPolicy:ClusterPolicy", { policy: JSON.stringify({ Statement: [statement] }) });
    const ok = {
      Effect: "Allow",
      Principal: { Service: "firehose.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } },
    };
    assert.deepEqual(await violations(rule, policy(ok)), []);
    assert.deepEqual(await violations(rule, policy({ ...ok, Principal: { AWS: "*" } })), [
      "admits a principal other than an AWS service acting for this account",
    ]);
    assert.deepEqual(await violations(rule, planned("aws:cloudwatch/logStream:LogStream", { name: "s" })), [
      "names no log group: delivery errors would not be kept",
    ]);
  });
  it("passes every stream of the prod stack", async function () {
    this.timeout(120_000);
    assert.deepEqual(await violations(rule, await resourcesOf("prod")), []);
  });
});
