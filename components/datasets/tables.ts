import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedDataset } from "./config";
import {
  classifiedColumnGroups,
  COLUMN_CLASSIFICATIONS,
  dataCellsFilter,
  formatColumnClassifications,
} from "./governance";
import { icebergTableInput, optimizerConfigurations, TableMaintenance } from "./iceberg";
import { qualityRules, dqdl } from "../core/quality";
import { governanceParameters, ProjectedTableSpec, projectedTable as projectedSpec } from "./raw";

// The resources of one table: the Glue table itself, and for declared datasets their column LF-tags, data-cells
// filters and (Iceberg) optimizers. Plain functions that declare resources under the caller's parent.

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
export function declareProjectedTable(
  name: string,
  spec: pulumi.Output<ProjectedTableSpec>,
  table: { name: string; databaseName: pulumi.Input<string>; description: string },
  opts: pulumi.CustomResourceOptions,
): aws.glue.CatalogTable {
  const args = spec.apply(projectedTableArgs);
  return new aws.glue.CatalogTable(
    name,
    {
      name: table.name,
      databaseName: table.databaseName,
      description: table.description,
      tableType: "EXTERNAL_TABLE",
      parameters: args.apply((a) => a.parameters),
      partitionKeys: args.apply((a) => a.partitionKeys),
      storageDescriptor: args.apply((a) => a.storageDescriptor),
    },
    opts,
  );
}

/** The table spec of a file-based dataset (published files under `dt=` partitions). */
export function fileDatasetSpec(ds: ResolvedDataset, location: string): ProjectedTableSpec {
  if (ds.format === "iceberg") throw new Error(`dataset ${ds.domain}.${ds.name} is an Iceberg table`);
  return projectedSpec({
    name: ds.name,
    columns: ds.columns.map((c) => ({
      name: c.name,
      type: c.type,
      ...(c.description ? { comment: c.description } : {}),
    })),
    location,
    format: ds.format,
    governance: ds,
    extra: datasetParameters(ds),
  });
}

/** Parameters a declared dataset adds to its governance: freshness and who publishes it. */
export function datasetParameters(ds: ResolvedDataset): Record<string, string> {
  return {
    ...(ds.freshnessHours !== undefined ? { "data-platform:freshness-hours": String(ds.freshnessHours) } : {}),
    ...(ds.publishedBy.length > 0 ? { "data-platform:published-by": ds.publishedBy.join(",") } : {}),
    ...(ds.columns.some((c) => c.classified)
      ? { [COLUMN_CLASSIFICATIONS]: formatColumnClassifications(ds.columns.filter((c) => c.classified)) }
      : {}),
  };
}

/** An Iceberg table the platform creates from the declared schema and partition spec. */
export function declareIcebergTable(
  name: string,
  ds: ResolvedDataset,
  databaseName: pulumi.Input<string>,
  location: pulumi.Output<string>,
  opts: pulumi.CustomResourceOptions,
): aws.glue.CatalogTable {
  return new aws.glue.CatalogTable(
    name,
    {
      name: ds.name,
      databaseName,
      description: ds.description ?? `${ds.domain} ${ds.zone} dataset ${ds.name}`,
      tableType: "EXTERNAL_TABLE",
      parameters: { ...governanceParameters(ds), ...datasetParameters(ds) },
      openTableFormatInput: {
        icebergInput: {
          metadataOperation: "CREATE",
          version: "2",
          icebergTableInput: location.apply((l) => icebergTableInput(ds, l)),
        },
      },
    },
    opts,
  );
}

/** Glue's optimizers over an Iceberg table, run as `roleArn`. */
export function declareOptimizers(
  name: string,
  table: aws.glue.CatalogTable,
  catalogId: pulumi.Input<string>,
  roleArn: pulumi.Input<string>,
  maintenance: TableMaintenance,
  opts: pulumi.CustomResourceOptions,
): aws.glue.CatalogTableOptimizer[] {
  return optimizerConfigurations(maintenance).map(
    (o) =>
      new aws.glue.CatalogTableOptimizer(
        `${name}-${o.type.replace(/_/g, "-")}`,
        {
          catalogId,
          databaseName: table.databaseName,
          tableName: table.name,
          type: o.type,
          configuration: { enabled: true, roleArn, ...o.configuration },
        },
        opts,
      ),
  );
}

/** The classification LF-tag on every column stricter than its table; the rest inherit the database's tags. */
export function declareColumnTags(
  name: string,
  ds: ResolvedDataset,
  table: aws.glue.CatalogTable,
  classificationKey: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): aws.lakeformation.ResourceLfTags[] {
  return classifiedColumnGroups(ds).map(
    (g) =>
      new aws.lakeformation.ResourceLfTags(
        `${name}-columns-${g.classification}`,
        {
          tableWithColumns: { databaseName: table.databaseName, name: table.name, columnNames: g.columns },
          lfTags: [{ key: classificationKey, value: g.classification }],
        },
        { ...opts, dependsOn: [table] },
      ),
  );
}

/** The declared row filters as data-cells filters on the table. */
export function declareRowFilters(
  name: string,
  ds: ResolvedDataset,
  table: aws.glue.CatalogTable,
  catalogId: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): aws.lakeformation.DataCellsFilter[] {
  return ds.rowFilters.map((f) => {
    const d = dataCellsFilter(ds, f);
    return new aws.lakeformation.DataCellsFilter(
      `${name}-filter-${f.name}`,
      {
        tableData: {
          name: d.name,
          databaseName: table.databaseName,
          tableName: table.name,
          tableCatalogId: catalogId,
          rowFilter: d.rowFilter,
          columnWildcard: d.columnWildcard,
        },
      },
      { ...opts, dependsOn: [table] },
    );
  });
}

/**
 * The dataset's quality rules as a Glue Data Quality ruleset on its table (DQDL), so Glue can evaluate the
 * published table itself; the pipeline's publish gate evaluates the same rules in the warehouse before export.
 */
export function declareQualityRuleset(
  name: string,
  ds: ResolvedDataset,
  table: aws.glue.CatalogTable,
  catalogId: pulumi.Input<string>,
  tags: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): aws.glue.DataQualityRuleset | undefined {
  const ruleset = dqdl(qualityRules(ds.quality, ds.freshnessHours));
  if (ruleset === undefined) return undefined;
  return new aws.glue.DataQualityRuleset(
    `${name}-quality`,
    {
      name: `${ds.domain}-${ds.zone}-${ds.name}`.replace(/_/g, "-"),
      description: `Quality rules of ${ds.domain} ${ds.zone} dataset ${ds.name} (steward ${ds.steward})`,
      ruleset,
      targetTable: { catalogId, databaseName: table.databaseName, tableName: table.name },
      tags,
    },
    { ...opts, dependsOn: [table] },
  );
}
