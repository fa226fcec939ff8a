import { z } from "zod";
import { CLASSIFICATIONS, Classification, Zone, ZONES } from "../core/types";

// Config of `domains[].datasets[]`: the tables a domain publishes in the lake, with their columns, classification,
// partitioning, freshness and quality rules. Owner and steward come from the domain. Raw tables of the sources are
// derived from the sources themselves (raw.ts) and need no entry here.

export const DATASET_FORMATS = ["iceberg", "parquet", "json"] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Iceberg partition transforms the Glue catalog accepts (bucket[N] and truncate[W] carry their width). */
export const PARTITION_TRANSFORM = /^(identity|year|month|day|hour|void|bucket\[\d{1,4}\]|truncate\[\d{1,4}\])$/;

const DATASET_NAME = /^[a-z][a-z0-9_]{1,62}$/;
const COLUMN = /^[a-z_][a-z0-9_]{0,127}$/;
const FILTER = /^[a-z][a-z0-9_]{1,62}$/;

const classification = z.enum(CLASSIFICATIONS, { message: `must be one of ${CLASSIFICATIONS.join(" | ")}` });
const columnName = z.string().regex(COLUMN, {
  message: "must be a lower-case column name (letters, digits, _; starting with a letter or _)",
});

export const columnSchema = z.strictObject({
  name: columnName,
  /** Glue type: string, boolean, int, bigint, float, double, date, timestamp, binary, decimal(p,s), array<…>, struct<…>. */
  type: z.string().min(3),
  description: z.string().min(3).optional(),
  /** Stricter than the domain's, e.g. personal data as `restricted`. @default the domain's classification */
  classification: classification.optional(),
});

export const qualitySchema = z.strictObject({
  /** Columns that must never be null. */
  complete: z.array(columnName).min(1).optional(),
  /** Columns (together) whose values are unique. */
  unique: z.array(columnName).min(1).optional(),
  /** Column → the only values it may hold. */
  allowedValues: z
    .record(columnName, z.array(z.string()).min(1, { message: "must list at least one value" }))
    .optional(),
  /** Rows a published run must hold. */
  rowCount: z
    .strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(1).optional() })
    .optional(),
  /** Timestamp column whose newest value must be within the dataset's `freshnessHours`. */
  freshnessColumn: columnName.optional(),
});

export const rowFilterSchema = z.strictObject({
  /** Name of the Lake Formation data-cells filter. */
  name: z.string().regex(FILTER, { message: "must be a lower-case name (letters, digits, _)" }),
  /** PartiQL row condition, e.g. `region = 'EU'`. */
  expression: z.string().min(3).max(2048),
  /** Columns hidden by the filter. @default none */
  excludeColumns: z.array(columnName).optional(),
});

export const datasetSchema = z.strictObject({
  /** Table name in the domain's Glue database of the zone. */
  name: z
    .string()
    .regex(DATASET_NAME, { message: "must be 2-63 lower-case letters, digits or _, starting with a letter" }),
  zone: z.enum(ZONES, { message: `must be one of ${ZONES.join(" | ")}` }),
  description: z.string().min(3).optional(),
  /**
   * `iceberg` (a table the platform creates and maintains), `parquet` or `json` (files under `dt=` partitions,
   * read through partition projection). @default iceberg in curated and analytics, json in raw
   */
  format: z.enum(DATASET_FORMATS, { message: `must be one of ${DATASET_FORMATS.join(" | ")}` }).optional(),
  columns: z.array(columnSchema).min(1, { message: "must declare at least one column" }),
  /** Iceberg partition spec; files-based formats are partitioned by `dt` (the publishing day). @default none */
  partitioning: z
    .array(
      z.strictObject({
        column: columnName,
        /** @default "identity" */
        transform: z
          .string()
          .regex(PARTITION_TRANSFORM, {
            message: "must be identity | year | month | day | hour | void | bucket[N] | truncate[W]",
          })
          .optional(),
      }),
    )
    .optional(),
  /**
   * Hours after which the dataset is stale: the freshness quality rule, and an alarm when no publish (pipeline
   * datasets) or no data-file write (Iceberg datasets) comes within them (CloudWatch watches at most a week).
   * @default none
   */
  freshnessHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 7, { message: "must be at most 168 (a week: the longest a CloudWatch alarm watches)" })
    .optional(),
  quality: qualitySchema.optional(),
  /** Lake Formation data-cells filters stewards grant instead of the whole table. @default none */
  rowFilters: z.array(rowFilterSchema).optional(),
});

export type DatasetInput = z.input<typeof datasetSchema>;
export type DatasetConfig = z.output<typeof datasetSchema>;
export type QualityRules = z.output<typeof qualitySchema>;

export interface ResolvedColumn {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  /** The column's own classification, or the dataset's. */
  readonly classification: Classification;
  /** True when the column is stricter than its dataset (it carries its own LF-tag). */
  readonly classified: boolean;
}

/** A dataset with its domain's owner and steward and every default filled. */
export interface ResolvedDataset {
  readonly domain: string;
  readonly name: string;
  readonly zone: Zone;
  readonly format: DatasetFormat;
  readonly description?: string;
  readonly owner: string;
  readonly steward: string;
  /** The dataset's (table's) classification: its domain's. */
  readonly classification: Classification;
  readonly columns: readonly ResolvedColumn[];
  readonly partitioning: readonly { readonly column: string; readonly transform: string }[];
  readonly freshnessHours?: number;
  readonly quality: QualityRules;
  readonly rowFilters: readonly z.output<typeof rowFilterSchema>[];
  /** Pipelines whose publish step writes it. */
  readonly publishedBy: readonly string[];
}

const ORDER: readonly Classification[] = CLASSIFICATIONS;
/** Whether `a` is at least as strict as `b`. */
export const atLeast = (a: Classification, b: Classification) => ORDER.indexOf(a) >= ORDER.indexOf(b);

export interface DatasetDomain {
  readonly name: string;
  readonly owner: string;
  readonly steward: string;
  readonly classification: Classification;
  readonly datasets?: readonly DatasetConfig[];
}

/** Every declared dataset, flattened, with defaults; call after `validateDatasets` found no problem. */
export function resolveDatasets(
  domains: readonly DatasetDomain[],
  pipelines: readonly {
    readonly name: string;
    readonly domain: string;
    readonly publish?: readonly { dataset: string }[];
  }[],
): ResolvedDataset[] {
  return domains.flatMap((d) =>
    (d.datasets ?? []).map((ds) => ({
      domain: d.name,
      name: ds.name,
      zone: ds.zone,
      format: ds.format ?? (ds.zone === "raw" ? "json" : "iceberg"),
      description: ds.description,
      owner: d.owner,
      steward: d.steward,
      classification: d.classification,
      columns: ds.columns.map((c) => ({
        name: c.name,
        type: c.type,
        description: c.description,
        classification: c.classification ?? d.classification,
        classified: c.classification !== undefined && c.classification !== d.classification,
      })),
      partitioning: (ds.partitioning ?? []).map((p) => ({ column: p.column, transform: p.transform ?? "identity" })),
      freshnessHours: ds.freshnessHours,
      quality: ds.quality ?? {},
      rowFilters: ds.rowFilters ?? [],
      publishedBy: pipelines
        .filter(
          (p) => p.domain === d.name && ds.zone === "analytics" && (p.publish ?? []).some((x) => x.dataset === ds.name),
        )
        .map((p) => p.name),
    })),
  );
}

/** Whether a dataset has any quality rule. */
export const hasQualityRules = (q: QualityRules) =>
  Boolean(q.complete || q.unique || q.allowedValues || q.rowCount || q.freshnessColumn);
