import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Classification, PlatformContext, Zone } from "../core/types";
import { maxClassification } from "../lake/DataLake";
import type { ResolvedDataset } from "./config";
import { ProjectedTableSpec, RawSource, rawTableName, rawTableSpec, RAW_LANDING_KINDS } from "./raw";

/** Where a domain's zone lives: the zone bucket, or a prefix of the restricted bucket. */
export interface ZoneLocation {
  readonly bucketName: pulumi.Input<string>;
  /** Prefix before `<domain>/`. @default "" */
  readonly root?: string;
}

export interface CatalogDomain {
  readonly name: string;
  readonly classification: Classification;
  readonly owner: string;
  readonly steward: string;
}

export interface DatasetCatalogArgs {
  readonly ctx: PlatformContext;
  readonly domains: readonly CatalogDomain[];
  /** `<domain>_<zone>` → Glue database name (DataLake.databases). */
  readonly databases: Record<string, pulumi.Input<string>>;
  /** Where each domain's zone is. */
  readonly locate: (domain: string, zone: Zone) => ZoneLocation;
  /** Classification of the raw zone: raw tables are at least this sensitive. */
  readonly rawClassification: Classification;
  /** Every source; those that land records in the raw zone get a table. @default [] */
  readonly sources?: readonly (RawSource & { readonly classification: Classification })[];
  /** Declared datasets. @default [] */
  readonly datasets?: readonly ResolvedDataset[];
}

/** Glue's input/output formats and SerDe per file format. */
const FILE_FORMATS = {
  json: {
    inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
    outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    serializationLibrary: "org.apache.hive.hcatalog.data.JsonSerDe",
  },
  parquet: {
    inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
  },
} as const;

/** The Glue table arguments of a day-partitioned (projected) table. */
export function projectedTableArgs(spec: ProjectedTableSpec) {
  const f = FILE_FORMATS[spec.format];
  return {
    name: spec.name,
    tableType: "EXTERNAL_TABLE" as const,
    parameters: spec.parameters,
    partitionKeys: [{ name: "dt", type: "string", comment: "Day of the records (UTC), YYYY-MM-DD" }],
    storageDescriptor: {
      location: spec.location,
      inputFormat: f.inputFormat,
      outputFormat: f.outputFormat,
      serDeInfo: { serializationLibrary: f.serializationLibrary, parameters: spec.serdeParameters },
      columns: spec.columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
    },
  };
}

/** Declares a projected table once its bucket name is known (the spec's location names the bucket). */
function projectedTable(
  name: string,
  tableName: string,
  spec: pulumi.Output<ProjectedTableSpec>,
  databaseName: pulumi.Input<string>,
  description: string,
  opts: pulumi.CustomResourceOptions,
): aws.glue.CatalogTable {
  const args = spec.apply(projectedTableArgs);
  return new aws.glue.CatalogTable(
    name,
    {
      name: tableName,
      databaseName,
      description,
      tableType: "EXTERNAL_TABLE",
      parameters: args.apply((a) => a.parameters),
      partitionKeys: args.apply((a) => a.partitionKeys),
      storageDescriptor: args.apply((a) => a.storageDescriptor),
    },
    opts,
  );
}

/**
 * The lake's tables: a raw table over every raw-landing source's prefix (derived from its payload schema, with
 * partition projection on `dt`), and the declared datasets. Athena, Trino and Superset query them by name.
 */
export class DatasetCatalog extends pulumi.ComponentResource {
  /** `<domain>.<zone>.<table>` → Glue table name, for every table declared. */
  readonly tables: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: DatasetCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:datasets:DatasetCatalog", name, {}, opts);
    const { ctx } = args;
    const domainOf = (n: string) => {
      const d = args.domains.find((x) => x.name === n);
      if (!d) throw new Error(`DatasetCatalog: unknown domain '${n}'`);
      return d;
    };
    const database = (domain: string, zone: Zone) => {
      const db = args.databases[`${domain}_${zone}`];
      if (db === undefined) throw new Error(`DatasetCatalog: the lake has no database for ${domain}_${zone}`);
      return db;
    };
    const stateful = { parent: this, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete };

    for (const source of args.sources ?? []) {
      if (!(RAW_LANDING_KINDS as readonly string[]).includes(source.kind)) continue;
      const domain = domainOf(source.domain);
      const where = args.locate(source.domain, "raw");
      const table = pulumi.output(where.bucketName).apply((bucketName) =>
        rawTableSpec(
          source,
          { bucketName, root: where.root },
          {
            classification: maxClassification(source.classification, args.rawClassification),
            owner: domain.owner,
            steward: domain.steward,
          },
        ),
      );
      const t = projectedTable(
        `${name}-raw-${source.name}`,
        rawTableName(source.name),
        table,
        database(source.domain, "raw"),
        `Raw records of the ${source.kind} source ${source.name}`,
        stateful,
      );
      this.tables[`${source.domain}.raw.${rawTableName(source.name)}`] = t.name;
    }

    this.registerOutputs({ tables: this.tables });
  }
}
