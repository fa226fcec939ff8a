import { Logger } from "@aws-lambda-powertools/logger";
import { Admin, ConfigResourceTypes, Kafka, KafkaConfig, logLevel } from "kafkajs";
import { z } from "zod";
import { planTopicChanges, TopicPlan, TopicSpec, TopicState, topicsChecksum } from "../topics";
import { mskAuthToken } from "./msk-token";

// Deploy-time topic manager: the program invokes it (aws.lambda.Invocation) with the declared topics whenever
// their declaration changes. It runs in the VPC (brokers are private) as an ingestion workload, authenticates
// with IAM, and may only create and reconfigure the declared topics (see topicManagerStatements).

const logger = new Logger();

const specSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/),
  partitions: z.number().int().min(1),
  replicationFactor: z.number().int().min(1).optional(),
  configs: z.record(z.string(), z.string()),
});
const eventSchema = z.strictObject({
  bootstrapBrokers: z.string().min(1),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  topics: z.array(specSchema),
});
export type TopicsEvent = z.infer<typeof eventSchema>;

/** A payload the manager will not act on, named by field; retrying cannot fix it. */
export class InvalidTopicsEvent extends Error {
  override readonly name = "InvalidTopicsEvent";
}

/** A change Kafka cannot make (fewer partitions, another replication factor), named by topic; nothing was changed. */
export class TopicChangeRefused extends Error {
  override readonly name = "TopicChangeRefused";
}

/** Validates the event and its checksum, so a truncated or edited payload is rejected before any change. */
export function parseTopicsEvent(event: unknown): TopicsEvent {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success)
    throw new InvalidTopicsEvent(
      `invalid topics event: ${parsed.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ")}`,
    );
  if (topicsChecksum(parsed.data.topics) !== parsed.data.checksum)
    throw new InvalidTopicsEvent("topics checksum does not match the topics");
  return parsed.data;
}

/** What the manager needs from a Kafka admin client (kafkajs's Admin; tests pass an in-memory one). */
export type TopicAdmin = Pick<
  Admin,
  "listTopics" | "fetchTopicMetadata" | "describeConfigs" | "createTopics" | "createPartitions" | "alterConfigs"
>;

export type TokenSigner = (region: string) => Promise<{ token: string; expiryTime: number }>;

/** TLS to the brokers and SASL/OAUTHBEARER with a SigV4 token: MSK's IAM authentication. */
export function kafkaClientConfig(
  bootstrapBrokers: string,
  region: string,
  sign: TokenSigner = (r) => mskAuthToken(r),
): KafkaConfig {
  return {
    clientId: "platform-topic-manager",
    brokers: bootstrapBrokers
      .split(",")
      .map((b) => b.trim())
      .filter(Boolean),
    ssl: true,
    sasl: {
      mechanism: "oauthbearer",
      oauthBearerProvider: async () => ({ value: (await sign(region)).token }),
    },
    connectionTimeout: 10_000,
    logLevel: logLevel.WARN,
  };
}

/** Reads partitions, replication and the owned configs of the declared topics that exist. */
export async function readTopics(admin: TopicAdmin, specs: readonly TopicSpec[]): Promise<Map<string, TopicState>> {
  const wanted = new Set(specs.map((s) => s.name));
  const existing = (await admin.listTopics()).filter((t) => wanted.has(t));
  const state = new Map<string, TopicState>();
  if (existing.length === 0) return state;
  const { topics } = await admin.fetchTopicMetadata({ topics: existing });
  const configNames = [...new Set(specs.flatMap((s) => Object.keys(s.configs)))];
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: existing.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames })),
  });
  for (const t of topics) {
    const resource = described.resources.find((r) => r.resourceName === t.name);
    state.set(t.name, {
      partitions: t.partitions.length,
      replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
      configs: Object.fromEntries((resource?.configEntries ?? []).map((c) => [c.configName, c.configValue])),
    });
  }
  return state;
}

/** Applies a plan: creations, then partition growth, then config changes. Refuses the whole plan if any part is refused. */
export async function applyTopicPlan(admin: TopicAdmin, plan: TopicPlan): Promise<void> {
  if (plan.refused.length > 0) {
    throw new TopicChangeRefused(
      `refusing to change topics: ${plan.refused.map((r) => `${r.name} ${r.reason}`).join("; ")}`,
    );
  }
  if (plan.create.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: plan.create.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        // -1 lets the cluster apply its default (the only choice on msk-serverless).
        replicationFactor: s.replicationFactor ?? -1,
        configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  if (plan.addPartitions.length > 0) {
    await admin.createPartitions({ topicPartitions: plan.addPartitions.map((p) => ({ topic: p.name, count: p.to })) });
  }
  if (plan.reconfigure.length > 0) {
    // Not incremental: the platform owns every dynamic config of its topics, so the declared set is the whole set.
    await admin.alterConfigs({
      validateOnly: false,
      resources: plan.reconfigure.map((r) => ({
        type: ConfigResourceTypes.TOPIC,
        name: r.name,
        configEntries: Object.entries(r.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }
}

export interface TopicsResult {
  readonly created: string[];
  readonly partitionsAdded: string[];
  readonly reconfigured: string[];
  readonly unchanged: string[];
  readonly checksum: string;
}

/** Reads, plans and applies; the summary (names only) lands in the Invocation's state. */
export async function reconcileTopics(admin: TopicAdmin, event: TopicsEvent): Promise<TopicsResult> {
  const plan = planTopicChanges(event.topics, await readTopics(admin, event.topics));
  await applyTopicPlan(admin, plan);
  return {
    created: plan.create.map((t) => t.name),
    partitionsAdded: plan.addPartitions.map((p) => p.name),
    reconfigured: plan.reconfigure.map((r) => r.name),
    unchanged: plan.unchanged,
    checksum: event.checksum,
  };
}

export async function handler(event: unknown): Promise<TopicsResult> {
  const e = parseTopicsEvent(event);
  const admin = new Kafka(kafkaClientConfig(e.bootstrapBrokers, e.region)).admin();
  await admin.connect();
  try {
    const result = await reconcileTopics(admin, e);
    logger.info("topics reconciled", { ...result });
    return result;
  } finally {
    await admin.disconnect();
  }
}
