import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { doc, platformRole, serviceTrust, Statement } from "../core/iam";
import { baseTags, dataTags } from "../core/tags";
import { TAG, type Classification, type PlatformContext, type Zone } from "../core/types";
import { maxClassification } from "../lake/DataLake";
import { declareAlarms } from "../observability/Monitoring";
import { KEY_USE_ACTIONS } from "../security/documents";
import type { ResolvedDataset } from "./config";
import { freshnessFilterId, icebergDataPrefix, icebergFreshnessSpec } from "./freshness";
import { MAINTENANCE, TableMaintenance } from "./iceberg";
import { CatalogLake, datasetPrefix, locate, ZoneLocation } from "./location";
import { RawSource, rawTableName, rawTableSpec, RAW_LANDING_KINDS } from "./raw";
import {
  declareColumnTags,
  declareIcebergTable,
  declareOptimizers,
  declareProjectedTable,
  declareQualityRuleset,
  declareRowFilters,
  fileDatasetSpec,
} from "./tables";

/** Lake Formation permissions Glue's optimizers need on the tables they maintain. */
export const OPTIMIZER_TABLE_PERMISSIONS = ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"];

export interface CatalogDomain {
  readonly name: string;
  readonly classification: Classification;
  readonly owner: string;
  readonly steward: string;
}

export interface DatasetCatalogArgs {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  readonly domains: readonly CatalogDomain[];
  readonly lake: CatalogLake;
  /** Classification of the raw zone: raw tables are at least this sensitive. */
  readonly rawClassification: Classification;
  /** Every source; those that land records in the raw zone get a table. @default [] */
  readonly sources?: readonly (RawSource & { readonly classification: Classification })[];
  /** Declared datasets. @default [] */
  readonly datasets?: readonly ResolvedDataset[];
  /** Physical LF-tag keys (AccessModel.lfTagKeys): classified columns carry the classification tag. */
  readonly lfTagKeys: Readonly<Record<"domain" | "classification" | "zone", pulumi.Input<string>>>;
  /** Iceberg table maintenance. @default MAINTENANCE[ctx.environment] */
  readonly maintenance?: TableMaintenance;
  /** The alerts topic: Iceberg datasets with `freshnessHours` are alarmed on it. @default no freshness alarms */
  readonly alertsTopicArn?: pulumi.Input<string>;
}

/**
 * The lake's tables: a raw table over every raw-landing source's prefix (derived from its payload schema, with
 * partition projection on `dt`), and every declared dataset: Iceberg tables maintained by Glue's optimizers, or
 * day-partitioned files read through partition projection; classified columns carry their own LF-tag and row
 * filters become data-cells filters. Athena, Trino and Superset query them by name.
 */
export class DatasetCatalog extends pulumi.ComponentResource {
  /** `<domain>.<zone>.<table>` → Glue table name, for every table declared. */
  readonly tables: Record<string, pulumi.Output<string>> = {};
  /** `<domain>.<zone>.<table>` → Glue Data Quality ruleset name, for every dataset with quality rules. */
  readonly rulesets: Record<string, pulumi.Output<string>> = {};
  /** The role Glue's optimizers run as; absent without Iceberg datasets. */
  readonly optimizerRoleArn?: pulumi.Output<string>;

  constructor(name: string, args: DatasetCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:datasets:DatasetCatalog", name, {}, opts);
    const { ctx, lake } = args;
    const domainOf = (n: string) => {
      const d = args.domains.find((x) => x.name === n);
      if (!d) throw new Error(`DatasetCatalog: unknown domain '${n}'`);
      return d;
    };
    const database = (domain: string, zone: Zone) => {
      const db = lake.databases[`${domain}_${zone}`];
      if (db === undefined) throw new Error(`DatasetCatalog: the lake has no database for ${domain}_${zone}`);
      return db;
    };
    const where = (domain: string, zone: Zone) => locate(lake, args.domains, domain, zone);
    const stateful = { parent: this, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete };
    const p = { parent: this };

    for (const source of args.sources ?? []) {
      if (!(RAW_LANDING_KINDS as readonly string[]).includes(source.kind)) continue;
      const domain = domainOf(source.domain);
      const zone = where(source.domain, "raw");
      const spec = pulumi.output(zone.bucketName).apply((bucketName) =>
        rawTableSpec(
          source,
          { bucketName, root: zone.root },
          {
            classification: maxClassification(source.classification, args.rawClassification),
            owner: domain.owner,
            steward: domain.steward,
          },
        ),
      );
      const table = declareProjectedTable(
        `${name}-raw-${source.name}`,
        spec,
        {
          name: source.tableName ?? rawTableName(source.name),
          databaseName: database(source.domain, "raw"),
          description: `Raw records of the ${source.kind} ${source.kind === "topic" ? "delivery" : "source"} ${source.name}`,
        },
        stateful,
      );
      this.tables[`${source.domain}.raw.${source.tableName ?? rawTableName(source.name)}`] = table.name;
    }

    const datasets = args.datasets ?? [];
    const iceberg = datasets.filter((d) => d.format === "iceberg");
    const maintenance = args.maintenance ?? MAINTENANCE[ctx.environment];
    const optimizer = iceberg.length > 0 ? this.optimizerRole(name, args, iceberg, where) : undefined;
    this.optimizerRoleArn = optimizer?.role.arn;

    for (const ds of datasets) {
      const label = `${name}-${ds.domain}-${ds.zone}-${ds.name}`;
      const zone = where(ds.domain, ds.zone);
      const location = pulumi.interpolate`s3://${zone.bucketName}/${datasetPrefix(zone, ds.domain, ds.name)}`;
      const databaseName = database(ds.domain, ds.zone);
      const table =
        ds.format === "iceberg"
          ? declareIcebergTable(label, ds, databaseName, location, stateful)
          : declareProjectedTable(
              label,
              location.apply((l) => fileDatasetSpec(ds, l)),
              { name: ds.name, databaseName, description: ds.description ?? `${ds.domain} dataset ${ds.name}` },
              stateful,
            );
      this.tables[`${ds.domain}.${ds.zone}.${ds.name}`] = table.name;
      if (optimizer) {
        if (ds.format === "iceberg")
          declareOptimizers(label, table, args.accountId, optimizer.role.arn, maintenance, {
            ...p,
            dependsOn: [table, ...optimizer.grants, ...(optimizer.policy ? [optimizer.policy] : [])],
          });
      }
      const freshness = ds.format === "iceberg" ? icebergFreshnessSpec(ds, zone.bucketName) : undefined;
      if (freshness && args.alertsTopicArn !== undefined) {
        new aws.s3.BucketMetric(
          `${label}-writes`,
          {
            bucket: zone.bucketName,
            name: freshnessFilterId(ds),
            filter: { prefix: icebergDataPrefix(zone, ds.domain, ds.name) },
          },
          p,
        );
        const tags = dataTags(ctx, ds.domain, ds.classification, { component: "datasets" });
        declareAlarms(label, [freshness], { prefix: ctx.prefix, alertsTopicArn: args.alertsTopicArn, tags }, this);
      }
      declareColumnTags(label, ds, table, args.lfTagKeys.classification, p);
      declareRowFilters(label, ds, table, args.accountId, p);
      const ruleset = declareQualityRuleset(
        label,
        ds,
        table,
        args.accountId,
        dataTags(ctx, ds.domain, ds.classification, { component: "datasets", [TAG.steward]: ds.steward }),
        p,
      );
      if (ruleset) this.rulesets[`${ds.domain}.${ds.zone}.${ds.name}`] = ruleset.name;
    }

    this.registerOutputs({ tables: this.tables, rulesets: this.rulesets, optimizerRoleArn: this.optimizerRoleArn });
  }

  /**
   * The role Glue's optimizers run as: the Iceberg datasets' prefixes and keys only, and Lake Formation
   * permissions on their tables (granted by the zones' LF-tags, since the catalog is Lake Formation's).
   */
  private optimizerRole(
    name: string,
    args: DatasetCatalogArgs,
    iceberg: readonly ResolvedDataset[],
    where: (domain: string, zone: Zone) => ZoneLocation,
  ) {
    const { ctx } = args;
    const places = iceberg.map((ds) => ({ ds, zone: where(ds.domain, ds.zone) }));
    const policy = pulumi
      .all([
        pulumi.output(args.accountId),
        pulumi.all(places.map(({ zone }) => pulumi.all([zone.bucketArn, zone.keyArn]))),
        pulumi.all(places.map(({ ds }) => args.lake.databases[`${ds.domain}_${ds.zone}`])),
      ])
      .apply(([account, arns, dbs]) => {
        const objects = places.map(({ ds, zone }, i) => `${arns[i][0]}/${datasetPrefix(zone, ds.domain, ds.name)}*`);
        const buckets = [...new Set(arns.map(([b]) => b))];
        const keys = [...new Set(arns.map(([, k]) => k))];
        const glue = `arn:aws:glue:${ctx.region}:${account}`;
        const tables = places.map(({ ds }, k) => `${glue}:table/${dbs[k]}/${ds.name}`);
        const statements: Statement[] = [
          {
            Sid: "TableFiles",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: objects,
          },
          {
            Sid: "ListTableFiles",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation"],
            Resource: buckets,
          },
          {
            Sid: "ZoneKeys",
            Effect: "Allow",
            Action: KEY_USE_ACTIONS,
            Resource: keys,
            Condition: { StringLike: { "kms:ViaService": `s3.${ctx.region}.amazonaws.com` } },
          },
          { Sid: "LakeFormationCredentials", Effect: "Allow", Action: "lakeformation:GetDataAccess", Resource: "*" },
          {
            Sid: "OptimizerLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `arn:aws:logs:${ctx.region}:${account}:log-group:/aws-glue/iceberg-*`,
          },
        ];
        statements.push({
          Sid: "MaintainedTables",
          Effect: "Allow",
          Action: ["glue:GetTable", "glue:UpdateTable", "glue:GetDatabase"],
          Resource: [`${glue}:catalog`, ...new Set(dbs.map((d) => `${glue}:database/${d}`)), ...tables],
        });
        return doc(...statements);
      });
    const { role, policy: rolePolicy } = platformRole(
      `${name}-optimizer`,
      {
        ctx,
        description:
          "Glue table optimizers: compaction, snapshot retention and orphan-file deletion of Iceberg datasets",
        permissionsBoundaryArn: args.permissionsBoundaryArn,
        assumeRolePolicy: pulumi.output(args.accountId).apply((a) => serviceTrust("glue.amazonaws.com", a)),
        policy,
        tags: baseTags(ctx, "datasets"),
      },
      { parent: this },
    );
    // One grant per domain: a grant reaching several domains' restricted columns is what the policies refuse.
    const grants = [...new Set(iceberg.map((d) => d.domain))].map(
      (domain) =>
        new aws.lakeformation.Permissions(
          `${name}-optimizer-${domain}`,
          {
            principal: role.arn,
            permissions: OPTIMIZER_TABLE_PERMISSIONS,
            lfTagPolicy: {
              resourceType: "TABLE",
              expressions: [
                { key: args.lfTagKeys.domain, values: [domain] },
                {
                  key: args.lfTagKeys.zone,
                  values: [...new Set(iceberg.filter((d) => d.domain === domain).map((d) => d.zone))],
                },
              ],
            },
          },
          { parent: this },
        ),
    );
    return { role, policy: rolePolicy, grants };
  }
}
