import type { ResolvedConfig } from "../config/profiles";
import { copyStagingPrefix, sourceRoot } from "../ingestion/keys";
import { zoneFor, type LakeRefs } from "../ingestion/types";
import type { CopySource } from "../warehouse/engines";

/**
 * The folders a Redshift warehouse's COPY reads: the staging folder of each source a loader loads, and the prefix of
 * each cdc source (DMS's Parquet files and the CDC load's manifests), each in its source's raw zone under its key.
 * Derived from the config, so the warehouse's role exists before the loaders do.
 */
export function copySources(cfg: ResolvedConfig, lake: LakeRefs): CopySource[] {
  const byName = new Map(cfg.ingestion.sources.map((s) => [s.name, s]));
  const loaded = new Set<string>();
  for (const s of cfg.ingestion.sources) if (s.kind === "object-events" && byName.has(s.from)) loaded.add(s.from);
  const staging = [...loaded].sort().map((name) => {
    const up = byName.get(name)!;
    const zone = zoneFor(lake, "raw", up.domain);
    return {
      bucketArn: zone.bucketArn,
      keyArn: zone.keyArn,
      prefix: copyStagingPrefix(sourceRoot(up.domain, up.name, zone.root ?? "")),
    };
  });
  const changes = cfg.ingestion.cdc.map((src) => {
    const zone = zoneFor(lake, "raw", src.domain);
    return {
      bucketArn: zone.bucketArn,
      keyArn: zone.keyArn,
      prefix: sourceRoot(src.domain, src.name, zone.root ?? ""),
    };
  });
  return [...staging, ...changes];
}
