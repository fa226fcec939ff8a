import type { ResolvedConfig } from "../config/profiles";
import type { PlatformContext, Zone } from "../core/types";
import type { DataLake } from "../lake/DataLake";
import type { DatasetCatalogArgs, ZoneLocation } from "./DatasetCatalog";

/** Restricted domains keep every zone under `<zone>/` of the restricted bucket; others use the zone buckets. */
export function zoneLocator(
  lake: Pick<DataLake, "zones" | "restricted">,
  domains: ResolvedConfig["domains"],
): (domain: string, zone: Zone) => ZoneLocation {
  return (domain, zone) => {
    const restricted = domains.find((d) => d.name === domain)?.classification === "restricted";
    return restricted && lake.restricted
      ? { bucketName: lake.restricted.bucketName, root: `${zone}/` }
      : { bucketName: lake.zones[zone].bucketName, root: "" };
  };
}

/** The catalog's arguments from a validated config and the lake. */
export function catalogArgs(
  ctx: PlatformContext,
  cfg: ResolvedConfig,
  lake: Pick<DataLake, "zones" | "restricted" | "databases">,
): DatasetCatalogArgs {
  return {
    ctx,
    domains: cfg.domains,
    databases: lake.databases,
    locate: zoneLocator(lake, cfg.domains),
    rawClassification: cfg.lake.zones.raw.classification,
    sources: cfg.ingestion.sources.flatMap((s) => (s.kind === "object-events" ? [] : [s])),
    datasets: cfg.datasets,
  };
}
