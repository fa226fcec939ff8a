export * from "./config";
export * from "./documents";
export * from "./iam";
export { KafkaCluster, KafkaClusterArgs } from "./KafkaCluster";
export { planTopicChanges, topicSpec, topicsChecksum, TopicPlan, TopicSpec, TopicState } from "./topics";
