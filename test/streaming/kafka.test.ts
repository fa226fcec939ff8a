import { strict as assert } from "assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Environment } from "../../components/core/types";
import { KafkaCluster } from "../../components/streaming/KafkaCluster";
import { resolveStreamingConfig, StreamingInput } from "../../components/streaming/config";
import { parseProperties } from "../../components/streaming/documents";
import { parseTopicsEvent } from "../../components/streaming/handlers/topics";
import { kafkaArns, TopicPolicies } from "../../components/streaming/iam";
import type { PlannedResource } from "../../policies/engine/args";
import { ACCOUNT_ID } from "../../tools/plan/mocks";
import { keyArn, one, ofType, planResources, refs, WORKLOAD_SG } from "../warehouse/support/program";

const T = {
  cluster: "aws:msk/cluster:Cluster",
  serverless: "aws:msk/serverlessCluster:ServerlessCluster",
  configuration: "aws:msk/configuration:Configuration",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  target: "aws:appautoscaling/target:Target",
  policy: "aws:appautoscaling/policy:Policy",
  fn: "aws:lambda/function:Function",
  invocation: "aws:lambda/invocation:Invocation",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};
const DOMAINS = [{ name: "sales", classification: "internal" as const }];
const TOPICS = [
  { name: "sales.orders", partitions: 6, domain: "sales" },
  { name: "sales.customers", partitions: 3, domain: "sales", cleanupPolicy: "compact" as const },
];

async function plan(environment: Environment, input: StreamingInput) {
  return planResources(() => {
    const k = new KafkaCluster("kafka", {
      ...refs(environment),
      config: resolveStreamingConfig(input, environment, DOMAINS),
    });
    return { arn: k.clusterArn, brokers: k.bootstrapBrokers, policies: k.topicPolicies, sg: k.securityGroupId };
  });
}

describe("KafkaCluster component", function () {
  this.timeout(30_000);

  describe("msk (prod)", () => {
    let rs: PlannedResource[];
    let outputs: Record<string, unknown>;
    before(async () => ({ resources: rs, outputs } = await plan("prod", { topics: TOPICS })));

    it("spreads 3 brokers of the profile's type over the private subnets, with autoscaled storage and enhanced monitoring", () => {
      const c = one(rs, T.cluster);
      const group = c.inputs.brokerNodeGroupInfo as {
        instanceType: string;
        clientSubnets: string[];
        securityGroups: string[];
        storageInfo: { ebsStorageInfo: { volumeSize: number } };
        connectivityInfo: { publicAccess: { type: string } };
      };
      assert.equal(c.inputs.numberOfBrokerNodes, 3);
      assert.equal(group.instanceType, "kafka.m7g.large");
      assert.deepEqual(group.clientSubnets, ["subnet-private0", "subnet-private1", "subnet-private2"]);
      assert.deepEqual(group.securityGroups, [outputs.sg]);
      assert.equal(group.connectivityInfo.publicAccess.type, "DISABLED");
      assert.equal(c.inputs.enhancedMonitoring, "PER_TOPIC_PER_BROKER");
      assert.equal(c.protect, true);
      const target = one(rs, T.target).inputs;
      assert.deepEqual(
        [target.resourceId, target.scalableDimension, target.maxCapacity],
        [outputs.arn, "kafka:broker-storage:VolumeSize", 4000],
      );
      const policy = one(rs, T.policy).inputs.targetTrackingScalingPolicyConfiguration as {
        predefinedMetricSpecification: { predefinedMetricType: string };
        disableScaleIn: boolean;
      };
      assert.equal(policy.predefinedMetricSpecification.predefinedMetricType, "KafkaBrokerStorageUtilization");
      assert.equal(policy.disableScaleIn, true);
    });

    it("is TLS-only in transit (in-cluster too), encrypted with the confidential key, and IAM-authenticated only", () => {
      const c = one(rs, T.cluster).inputs;
      assert.deepEqual(c.encryptionInfo, {
        encryptionAtRestKmsKeyArn: keyArn("confidential"),
        encryptionInTransit: { clientBroker: "TLS", inCluster: true },
      });
      assert.deepEqual(c.clientAuthentication, { sasl: { iam: true, scram: false }, unauthenticated: false });
    });

    it("logs brokers to an encrypted log group with the prod retention", () => {
      const c = one(rs, T.cluster).inputs;
      const logs = one(rs, T.logGroup, "kafka-broker-logs").inputs;
      assert.deepEqual(c.loggingInfo, { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logs.name } } });
      assert.deepEqual([logs.kmsKeyId, logs.retentionInDays], [keyArn("confidential"), 365]);
    });

    it("attaches a configuration with no auto-created topics, the prod replication and no ACL-less access", () => {
      const configuration = one(rs, T.configuration);
      const props = parseProperties(String(configuration.inputs.serverProperties));
      assert.deepEqual(
        [
          props["auto.create.topics.enable"],
          props["default.replication.factor"],
          props["min.insync.replicas"],
          props["allow.everyone.if.no.acl.found"],
          props["unclean.leader.election.enable"],
        ],
        ["false", "3", "2", "false", "false"],
      );
      assert.deepEqual(configuration.inputs.kafkaVersions, ["3.8.x"]);
      const info = one(rs, T.cluster).inputs.configurationInfo as { arn: string; revision: number };
      assert.match(info.arn, /^arn:aws:kafka:eu-west-1:\d{12}:configuration\/acme-data-prod-kafka-config\//);
      assert.equal(info.revision, 1);
    });

    it("admits only the platform's producers and consumers, on the IAM port", () => {
      const sg = one(rs, T.sg).inputs;
      const ingress = sg.ingress as {
        fromPort: number;
        toPort: number;
        securityGroups?: string[];
        cidrBlocks?: string[];
      }[];
      assert.deepEqual(ingress.flatMap((i) => i.securityGroups ?? []).sort(), Object.values(WORKLOAD_SG).sort());
      assert.ok(ingress.every((i) => i.fromPort === 9098 && i.toPort === 9098 && !i.cidrBlocks));
      assert.deepEqual(sg.egress, []);
    });

    it("creates topics from inside the VPC with the declared specs, re-run keyed on their checksum", () => {
      const fn = one(rs, T.fn).inputs;
      assert.deepEqual(fn.vpcConfig, {
        subnetIds: ["subnet-private0", "subnet-private1", "subnet-private2"],
        securityGroupIds: [WORKLOAD_SG.ingestion],
      });
      const inv = one(rs, T.invocation);
      const event = parseTopicsEvent(JSON.parse(String(inv.inputs.input)));
      assert.equal(event.bootstrapBrokers, outputs.brokers);
      assert.match(event.bootstrapBrokers, /:9098(,|$)/);
      assert.deepEqual(
        event.topics.map((t) => [t.name, t.partitions, t.replicationFactor, t.configs["cleanup.policy"]]),
        [
          ["sales.orders", 6, 3, "delete"],
          ["sales.customers", 3, 3, "compact"],
        ],
      );
      assert.equal((inv.inputs.triggers as Record<string, string>).topics, event.checksum);
      assert.ok(inv.dependencies.includes(one(rs, T.cluster).urn));
    });

    it("lets the topic manager manage the declared topics of this cluster and nothing else", async () => {
      const policy = JSON.parse(String(one(rs, T.rolePolicy, "kafka-topics-role-policy").inputs.policy));
      const arns = kafkaArns(String(outputs.arn));
      const can = async (action: string, resource: string) => {
        const r = await runSimulation(
          {
            identityPolicies: [{ name: "p", policy }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            request: {
              action,
              principal: `arn:aws:iam::${ACCOUNT_ID}:role/acme-data-prod/topics`,
              resource: { accountId: ACCOUNT_ID, resource },
              contextVariables: {},
            },
          } as never,
          {},
        );
        return r.resultType === "single" && r.overallResult === "Allowed";
      };
      assert.equal(await can("kafka-cluster:CreateTopic", arns.topic("sales.orders")), true);
      assert.equal(await can("kafka-cluster:CreateTopic", arns.topic("hr.salaries")), false);
      assert.equal(await can("kafka-cluster:ReadData", arns.topic("sales.orders")), false);
    });

    it("outputs per topic a produce and a consume document scoped to that topic's ARN on this cluster", () => {
      const policies = outputs.policies as Record<string, TopicPolicies>;
      assert.deepEqual(Object.keys(policies), ["sales.orders", "sales.customers"]);
      const expected = kafkaArns(String(outputs.arn)).topic("sales.orders");
      assert.equal(policies["sales.orders"].topicArn, expected);
      assert.ok(
        policies["sales.orders"].produce.Statement.some(
          (s) => s.Resource === expected && (s.Action as string[]).includes("kafka-cluster:WriteData"),
        ),
      );
      assert.ok(
        policies["sales.orders"].consume.Statement.some(
          (s) => s.Resource === expected && (s.Action as string[]).includes("kafka-cluster:ReadData"),
        ),
      );
    });
  });

  it("dev: two small brokers, default monitoring, short log retention, not protected", async () => {
    const { resources } = await plan("dev", { topics: TOPICS });
    const c = one(resources, T.cluster);
    assert.deepEqual(
      [
        c.inputs.numberOfBrokerNodes,
        (c.inputs.brokerNodeGroupInfo as { instanceType: string }).instanceType,
        c.inputs.enhancedMonitoring,
        c.protect,
      ],
      [2, "kafka.t3.small", "DEFAULT", false],
    );
    assert.equal(one(resources, T.logGroup, "kafka-broker-logs").inputs.retentionInDays, 7);
    assert.match(String(one(resources, T.configuration).inputs.serverProperties), /min\.insync\.replicas=1/);
  });

  it("msk-serverless: IAM-authenticated serverless cluster in the private subnets; topics leave replication to the service", async () => {
    const { resources, outputs } = await plan("staging", { engine: "msk-serverless", topics: [TOPICS[0]] });
    assert.equal(ofType(resources, T.cluster).length, 0);
    assert.equal(ofType(resources, T.configuration).length, 0);
    const s = one(resources, T.serverless).inputs;
    assert.deepEqual(s.clientAuthentication, { sasl: { iam: { enabled: true } } });
    assert.deepEqual(s.vpcConfigs, [
      { subnetIds: ["subnet-private0", "subnet-private1"], securityGroupIds: [outputs.sg] },
    ]);
    const event = parseTopicsEvent(JSON.parse(String(one(resources, T.invocation).inputs.input)));
    assert.equal(event.topics[0].replicationFactor, undefined);
    assert.equal(
      (outputs.policies as Record<string, TopicPolicies>)["sales.orders"].topicArn,
      kafkaArns(String(outputs.arn)).topic("sales.orders"),
    );
  });
});
