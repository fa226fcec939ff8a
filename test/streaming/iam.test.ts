import { strict as assert } from "assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../components/core/iam";
import {
  consumeStatements,
  kafkaArns,
  produceStatements,
  topicManagerStatements,
  topicPolicies,
} from "../../components/streaming/iam";

const ACCOUNT = "123456789012";
const CLUSTER = `arn:aws:kafka:eu-west-1:${ACCOUNT}:cluster/acme-data-prod-kafka/0a1b2c3d-1111-2222-3333-444455556666-s1`;
const arns = kafkaArns(CLUSTER);
const doc = (Statement: PolicyDocument["Statement"]): PolicyDocument => ({ Version: "2012-10-17", Statement });

/** The IAM simulator's verdict for one request against one identity policy. */
async function allowed(policy: PolicyDocument, action: string, resource: string): Promise<boolean> {
  const r = await runSimulation(
    {
      identityPolicies: [{ name: "p", policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:iam::${ACCOUNT}:role/acme-data-prod/client`,
        resource: { accountId: ACCOUNT, resource },
        contextVariables: {},
      },
    } as never,
    {},
  );
  if (r.resultType !== "single") throw new Error(JSON.stringify(r));
  return r.overallResult === "Allowed";
}

describe("Kafka IAM documents", () => {
  it("derives topic and group ARNs from the cluster ARN, and rejects anything else", () => {
    assert.equal(
      arns.topic("sales.orders"),
      `arn:aws:kafka:eu-west-1:${ACCOUNT}:topic/acme-data-prod-kafka/0a1b2c3d-1111-2222-3333-444455556666-s1/sales.orders`,
    );
    assert.equal(
      arns.group("sales.orders.*"),
      `arn:aws:kafka:eu-west-1:${ACCOUNT}:group/acme-data-prod-kafka/0a1b2c3d-1111-2222-3333-444455556666-s1/sales.orders.*`,
    );
    assert.throws(() => kafkaArns(`arn:aws:kafka:eu-west-1:${ACCOUNT}:topic/x/y/z`), /not an MSK cluster ARN/);
    assert.throws(() => kafkaArns("arn:aws:s3:::bucket"), /not an MSK cluster ARN/);
  });

  it("produce: connect and write this topic only; no reading, no other topic, no admin", async () => {
    const p = doc(produceStatements(CLUSTER, "sales.orders"));
    assert.equal(await allowed(p, "kafka-cluster:Connect", CLUSTER), true);
    assert.equal(await allowed(p, "kafka-cluster:WriteDataIdempotently", CLUSTER), true);
    assert.equal(await allowed(p, "kafka-cluster:WriteData", arns.topic("sales.orders")), true);
    assert.equal(await allowed(p, "kafka-cluster:WriteData", arns.topic("sales.refunds")), false);
    assert.equal(await allowed(p, "kafka-cluster:ReadData", arns.topic("sales.orders")), false);
    assert.equal(await allowed(p, "kafka-cluster:CreateTopic", arns.topic("sales.orders")), false);
    assert.equal(await allowed(p, "kafka-cluster:AlterCluster", CLUSTER), false);
  });

  it("consume: read this topic and commit offsets in its own groups only", async () => {
    const c = doc(consumeStatements(CLUSTER, "sales.orders"));
    assert.equal(await allowed(c, "kafka-cluster:ReadData", arns.topic("sales.orders")), true);
    assert.equal(await allowed(c, "kafka-cluster:AlterGroup", arns.group("sales.orders.spark-enricher")), true);
    assert.equal(await allowed(c, "kafka-cluster:AlterGroup", arns.group("hr.changes.reader")), false);
    assert.equal(await allowed(c, "kafka-cluster:ReadData", arns.topic("hr.changes")), false);
    assert.equal(await allowed(c, "kafka-cluster:WriteData", arns.topic("sales.orders")), false);
  });

  it("scopes a similar-looking topic out (no prefix wildcards)", async () => {
    const c = doc(consumeStatements(CLUSTER, "sales.orders"));
    assert.equal(await allowed(c, "kafka-cluster:ReadData", arns.topic("sales.orders-pii")), false);
  });

  it("topic manager: create and reconfigure the declared topics only, never data or other topics", async () => {
    const m = doc(topicManagerStatements(CLUSTER, ["sales.orders"]));
    assert.equal(await allowed(m, "kafka-cluster:CreateTopic", arns.topic("sales.orders")), true);
    assert.equal(await allowed(m, "kafka-cluster:AlterTopicDynamicConfiguration", arns.topic("sales.orders")), true);
    assert.equal(await allowed(m, "kafka-cluster:CreateTopic", arns.topic("sales.other")), false);
    assert.equal(await allowed(m, "kafka-cluster:DeleteTopic", arns.topic("sales.orders")), false);
    assert.equal(await allowed(m, "kafka-cluster:ReadData", arns.topic("sales.orders")), false);
    assert.equal(await allowed(m, "kafka-cluster:WriteData", arns.topic("sales.orders")), false);
  });

  it("gives one produce and one consume document per topic, each naming that topic's ARN", () => {
    const out = topicPolicies(CLUSTER, ["sales.orders", "hr.changes"]);
    assert.deepEqual(Object.keys(out), ["sales.orders", "hr.changes"]);
    for (const [topic, p] of Object.entries(out)) {
      assert.equal(p.topicArn, arns.topic(topic));
      const resources = (d: PolicyDocument) => d.Statement.flatMap((s) => s.Resource ?? []);
      assert.ok(resources(p.produce).includes(arns.topic(topic)) && resources(p.consume).includes(arns.topic(topic)));
      assert.ok(!resources(p.produce).some((r) => r.includes(":topic/") && r !== arns.topic(topic)));
    }
  });
});
