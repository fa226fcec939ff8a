import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext, SecurityRefs } from "../core/types";
import { LakeRefs, zoneFor } from "../ingestion/types";
import type { StreamingConfig } from "../streaming/config";
import { StreamProcessor } from "./StreamProcessor";
import { DeliveryTableRef, TopicDelivery } from "./TopicDelivery";

export interface StreamsArgs {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  readonly security: SecurityRefs;
  readonly cluster: { readonly clusterArn: pulumi.Input<string>; readonly clusterName: pulumi.Input<string> };
  readonly streaming: StreamingConfig;
  readonly lake: LakeRefs;
  readonly alertsTopicArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** The Iceberg table `<domain>.<table>` a delivery writes (required for deliveries that declare one). */
  readonly table?: (domain: string, table: string) => DeliveryTableRef;
}

/** Everything that consumes the platform's topics into the lake: Firehose deliveries and stream processors. */
export function declareStreams(
  name: string,
  args: StreamsArgs,
  parent: pulumi.Resource,
): { deliveries: Record<string, TopicDelivery>; processors: Record<string, StreamProcessor> } {
  const { ctx, streaming } = args;
  const deliveries: Record<string, TopicDelivery> = {};
  const processors: Record<string, StreamProcessor> = {};
  for (const topic of streaming.topics) {
    if (!topic.delivery) continue;
    deliveries[topic.name] = new TopicDelivery(
      `${name}-delivery-${topic.name}`,
      {
        ctx,
        accountId: args.accountId,
        security: args.security,
        clusterArn: args.cluster.clusterArn,
        topic: { ...topic, delivery: topic.delivery },
        raw: zoneFor(args.lake, "raw", topic.domain),
        table: topic.delivery.table ? args.table?.(topic.domain, topic.delivery.table) : undefined,
        alertsTopicArn: args.alertsTopicArn,
        logRetentionDays: args.logRetentionDays,
      },
      { parent },
    );
  }
  for (const proc of streaming.processors) {
    const topic = streaming.topics.find((t) => t.name === proc.topic);
    // The config check refuses both; this guards a hand-built config.
    if (!topic?.schema) throw new Error(`processor ${proc.name}: topic '${proc.topic}' is not declared with a schema`);
    processors[proc.name] = new StreamProcessor(
      `${name}-processor-${proc.name}`,
      {
        ctx,
        security: args.security,
        clusterArn: args.cluster.clusterArn,
        clusterName: args.cluster.clusterName,
        processor: proc,
        topic: { ...topic, schema: topic.schema },
        raw: zoneFor(args.lake, "raw", topic.domain),
        alertsTopicArn: args.alertsTopicArn,
        logRetentionDays: args.logRetentionDays,
      },
      { parent },
    );
  }
  return { deliveries, processors };
}
