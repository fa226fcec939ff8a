import type { ResolvedConfig } from "../config/profiles";
import type { PlatformContext } from "../core/types";
import type { DatasetCatalogArgs } from "../datasets/DatasetCatalog";
import type { CatalogLake } from "../datasets/location";
import { deliveryPrefixes } from "../streaming/delivery";
import { processorRoot } from "../streaming/processors";

/** The catalog's arguments from a validated config, the lake and the access model's LF-tag keys. */
export function catalogArgs(
  ctx: PlatformContext,
  cfg: ResolvedConfig,
  refs: Pick<DatasetCatalogArgs, "accountId" | "permissionsBoundaryArn" | "lfTagKeys" | "alertsTopicArn"> & {
    lake: CatalogLake;
  },
): DatasetCatalogArgs {
  return {
    ctx,
    ...refs,
    domains: cfg.domains,
    rawClassification: cfg.lake.zones.raw.classification,
    sources: [...cfg.ingestion.sources.flatMap((s) => (s.kind === "object-events" ? [] : [s])), ...streamTables(cfg)],
    datasets: cfg.datasets,
  };
}

/**
 * Raw tables over what streams land: the `topic=<topic>/` prefix of a topic delivered into the raw zone (GZIP JSON
 * lines; a delivery into a table has that table instead) and a processor's `processor=<name>/` prefix (one JSON
 * object per record), with columns from the topic's schema.
 */
export function streamTables(cfg: Pick<ResolvedConfig, "streaming">): NonNullable<DatasetCatalogArgs["sources"]> {
  const { topics, processors } = cfg.streaming;
  const tableName = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9]/g, "_").toLowerCase()}`;
  return [
    ...topics.flatMap((t) =>
      t.delivery && !t.delivery.table
        ? [
            {
              name: t.name,
              kind: "topic",
              domain: t.domain,
              classification: t.classification,
              schema: t.schema,
              prefix: deliveryPrefixes(t.domain, t.name).root,
              tableName: tableName("topic", t.name),
            },
          ]
        : [],
    ),
    ...processors.flatMap((p) => {
      const topic = topics.find((t) => t.name === p.topic);
      return topic
        ? [
            {
              name: p.name,
              kind: "processor",
              domain: topic.domain,
              classification: topic.classification,
              schema: topic.schema,
              prefix: processorRoot(topic.domain, p.name),
              tableName: tableName("processor", p.name),
            },
          ]
        : [];
    }),
  ];
}
