import type { TopicAdmin } from "../../../components/streaming/handlers/topics";

interface FakeTopic {
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/**
 * An in-memory stand-in for a Kafka cluster behind kafkajs's Admin, with the broker's rules that matter here:
 * creating an existing topic fails, partitions only grow, a replication factor above the broker count fails,
 * and alterConfigs (non-incremental) replaces a topic's dynamic configs. `calls` records every mutation.
 */
export function fakeAdmin(brokers: number, initial: Record<string, FakeTopic> = {}) {
  const topics = new Map(Object.entries(structuredClone(initial)));
  const calls: string[] = [];
  const admin: TopicAdmin = {
    async listTopics() {
      return [...topics.keys()];
    },
    async fetchTopicMetadata(options) {
      return {
        topics: (options?.topics ?? [...topics.keys()]).map((name) => {
          const t = topics.get(name);
          if (!t) throw new Error(`This server does not host this topic-partition: ${name}`);
          return {
            name,
            partitions: Array.from({ length: t.partitions }, (_, partitionId) => ({
              partitionErrorCode: 0,
              partitionId,
              leader: 1,
              replicas: Array.from({ length: t.replicationFactor }, (_, r) => r + 1),
              isr: Array.from({ length: t.replicationFactor }, (_, r) => r + 1),
              offlineReplicas: [],
            })),
          };
        }),
      };
    },
    async describeConfigs({ resources }) {
      return {
        throttleTime: 0,
        resources: resources.map((r) => ({
          errorCode: 0,
          errorMessage: "",
          resourceName: r.name,
          resourceType: r.type,
          configEntries: Object.entries(topics.get(r.name)?.configs ?? {})
            .filter(([k]) => !r.configNames || r.configNames.includes(k))
            .map(([configName, configValue]) => ({
              configName,
              configValue,
              isDefault: false,
              configSource: 1,
              isSensitive: false,
              readOnly: false,
              configSynonyms: [],
            })),
        })),
      };
    },
    async createTopics({ topics: wanted }) {
      for (const t of wanted) {
        if (topics.has(t.topic)) throw new Error(`Topic with this name already exists: ${t.topic}`);
        const rf =
          t.replicationFactor === undefined || t.replicationFactor === -1 ? Math.min(3, brokers) : t.replicationFactor;
        if (rf > brokers) throw new Error(`Replication factor: ${rf} larger than available brokers: ${brokers}`);
        topics.set(t.topic, {
          partitions: t.numPartitions ?? 1,
          replicationFactor: rf,
          configs: Object.fromEntries((t.configEntries ?? []).map((c) => [c.name, c.value])),
        });
        calls.push(`create ${t.topic}`);
      }
      return true;
    },
    async createPartitions({ topicPartitions }) {
      for (const p of topicPartitions) {
        const t = topics.get(p.topic)!;
        if (p.count <= t.partitions)
          throw new Error(
            `Topic currently has ${t.partitions} partitions, which is higher than the requested ${p.count}`,
          );
        t.partitions = p.count;
        calls.push(`partitions ${p.topic} ${p.count}`);
      }
      return true;
    },
    async alterConfigs({ resources }) {
      for (const r of resources) {
        topics.get(r.name)!.configs = Object.fromEntries(r.configEntries.map((c) => [c.name, c.value]));
        calls.push(`configs ${r.name}`);
      }
      return {};
    },
  };
  return { admin, topics, calls };
}
