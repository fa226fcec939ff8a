import { doc, PolicyDocument } from "../core/iam";
import type { PolicyStatement } from "../functions/types";

// IAM for Kafka clients. With IAM authentication, MSK authorises every Kafka request against the caller's IAM
// policies, on ARNs derived from the cluster's: topic/<cluster>/<uuid>/<topic>, group/<cluster>/<uuid>/<group>.

const CLUSTER_ARN = /^arn:(aws[a-z-]*):kafka:([a-z0-9-]+):(\d{12}):cluster\/([^/]+)\/([^/]+)$/;

export interface KafkaArns {
  readonly cluster: string;
  topic(name: string): string;
  /** A consumer-group ARN; `*` wildcards allowed. */
  group(pattern: string): string;
}

/** The ARNs IAM policies name for a cluster's topics and groups, derived from the cluster ARN. */
export function kafkaArns(clusterArn: string): KafkaArns {
  const m = CLUSTER_ARN.exec(clusterArn);
  if (!m) throw new Error(`not an MSK cluster ARN: ${clusterArn}`);
  const [, partition, region, account, name, uuid] = m;
  const base = (kind: string) => `arn:${partition}:kafka:${region}:${account}:${kind}/${name}/${uuid}`;
  return { cluster: clusterArn, topic: (t) => `${base("topic")}/${t}`, group: (g) => `${base("group")}/${g}` };
}

/** Consumer groups of a topic are named `<topic>.<consumer>`; consume grants cover exactly those. */
export const consumerGroupPattern = (topic: string) => `${topic}.*`;

const connect = (arns: KafkaArns): PolicyStatement => ({
  Sid: "Connect",
  Effect: "Allow",
  Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
  Resource: arns.cluster,
});

/**
 * Produce to one topic. Idempotent writes (the default of every current Kafka producer) need their own
 * cluster-level action; transactions are not granted.
 */
export function produceStatements(clusterArn: string, topic: string): PolicyStatement[] {
  const arns = kafkaArns(clusterArn);
  return [
    connect(arns),
    { Sid: "IdempotentWrites", Effect: "Allow", Action: "kafka-cluster:WriteDataIdempotently", Resource: arns.cluster },
    {
      Sid: "Produce",
      Effect: "Allow",
      Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"],
      Resource: arns.topic(topic),
    },
  ];
}

/** Consume one topic, committing offsets only in the topic's own consumer groups. */
export function consumeStatements(
  clusterArn: string,
  topic: string,
  groupPattern = consumerGroupPattern(topic),
): PolicyStatement[] {
  const arns = kafkaArns(clusterArn);
  return [
    connect(arns),
    {
      Sid: "Consume",
      Effect: "Allow",
      Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
      Resource: arns.topic(topic),
    },
    {
      Sid: "ConsumerGroups",
      Effect: "Allow",
      Action: ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
      Resource: arns.group(groupPattern),
    },
  ];
}

export interface TopicPolicies {
  readonly topicArn: string;
  readonly produce: PolicyDocument;
  readonly consume: PolicyDocument;
}

/** Per topic, the documents ingestion, Spark or Trino attach to their roles. */
export function topicPolicies(clusterArn: string, topics: readonly string[]): Record<string, TopicPolicies> {
  const arns = kafkaArns(clusterArn);
  return Object.fromEntries(
    topics.map((t) => [
      t,
      {
        topicArn: arns.topic(t),
        produce: doc(...produceStatements(clusterArn, t)),
        consume: doc(...consumeStatements(clusterArn, t)),
      },
    ]),
  );
}

/**
 * The topic manager creates and reconfigures the declared topics and nothing else: it cannot read or write
 * data, touch groups, or see or delete any other topic.
 */
export function topicManagerStatements(clusterArn: string, topics: readonly string[]): PolicyStatement[] {
  const arns = kafkaArns(clusterArn);
  const statements: PolicyStatement[] = [connect(arns)];
  if (topics.length > 0) {
    statements.push({
      Sid: "ManageDeclaredTopics",
      Effect: "Allow",
      Action: [
        "kafka-cluster:CreateTopic",
        "kafka-cluster:DescribeTopic",
        "kafka-cluster:AlterTopic",
        "kafka-cluster:DescribeTopicDynamicConfiguration",
        "kafka-cluster:AlterTopicDynamicConfiguration",
      ],
      Resource: topics.map((t) => arns.topic(t)),
    });
  }
  return statements;
}
