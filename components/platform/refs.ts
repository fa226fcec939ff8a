import type * as pulumi from "@pulumi/pulumi";
import type { ResolvedConfig } from "../config/profiles";
import type { Classification } from "../core/types";
import type { DeliveryTableRef } from "../dataflow/TopicDelivery";
import type { DatasetCatalog } from "../datasets/DatasetCatalog";
import { datasetPrefix, locate } from "../datasets/location";
import type { LakeRefs, WarehouseRefs } from "../ingestion/types";
import type { DataLake } from "../lake/DataLake";
import type { WarehouseLogin } from "../warehouse/logins";
import type { Warehouse } from "../warehouse/Warehouse";

// How the platform hands the lake and the warehouse to what it wires on top of them.

/** The query engine's warehouse user: read-only, like every BI consumer. */
export const QUERY_ENGINE_LOGIN: WarehouseLogin = {
  name: "query_engine",
  role: "bi_reader",
  purpose: "the query engine's warehouse catalog",
};
/** Object loaders write staging only. */
export const INGESTION_LOGIN: WarehouseLogin = {
  name: "ingestion_loader",
  role: "loader",
  purpose: "ingestion loaders and backfills",
};
/** Pipeline steps read staging, build the marts and read them back to publish. */
export const PIPELINE_LOGIN: WarehouseLogin = {
  name: "pipeline_runner",
  role: "transformer",
  purpose: "pipeline transforms and publishing",
};

/** The zones ingestion writes; restricted domains land under `raw/` and `analytics/` of the restricted bucket. */
export function lakeRefs(
  lake: DataLake,
  domains: readonly { readonly name: string; readonly classification: Classification }[],
): LakeRefs {
  const restricted = lake.restricted;
  return {
    raw: lake.zones.raw,
    analytics: lake.zones.analytics,
    domains: restricted
      ? Object.fromEntries(
          domains
            .filter((d) => d.classification === "restricted")
            .map((d) => [
              d.name,
              { raw: { ...restricted, root: "raw/" }, analytics: { ...restricted, root: "analytics/" } },
            ]),
        )
      : undefined,
  };
}

/**
 * How loaders and pipeline steps reach the warehouse: each through its own login, read from its secret at run
 * time. Never the admin's: a warehouse without the ingestion login is a wiring mistake, reported as such.
 */
export function warehouseRefs(wh: Warehouse, secretKeyArn: pulumi.Input<string>): WarehouseRefs {
  const loader = wh.loginSecretArns[INGESTION_LOGIN.name] as pulumi.Output<string> | undefined;
  if (!loader)
    throw new Error(`the warehouse has no '${INGESTION_LOGIN.name}' login; pass INGESTION_LOGIN in its logins`);
  return {
    engine: wh.engine === "redshift-serverless" ? "redshift" : "postgres",
    host: wh.endpoint,
    port: wh.port,
    database: wh.database,
    secretKeyArn,
    secretArn: loader,
    transformerSecretArn: wh.loginSecretArns[PIPELINE_LOGIN.name],
    copyRoleArn: wh.copyRoleArn,
  };
}

/**
 * The Iceberg dataset a topic delivery writes: its zone (the restricted bucket for restricted domains), its prefix,
 * its Glue database and the catalog's table name, so the stream is created after the table.
 */
export function deliveryTable(
  lake: DataLake,
  catalog: DatasetCatalog,
  cfg: Pick<ResolvedConfig, "domains" | "datasets">,
  domain: string,
  table: string,
): DeliveryTableRef {
  const ds = cfg.datasets.find((d) => d.domain === domain && d.name === table);
  const tableName = catalog.tables[`${domain}.${ds?.zone}.${table}`];
  if (!ds || tableName === undefined) throw new Error(`delivery: '${table}' is not a dataset of domain '${domain}'`);
  const zone = locate(lake, cfg.domains, domain, ds.zone);
  return {
    zone,
    prefix: datasetPrefix(zone, domain, table),
    databaseName: lake.databases[`${domain}_${ds.zone}`],
    tableName,
  };
}
