import { strict as assert } from "assert";
import { loadPlatformConfig } from "../../components/config";
import type { PolicyDocument } from "../../components/core/iam";
import { PROCESSOR_PROFILES } from "../../components/streaming/processors";
import type { PlannedResource } from "../../policies/engine/args";
import { processingRules, PROCESSING_TYPES } from "../../policies/rules/processing";
import { ingestionRules } from "../../policies/rules/ingestion";
import { ACCOUNT_ID } from "../../tools/plan/mocks";
import { configProblems, platformOf } from "../support/config";
import { prodRoleDecider } from "../support/iam";
import { by, resourcesOf } from "../support/plan";
import { planned, violations } from "../support/policy";

// Stream processors: a Kafka-triggered function per `streaming.processors` entry, consuming in `<topic>.<name>`,
// validating against the topic's schema, with an on-failure destination, a lag alarm and a role that reaches only
// its topic, its group and its raw prefix.

const REGION = "eu-west-1";
type Platform = Record<string, unknown> & {
  streaming: { topics: Record<string, unknown>[]; processors?: Record<string, unknown>[] };
};

describe("streaming: processor config", () => {
  it("takes the schema of the topic's http producer and the profile's pollers; written values win", () => {
    const prod = loadPlatformConfig(platformOf("prod"), REGION).streaming;
    const p = prod.processors[0];
    assert.equal(p.name, "orders-check");
    assert.equal(p.domain, "sales");
    assert.deepEqual(p.pollers, PROCESSOR_PROFILES.prod.pollers);
    assert.equal(p.reservedConcurrency, 12, "one invocation per partition of sales.orders");
    const topic = prod.topics.find((t) => t.name === "sales.orders")!;
    assert.deepEqual((topic.schema as { required: string[] }).required, [
      "order_id",
      "customer_id",
      "amount",
      "currency",
      "created_at",
    ]);
    assert.equal(PROCESSOR_PROFILES.dev.pollers, undefined, "dev pays for no standing pollers");
  });

  it("refuses an undeclared topic, a topic without a schema, a duplicate name and a reversed poller range", () => {
    const p = platformOf("prod") as Platform;
    p.streaming.processors = [
      { name: "a-proc", topic: "sales.nope" },
      { name: "b-proc", topic: "sales.orders-compacted" },
      { name: "b-proc", topic: "sales.orders", pollers: { minimum: 4, maximum: 2 } },
    ];
    assert.deepEqual(
      configProblems(p).filter((m) => m.includes("processors")),
      [
        "platform.streaming.processors[0].topic: 'sales.nope' is not a declared topic (streaming.topics)",
        "platform.streaming.processors[1].topic: 'sales.orders-compacted' has no schema: a processor validates every record against its topic's schema",
        "platform.streaming.processors[2].name: duplicate processor 'b-proc' (also at processors[1])",
        "platform.streaming.processors[2].pollers: minimum (4) must not exceed maximum (2)",
      ],
    );
  });

  it("refuses a topic schema that is not a JSON Schema or could backtrack", () => {
    const p = platformOf("prod") as Platform;
    p.streaming.topics[2].schema = { type: "object", properties: { a: { type: "wat" } } };
    p.streaming.topics[1].schema = { type: "string", pattern: "(a+)+\\1" };
    const problems = configProblems(p).filter((m) => m.includes("schema"));
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems[0], /^platform\.streaming\.topics\[1\]\.schema\.pattern: /);
    assert.match(problems[1], /^platform\.streaming\.topics\[2\]\.schema: is not a valid JSON Schema/);
  });
});

describe("streaming: the prod processor orders-check", function () {
  this.timeout(120_000);
  let prod: PlannedResource[];
  before(async () => (prod = await resourcesOf("prod")));
  const mapping = () => by.name(prod, PROCESSING_TYPES.mapping, "acme-data-processor-orders-check-mapping").inputs;

  it("consumes its topic in <topic>.<name> from the start, with dedicated pollers, bounded retries and an on-failure destination", () => {
    const m = mapping() as Record<string, Record<string, unknown> & unknown[]>;
    assert.deepEqual(m.topics, ["sales.orders"]);
    assert.equal(m.startingPosition, "TRIM_HORIZON");
    assert.deepEqual(m.amazonManagedKafkaEventSourceConfig, { consumerGroupId: "sales.orders.orders-check" });
    assert.match(String(m.eventSourceArn), /^arn:aws:kafka:eu-west-1:\d{12}:cluster\/acme-data-prod-kafka\//);
    const dlq = by.name(prod, "aws:sqs/queue:Queue", "acme-data-processor-orders-check-fn-dlq");
    assert.match(String(m.destinationConfig.onFailure as unknown as string), /./);
    assert.equal(
      (m.destinationConfig.onFailure as unknown as { destinationArn: string }).destinationArn,
      `arn:aws:sqs:eu-west-1:${ACCOUNT_ID}:${dlq.inputs.name}`,
    );
    assert.deepEqual(m.provisionedPollerConfig, { minimumPollers: 1, maximumPollers: 4 });
    assert.equal(m.maximumRetryAttempts, 10);
    const fn = by.name(prod, "aws:lambda/function:Function", "acme-data-processor-orders-check-fn-fn");
    assert.equal(m.functionName, `arn:aws:lambda:eu-west-1:${ACCOUNT_ID}:function:${fn.inputs.name}`);
  });

  it("its records are queryable: a raw table over its prefix, typed from the topic's schema", () => {
    const table = by.name(prod, "aws:glue/catalogTable:CatalogTable", "acme-data-catalog-raw-orders-check")
      .inputs as Record<string, Record<string, unknown> & { columns: { name: string }[] }>;
    assert.equal(table.name as unknown as string, "processor_orders_check");
    assert.match(String(table.storageDescriptor.location), /\/sales\/processor=orders-check\/$/);
    assert.deepEqual(
      table.storageDescriptor.columns.map((c) => c.name),
      ["order_id", "customer_id", "amount", "currency", "created_at"],
    );
  });

  it("lets the pollers reach the brokers inside the cluster's security group", () => {
    const sg = by.name(prod, "aws:ec2/securityGroup:SecurityGroup", "acme-data-kafka-sg").inputs as Record<
      string,
      Record<string, unknown>[]
    >;
    assert.ok(sg.ingress.some((r) => r.self === true && r.fromPort === 9098));
    assert.ok(sg.egress.some((r) => r.self === true && r.fromPort === 9098));
  });

  it("alarms on the consumer group's time lag, the path's latency", () => {
    const alarm = by
      .type(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
      .find((a) => String(a.inputs.name).endsWith("processor-orders-check-lag"))!;
    assert.equal(alarm.inputs.metricName, "EstimatedMaxTimeLag");
    assert.equal(alarm.inputs.threshold, PROCESSOR_PROFILES.prod.maxLagSeconds);
    assert.deepEqual(alarm.inputs.dimensions, {
      "Cluster Name": "acme-data-prod-kafka",
      "Consumer Group": "sales.orders.orders-check",
      Topic: "sales.orders",
    });
  });

  it("its role reads only its topic in its group and writes only its prefix (IAM simulation)", async () => {
    const identity = JSON.parse(
      String(
        by.name(prod, "aws:iam/rolePolicy:RolePolicy", "acme-data-processor-orders-check-fn-role-policy").inputs.policy,
      ),
    ) as PolicyDocument;
    const cluster = String(identity.Statement.find((s) => s.Sid === "Brokers")?.Resource ?? "");
    const arn = (kind: string, name: string) => `${cluster.replace(":cluster/", `:${kind}/`)}/${name}`;
    const raw = `arn:aws:s3:::acme-data-prod-raw-${ACCOUNT_ID}`;
    const decide = prodRoleDecider(identity, "processor");
    assert.equal(await decide("kafka-cluster:ReadData", arn("topic", "sales.orders")), "Allowed");
    assert.equal(await decide("kafka-cluster:AlterGroup", arn("group", "sales.orders.orders-check")), "Allowed");
    assert.notEqual(await decide("kafka-cluster:AlterGroup", arn("group", "sales.orders.firehose")), "Allowed");
    assert.notEqual(await decide("kafka-cluster:ReadData", arn("topic", "marketing.clickstream")), "Allowed");
    assert.notEqual(await decide("kafka-cluster:WriteData", arn("topic", "sales.orders")), "Allowed");
    assert.equal(
      await decide("s3:PutObject", `${raw}/sales/processor=orders-check/dt=2026-01-01/p0-o1.json`),
      "Allowed",
    );
    assert.notEqual(await decide("s3:PutObject", `${raw}/sales/source=orders-api/dt=2026-01-01/o.json`), "Allowed");
    assert.notEqual(await decide("s3:DeleteObject", `${raw}/sales/processor=orders-check/x.json`), "Allowed");
  });

  it("passes the pack's mapping rules", async () => {
    const mappings = by.type(prod, PROCESSING_TYPES.mapping);
    const partial = ingestionRules.find((r) => r.name === "event-source-partial-failures")!;
    assert.deepEqual(await violations(processingRules[0], mappings), []);
    assert.deepEqual(await violations(partial, mappings), []);
  });
});

describe("stream-processor-on-failure, both ways", () => {
  const rule = processingRules[0];
  const kafka = (extra: Record<string, unknown>) =>
    planned(PROCESSING_TYPES.mapping, {
      topics: ["sales.orders"],
      startingPosition: "TRIM_HORIZON",
      amazonManagedKafkaEventSourceConfig: { consumerGroupId: "sales.orders.p" },
      destinationConfig: { onFailure: { destinationArn: "arn:aws:sqs:eu-west-1:123456789012:dlq" } },
      ...extra,
    });
  it("passes a processor with a destination, its own group and bounded retries", async () => {
    assert.deepEqual(await violations(rule, kafka({})), []);
    assert.deepEqual(
      await violations(rule, kafka({ provisionedPollerConfig: { minimumPollers: 1 }, maximumRetryAttempts: 3 })),
      [],
    );
  });
  it("flags a missing destination, a foreign or generated group, and endless retries", async () => {
    assert.deepEqual(
      await violations(
        rule,
        kafka({
          destinationConfig: undefined,
          amazonManagedKafkaEventSourceConfig: { consumerGroupId: "other.p" },
          provisionedPollerConfig: { minimumPollers: 1 },
          maximumRetryAttempts: -1,
        }),
      ),
      [
        "has no on-failure destination: batches Lambda gives up on would be lost",
        "consumer group 'other.p' is not <topic>.<name>: the topic's consume grants cover only its own groups",
        "retries a failing batch forever: set maximumRetryAttempts so it reaches the on-failure destination",
      ],
    );
    assert.deepEqual(await violations(rule, kafka({ amazonManagedKafkaEventSourceConfig: undefined })), [
      "consumer group is generated: the topic's consume grants cover only its own groups",
    ]);
  });
  it("leaves queue and stream mappings to event-source-partial-failures", async () => {
    const sqs = planned(PROCESSING_TYPES.mapping, { eventSourceArn: "arn:aws:sqs:eu-west-1:123456789012:q" });
    assert.deepEqual(await violations(rule, sqs), []);
    const partial = ingestionRules.find((r) => r.name === "event-source-partial-failures")!;
    assert.equal((await violations(partial, sqs)).length, 1);
  });
});
