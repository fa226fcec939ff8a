import { Classification, WORKLOAD_KINDS, WorkloadKind } from "../core/types";
import type { StreamingConfig } from "./config";

/** Brokers listen for SASL/IAM clients on 9098 inside the VPC; no other listener is opened. */
export const KAFKA_IAM_PORT = 9098;

/** Producers and consumers: the platform's ingestion functions, Kubernetes compute (Spark, Trino) and BI clients. */
export const KAFKA_CLIENTS: readonly WorkloadKind[] = WORKLOAD_KINDS;

/**
 * The broker configuration. Topics exist only when declared (no auto-creation from a typo'd producer), replication
 * and in-sync replicas come from the profile, an unclean leader never loses acknowledged writes, and with no ACL
 * nobody is allowed anything (IAM decides; this keeps a future SCRAM listener closed by default).
 */
export function serverProperties(c: Pick<StreamingConfig, "defaultReplicationFactor" | "minInsyncReplicas">): string {
  return [
    "auto.create.topics.enable=false",
    `default.replication.factor=${c.defaultReplicationFactor}`,
    `min.insync.replicas=${c.minInsyncReplicas}`,
    "unclean.leader.election.enable=false",
    "allow.everyone.if.no.acl.found=false",
    "delete.topic.enable=true",
    "num.partitions=1",
  ].join("\n");
}

/** Parses `key=value` lines back (tests and policies read the configuration this way). */
export function parseProperties(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** The cluster is shared by every producer and consumer and encrypted with the confidential key. */
export const KAFKA_CLASSIFICATION: Classification = "confidential";

/** Storage autoscaling target: grow a broker's volume when it is this full. */
export const STORAGE_TARGET_UTILIZATION = 70;
