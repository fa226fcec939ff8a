import { createHash } from "crypto";
import type { TopicConfig } from "./config";

// What the topic manager should make true on the cluster, and how to get there from what is there. Pure: the
// handler reads the cluster, calls planTopicChanges, and applies the result.

/** A topic as the manager wants it. Configs are the topic-level settings the platform owns. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Undefined: the cluster's default (msk-serverless fixes it). */
  readonly replicationFactor?: number;
  readonly configs: Readonly<Record<string, string>>;
}

/** A topic as the cluster reports it. */
export interface TopicState {
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicPlan {
  readonly create: TopicSpec[];
  readonly addPartitions: { name: string; from: number; to: number }[];
  readonly reconfigure: { name: string; configs: Record<string, string>; changed: string[] }[];
  readonly unchanged: string[];
  /** Changes Kafka cannot make in place; any of these stops the run before anything is touched. */
  readonly refused: { name: string; reason: string }[];
}

const HOUR_MS = 3_600_000;

export function topicSpec(t: TopicConfig): TopicSpec {
  return {
    name: t.name,
    partitions: t.partitions,
    replicationFactor: t.replicationFactor,
    configs: { "cleanup.policy": t.cleanupPolicy, "retention.ms": String(t.retentionHours * HOUR_MS) },
  };
}

/** Hash of the specs: the invocation re-runs exactly when a topic's declaration changes. */
export function topicsChecksum(specs: readonly TopicSpec[]): string {
  const canonical = [...specs]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => ({
      ...s,
      configs: Object.fromEntries(Object.entries(s.configs).sort(([a], [b]) => a.localeCompare(b))),
    }));
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

/**
 * Diffs desired topics against the cluster. Partitions only grow (Kafka cannot shrink them and keep key
 * ordering); replication changes need a reassignment, which is an operator's job, so both are refused with a
 * reason rather than half-applied. Topics that exist but are not declared are left alone.
 */
export function planTopicChanges(desired: readonly TopicSpec[], actual: ReadonlyMap<string, TopicState>): TopicPlan {
  const plan: TopicPlan = { create: [], addPartitions: [], reconfigure: [], unchanged: [], refused: [] };
  for (const want of desired) {
    const have = actual.get(want.name);
    if (!have) {
      plan.create.push(want);
      continue;
    }
    let changed = false;
    const refusedBefore = plan.refused.length;
    if (want.partitions < have.partitions) {
      plan.refused.push({
        name: want.name,
        reason: `has ${have.partitions} partitions; Kafka cannot reduce them to ${want.partitions}`,
      });
    } else if (want.partitions > have.partitions) {
      plan.addPartitions.push({ name: want.name, from: have.partitions, to: want.partitions });
      changed = true;
    }
    if (want.replicationFactor !== undefined && want.replicationFactor !== have.replicationFactor) {
      plan.refused.push({
        name: want.name,
        reason: `has replication factor ${have.replicationFactor}; changing it to ${want.replicationFactor} needs a partition reassignment`,
      });
    }
    const differing = Object.keys(want.configs).filter((k) => have.configs[k] !== want.configs[k]);
    if (differing.length > 0) {
      plan.reconfigure.push({ name: want.name, configs: { ...want.configs }, changed: differing.sort() });
      changed = true;
    }
    if (!changed && plan.refused.length === refusedBefore) plan.unchanged.push(want.name);
  }
  return plan;
}
