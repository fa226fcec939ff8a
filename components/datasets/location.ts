import type * as pulumi from "@pulumi/pulumi";
import type { Classification, Zone } from "../core/types";

/** A zone bucket as the catalog reads it. */
export interface CatalogZone {
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
}

/** What the catalog needs of the lake (DataLake satisfies it). */
export interface CatalogLake {
  readonly zones: Record<Zone, CatalogZone>;
  /** The restricted bucket, holding every zone of restricted domains under `<zone>/`. */
  readonly restricted?: CatalogZone;
  /** `<domain>_<zone>` → Glue database name. */
  readonly databases: Record<string, pulumi.Input<string>>;
}

/** Where a domain's zone lives: the zone bucket, or a prefix of the restricted bucket. */
export interface ZoneLocation extends CatalogZone {
  /** Prefix before `<domain>/`: empty in zone buckets, `<zone>/` in the restricted bucket. */
  readonly root: string;
}

/** Restricted domains keep every zone under `<zone>/` of the restricted bucket; others use the zone buckets. */
export function locate(
  lake: Pick<CatalogLake, "zones" | "restricted">,
  domains: readonly { readonly name: string; readonly classification: Classification }[],
  domain: string,
  zone: Zone,
): ZoneLocation {
  const restricted = domains.find((d) => d.name === domain)?.classification === "restricted";
  return restricted && lake.restricted ? { ...lake.restricted, root: `${zone}/` } : { ...lake.zones[zone], root: "" };
}

/** Key prefix of a declared dataset in its zone: `<root><domain>/<name>/`. */
export const datasetPrefix = (where: Pick<ZoneLocation, "root">, domain: string, name: string) =>
  `${where.root}${domain}/${name}/`;
