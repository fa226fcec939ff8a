import { strict as assert } from "assert";
import fc from "fast-check";
import {
  brokerAzCount,
  resolveStreamingConfig,
  STREAMING_PROFILES,
  streamingSchema,
  StreamingInput,
  TOPIC_NAME,
  validateStreaming,
} from "../../components/streaming/config";
import { ENVIRONMENTS, Environment } from "../../components/core/types";

const DOMAINS = [
  { name: "sales", classification: "internal" as const },
  { name: "hr", classification: "restricted" as const },
];
const check = (input: StreamingInput, environment: Environment, azCount = environment === "prod" ? 3 : 2) => {
  const parsed = streamingSchema.parse(input);
  return validateStreaming(parsed, resolveStreamingConfig(parsed, environment, DOMAINS), {
    environment,
    azCount,
    domains: DOMAINS,
  });
};
const paths = (problems: { path: string }[]) => problems.map((p) => p.path).sort();
const topic = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  partitions: 3,
  domain: name.split(".")[0],
  ...extra,
});

describe("streaming config", () => {
  it("rejects unknown keys and invalid values with messages that say what is allowed", () => {
    const bad = streamingSchema.safeParse({
      engine: "kinesis",
      tls: false,
      topics: [{ name: "..", partitions: 0, domain: "sales", cleanupPolicy: "forever" }],
    });
    assert.ok(!bad.success);
    const messages = bad.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    for (const expected of [
      "engine: must be one of msk | msk-serverless",
      "topics.0.name: must be 1-249 of",
      "topics.0.partitions: must be at least 1",
      "topics.0.cleanupPolicy: must be one of delete | compact | compact,delete",
    ]) {
      assert.ok(
        messages.some((m) => m.startsWith(expected)),
        `${expected}\n${messages.join("\n")}`,
      );
    }
    assert.ok(
      bad.error.issues.some((i) => i.code === "unrecognized_keys" && i.keys.includes("tls")),
      "there is no switch for TLS",
    );
  });

  it("accepts exactly Kafka's legal topic names", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9._-]{1,60}$/), (name) =>
        assert.equal(TOPIC_NAME.test(name), name !== "." && name !== ".." && !name.startsWith("__")),
      ),
    );
    for (const bad of ["", "a b", "a/b", "x".repeat(250), "é"]) assert.equal(TOPIC_NAME.test(bad), false, bad);
  });

  it("fills the profile (dev smallest, prod HA), topic defaults and classification from the domain; explicit values win", () => {
    for (const env of ENVIRONMENTS)
      assert.deepEqual(resolveStreamingConfig(undefined, env, DOMAINS), {
        ...STREAMING_PROFILES[env],
        topics: [],
        processors: [],
      });
    const dev = STREAMING_PROFILES.dev;
    const prod = STREAMING_PROFILES.prod;
    assert.deepEqual(
      [dev.brokers, dev.instanceType, dev.defaultReplicationFactor, dev.minInsyncReplicas],
      [2, "kafka.t3.small", 2, 1],
    );
    assert.deepEqual(
      [prod.brokers, prod.instanceType, prod.defaultReplicationFactor, prod.minInsyncReplicas, prod.enhancedMonitoring],
      [3, "kafka.m7g.large", 3, 2, "PER_TOPIC_PER_BROKER"],
    );
    const c = resolveStreamingConfig(
      {
        brokers: 6,
        topics: [
          topic("sales.orders"),
          topic("hr.changes", { retentionHours: 24, replicationFactor: 2, classification: "confidential" }),
        ],
      },
      "prod",
      DOMAINS,
    );
    assert.equal(c.brokers, 6);
    assert.equal(c.instanceType, prod.instanceType);
    assert.deepEqual(c.topics[0], {
      name: "sales.orders",
      partitions: 3,
      domain: "sales",
      retentionHours: 168,
      cleanupPolicy: "delete",
      replicationFactor: 3,
      classification: "internal",
    });
    assert.deepEqual(
      [c.topics[1].retentionHours, c.topics[1].replicationFactor, c.topics[1].classification],
      [24, 2, "confidential"],
    );
  });

  it("accepts every profile as it stands", () => {
    for (const env of ENVIRONMENTS) assert.deepEqual(check({ topics: [topic("sales.orders")] }, env), [], env);
  });

  it("requires a broker count that spreads evenly over 2 or 3 AZs, and all 3 in prod", () => {
    const [p] = check({ brokers: 5 }, "dev", 3);
    assert.equal(p.path, "platform.streaming.brokers");
    assert.equal(
      p.message,
      "must be a multiple of 2 or 3 so the 3 AZs of the network hold the same number of brokers each; got 5",
    );
    assert.match(check({ brokers: 3 }, "dev", 2)[0].message, /must be a multiple of 2 so the 2 AZs/);
    assert.deepEqual(check({ brokers: 4 }, "dev", 3), []);
    assert.deepEqual(check({ brokers: 4 }, "dev"), []);
    assert.match(
      check({ brokers: 4 }, "prod")[0].message,
      /multiple of 3 in prod so the brokers span all 3 AZs; got 4/,
    );
  });

  it("spreads the brokers over as many AZs as divide the count", () => {
    assert.equal(brokerAzCount(2, 3), 2);
    assert.equal(brokerAzCount(6, 3), 3);
    assert.equal(brokerAzCount(3, 2), undefined);
    assert.equal(brokerAzCount(4, 2), 2);
  });

  it("keeps replication within the brokers and in-sync replicas below replication", () => {
    assert.deepEqual(paths(check({ brokers: 2, defaultReplicationFactor: 3, minInsyncReplicas: 1 }, "dev")), [
      "platform.streaming.defaultReplicationFactor",
    ]);
    assert.deepEqual(paths(check({ minInsyncReplicas: 3 }, "dev")), ["platform.streaming.minInsyncReplicas"]);
    assert.match(
      check({ minInsyncReplicas: 2 }, "dev")[0].message,
      /lower than defaultReplicationFactor \(2\) so writes continue while one broker is down/,
    );
    assert.deepEqual(paths(check({ ebsVolumeGb: 200, maxEbsVolumeGb: 100 }, "dev")), [
      "platform.streaming.maxEbsVolumeGb",
    ]);
  });

  it("validates topics: declared domain, domain prefix, replication against brokers, name collisions", () => {
    const problems = check(
      {
        topics: [
          topic("sales.orders"),
          topic("sales_orders", { domain: "sales" }),
          topic("ops.events", { domain: "ops" }),
          topic("sales.big", { replicationFactor: 3 }),
          topic("sales.orders_v2"),
          topic("sales.orders.v2"),
        ],
      },
      "dev",
    );
    const expected: [string, RegExp][] = [
      ["platform.streaming.topics[1].name", /^collides with topics\[0\] \('sales.orders'\)/],
      ["platform.streaming.topics[1].name", /^must start with its domain: 'sales.<name>'/],
      ["platform.streaming.topics[2].domain", /^'ops' is not a declared domain/],
      ["platform.streaming.topics[3].replicationFactor", /^must not exceed the broker count \(2\)/],
      ["platform.streaming.topics[5].name", /^collides with topics\[4\] \('sales.orders_v2'\)/],
    ];
    assert.deepEqual(
      problems.map((p) => p.path),
      expected.map(([path]) => path),
    );
    problems.forEach((p, i) => assert.match(p.message, expected[i][1]));
    assert.deepEqual(paths(check({ topics: [topic("orders", { domain: "sales" })] }, "dev")), [
      "platform.streaming.topics[0].name",
    ]);
  });

  it("in prod: refuses fewer than 3 brokers, fewer than 3 AZs, and topics a broker loss would block", () => {
    // Two brokers in prod also cannot hold the prod replication factor of 3.
    assert.deepEqual(paths(check({ brokers: 2 }, "prod", 2)), [
      "platform.streaming.brokers",
      "platform.streaming.brokers",
      "platform.streaming.defaultReplicationFactor",
    ]);
    assert.deepEqual(paths(check({ topics: [topic("sales.orders", { replicationFactor: 2 })] }, "prod")), [
      "platform.streaming.topics[0].replicationFactor",
    ]);
    assert.deepEqual(check({ topics: [topic("sales.orders", { replicationFactor: 2 })] }, "staging"), []);
  });

  it("msk-serverless: broker settings and replication are refused as not applicable", () => {
    const problems = check(
      {
        engine: "msk-serverless",
        brokers: 3,
        instanceType: "kafka.m7g.large",
        topics: [topic("sales.orders", { replicationFactor: 3 })],
      },
      "staging",
    );
    assert.deepEqual(paths(problems), [
      "platform.streaming.brokers",
      "platform.streaming.instanceType",
      "platform.streaming.topics[0].replicationFactor",
    ]);
    assert.match(problems[0].message, /does not apply to msk-serverless/);
    assert.deepEqual(
      check({ engine: "msk-serverless", topics: [topic("sales.orders")] }, "prod", 2),
      [],
      "serverless ignores the broker layout rules",
    );
    assert.equal(
      resolveStreamingConfig({ engine: "msk-serverless", topics: [topic("sales.orders")] }, "prod", DOMAINS).topics[0]
        .replicationFactor,
      undefined,
    );
  });

  it("keeps restricted data off the shared cluster, whether inherited from the domain or declared", () => {
    for (const engine of ["msk", "msk-serverless"] as const) {
      const problems = check(
        {
          engine,
          topics: [
            topic("hr.changes"),
            topic("sales.payroll", { classification: "restricted" }),
            topic("sales.orders"),
          ],
        },
        "staging",
      );
      assert.deepEqual(
        paths(problems),
        ["platform.streaming.topics[0].classification", "platform.streaming.topics[1].classification"],
        engine,
      );
      assert.match(problems[0].message, /land it in the lake's restricted bucket/);
    }
  });

  it("checks nothing when streaming is disabled", () => {
    assert.deepEqual(check({ enabled: false, brokers: 5 }, "prod"), []);
  });
});
