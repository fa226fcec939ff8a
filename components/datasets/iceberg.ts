import type { Environment } from "../core/types";
import type { ResolvedDataset } from "./config";
import { GlueType, icebergType, parseType } from "./types";

// Curated and analytics datasets are Apache Iceberg tables the platform creates in the Glue catalog from the
// declared columns and partition spec (metadataOperation CREATE writes the first metadata file), and Glue's table
// optimizers maintain: compaction of small files, expiry of old snapshots, deletion of orphan files.

/** Table maintenance per profile: dev keeps little and compacts nothing; prod keeps a month of snapshots. */
export interface TableMaintenance {
  /** Rewrite small data files into larger ones (billed per DPU-hour while it runs). */
  readonly compaction: boolean;
  /** Snapshots older than this expire (time travel reaches back this far). */
  readonly snapshotRetentionDays: number;
  /** Snapshots always kept, however old. */
  readonly snapshotsToRetain: number;
  /** Files no snapshot references are deleted after this many days. */
  readonly orphanFileRetentionDays: number;
}

export const MAINTENANCE: Record<Environment, TableMaintenance> = {
  dev: { compaction: false, snapshotRetentionDays: 1, snapshotsToRetain: 1, orphanFileRetentionDays: 3 },
  staging: { compaction: true, snapshotRetentionDays: 5, snapshotsToRetain: 3, orphanFileRetentionDays: 3 },
  prod: { compaction: true, snapshotRetentionDays: 30, snapshotsToRetain: 10, orphanFileRetentionDays: 7 },
};

/** Glue's optimizer types. */
export type OptimizerType = "compaction" | "retention" | "orphan_file_deletion";

/** The optimizer configurations a profile runs (without the role, which the component supplies). */
export function optimizerConfigurations(m: TableMaintenance): { type: OptimizerType; configuration: object }[] {
  return [
    ...(m.compaction
      ? [
          {
            type: "compaction" as const,
            configuration: { compactionConfiguration: { icebergConfiguration: { strategy: "binpack" } } },
          },
        ]
      : []),
    {
      type: "retention",
      configuration: {
        retentionConfiguration: {
          icebergConfiguration: {
            snapshotRetentionPeriodInDays: m.snapshotRetentionDays,
            numberOfSnapshotsToRetain: m.snapshotsToRetain,
            cleanExpiredFiles: true,
          },
        },
      },
    },
    {
      type: "orphan_file_deletion",
      configuration: {
        orphanFileDeletionConfiguration: {
          icebergConfiguration: { orphanFileRetentionPeriodInDays: m.orphanFileRetentionDays },
        },
      },
    },
  ];
}

/** Partition field ids start here, as Iceberg's own writers number them. */
const PARTITION_FIELD_BASE = 1000;

/** The Iceberg table input of a dataset: schema (field ids from 1, in column order) and partition spec. */
export function icebergTableInput(ds: ResolvedDataset, location: string) {
  const fields = ds.columns.map((c, i) => {
    const t = parseType(c.type);
    if (typeof t === "string") throw new Error(`dataset ${ds.domain}.${ds.name}: column ${c.name}: ${t}`);
    return {
      id: i + 1,
      name: c.name,
      type: icebergType(t as GlueType),
      required: false,
      ...(c.description ? { doc: c.description } : {}),
    };
  });
  return {
    location,
    schema: { schemaId: 0, type: "struct", fields },
    partitionSpec: {
      specId: 0,
      fields: ds.partitioning.map((p, i) => ({
        name: p.transform === "identity" ? p.column : `${p.column}_${p.transform.replace(/\[(\d+)\]/, "_$1")}`,
        sourceId: fields.find((f) => f.name === p.column)!.id,
        transform: p.transform,
        fieldId: PARTITION_FIELD_BASE + i,
      })),
    },
    properties: {
      "write.format.default": "parquet",
      "write.parquet.compression-codec": "zstd",
      "write.delete.mode": "merge-on-read",
    },
  };
}
