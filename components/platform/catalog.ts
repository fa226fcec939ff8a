import type { ResolvedConfig } from "../config/profiles";
import type { PlatformContext } from "../core/types";
import type { DatasetCatalogArgs } from "../datasets/DatasetCatalog";
import type { CatalogLake } from "../datasets/location";

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
    sources: cfg.ingestion.sources.flatMap((s) => (s.kind === "object-events" ? [] : [s])),
    datasets: cfg.datasets,
  };
}
