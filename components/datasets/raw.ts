import type { Classification } from "../core/types";
import { sourceRoot } from "../ingestion/keys";
import { columnsFromJsonSchema, DerivedColumns, GlueColumn } from "./columns";
import { COLUMN_NAME } from "./types";

// Tables over files partitioned by day (`…/dt=YYYY-MM-DD/…`): every source's raw records, and datasets that are
// published as files. Partition projection computes the partitions from the table's parameters, so a new day is
// queryable the moment its first object lands: no crawler, no MSCK REPAIR, no partition to add.

/**
 * What lands records in the raw zone: sources (object-events sources load raw records; they land none), topics
 * delivered by Firehose and stream processors.
 */
export const RAW_LANDING_KINDS = ["http", "queue", "schedule", "db-events", "topic", "processor"] as const;

/** First day partition projection enumerates; queries should name a `dt` range to stay cheap. */
export const PROJECTION_START = "1970-01-01";

export const JSON_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe";
export const PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

/** ISO 8601 as the handlers write it (with or without milliseconds), and epoch milliseconds. */
export const TIMESTAMP_FORMATS = "yyyy-MM-dd'T'HH:mm:ss.SSSZZ,yyyy-MM-dd'T'HH:mm:ssZZ,millis";

/** A raw table's name: the source's, with `_` for `-` (Glue and SQL names take no hyphen). */
export const rawTableName = (source: string) => source.replace(/-/g, "_");

export interface ProjectedTableSpec {
  readonly name: string;
  readonly columns: readonly GlueColumn[];
  /** Table location, `s3://bucket/prefix/`; partitions are `dt=YYYY-MM-DD/` under it. */
  readonly location: string;
  readonly format: "json" | "parquet";
  /** Table parameters: classification, partition projection, governance. */
  readonly parameters: Record<string, string>;
  /** SerDe parameters: JSON key → column mappings, timestamp formats. */
  readonly serdeParameters: Record<string, string>;
  readonly skipped: DerivedColumns["skipped"];
}

export interface Governance {
  readonly domain: string;
  readonly classification: Classification;
  readonly owner: string;
  readonly steward: string;
  readonly zone: string;
}

/** Table parameters every platform table carries: what the catalog shows and what the policies check. */
export function governanceParameters(g: Governance): Record<string, string> {
  return {
    "data-domain": g.domain,
    "data-classification": g.classification,
    "data-owner": g.owner,
    "data-steward": g.steward,
    "data-platform:zone": g.zone,
  };
}

/** A day-partitioned table over `location` with partition projection on `dt`. */
export function projectedTable(input: {
  name: string;
  columns: readonly GlueColumn[];
  location: string;
  format: "json" | "parquet";
  governance: Governance;
  mappings?: Record<string, string>;
  skipped?: DerivedColumns["skipped"];
  extra?: Record<string, string>;
}): ProjectedTableSpec {
  const location = input.location.endsWith("/") ? input.location : `${input.location}/`;
  return {
    name: input.name,
    columns: input.columns,
    location,
    format: input.format,
    parameters: {
      classification: input.format,
      EXTERNAL: "TRUE",
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy-MM-dd",
      "projection.dt.range": `${PROJECTION_START},NOW+1DAYS`,
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "DAYS",
      "storage.location.template": `${location}dt=\${dt}/`,
      ...governanceParameters(input.governance),
      ...input.extra,
    },
    serdeParameters:
      input.format === "json"
        ? {
            "timestamp.formats": TIMESTAMP_FORMATS,
            ...Object.fromEntries(Object.entries(input.mappings ?? {}).map(([c, key]) => [`mapping.${c}`, key])),
          }
        : {},
    skipped: input.skipped ?? [],
  };
}

/** What the raw table of a source needs to know about it (a resolved source satisfies it). */
export interface RawSource {
  readonly name: string;
  readonly kind: string;
  readonly domain: string;
  readonly schema?: Record<string, unknown>;
  readonly idField?: string;
  readonly timeField?: string;
  readonly watermarkField?: string;
  readonly table?: { readonly partitionKey: KeyAttribute; readonly sortKey?: KeyAttribute };
  /** Where its records land under the zone's root, ending in `/`. @default `<domain>/source=<name>/` */
  readonly prefix?: string;
  /** @default the name, `-` as `_` */
  readonly tableName?: string;
}

interface KeyAttribute {
  readonly name: string;
  readonly type: "S" | "N" | "B";
}

const KEY_TYPE: Record<KeyAttribute["type"], string> = { S: "string", N: "double", B: "string" };

/** The change envelope db-events sources write (see handlers/db-events.ts), keys typed from the table's key schema. */
export function changeEnvelopeColumns(table: NonNullable<RawSource["table"]>): {
  columns: GlueColumn[];
  mappings: Record<string, string>;
} {
  const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])].filter((k) =>
    COLUMN_NAME.test(k.name.toLowerCase()),
  );
  const keyStruct = `struct<${keys.map((k) => `${k.name.toLowerCase()}:${KEY_TYPE[k.type]}`).join(",")}>`;
  return {
    columns: [
      { name: "eventid", type: "string", comment: "Stream event id: one object per change" },
      { name: "eventname", type: "string", comment: "INSERT | MODIFY | REMOVE" },
      { name: "sequencenumber", type: "string", comment: "Order of changes to one item" },
      { name: "approximatecreationtime", type: "timestamp", comment: "When the change happened (UTC)" },
      { name: "keys", type: keyStruct, comment: "The item's key" },
      { name: "newimage", type: keyStruct, comment: "The item after the change (key attributes; null on REMOVE)" },
      { name: "oldimage", type: keyStruct, comment: "The item before the change (key attributes; null on INSERT)" },
    ],
    mappings: {
      eventid: "eventId",
      eventname: "eventName",
      sequencenumber: "sequenceNumber",
      approximatecreationtime: "approximateCreationTime",
      newimage: "newImage",
      oldimage: "oldImage",
    },
  };
}

/** The columns of a source's raw table, and how JSON keys map onto them where the names differ. */
export function rawColumns(source: RawSource): DerivedColumns & { mappings: Record<string, string> } {
  if (source.kind === "db-events" && source.table) return { ...changeEnvelopeColumns(source.table), skipped: [] };
  if (source.schema) {
    const derived = columnsFromJsonSchema(source.schema);
    const props = Object.keys((source.schema.properties as Record<string, unknown> | undefined) ?? {});
    const mappings = Object.fromEntries(
      derived.columns.flatMap((c) => {
        const key = props.find((p) => p.toLowerCase() === c.name);
        return key && key !== c.name ? [[c.name, key]] : [];
      }),
    );
    return { ...derived, mappings };
  }
  // No payload schema: the fields the config names are all that is known; the records keep every other field.
  const known = [...new Set([source.idField, source.timeField, source.watermarkField].filter((f): f is string => !!f))];
  const columns = known
    .filter((f) => COLUMN_NAME.test(f.toLowerCase()))
    .map((f) => ({ name: f.toLowerCase(), type: "string", comment: "Declare the source's schema for every column" }));
  return {
    columns:
      columns.length > 0 ? columns : [{ name: "_unknown", type: "string", comment: "Declare the source's schema" }],
    skipped: [],
    mappings: Object.fromEntries(known.filter((f) => f !== f.toLowerCase()).map((f) => [f.toLowerCase(), f])),
  };
}

/** The raw table of a source: JSON records under `s3://<bucket>/<root><domain>/source=<name>/dt=…/`. */
export function rawTableSpec(
  source: RawSource,
  zone: { bucketName: string; root?: string },
  governance: Omit<Governance, "zone" | "domain">,
): ProjectedTableSpec {
  const { columns, skipped, mappings } = rawColumns(source);
  return projectedTable({
    name: source.tableName ?? rawTableName(source.name),
    columns,
    location: `s3://${zone.bucketName}/${zone.root ?? ""}${source.prefix ?? sourceRoot(source.domain, source.name)}`,
    format: "json",
    governance: { ...governance, domain: source.domain, zone: "raw" },
    mappings,
    skipped,
    extra: { "data-platform:source": source.name, "data-platform:source-kind": source.kind },
  });
}
