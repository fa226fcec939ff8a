import * as pulumi from "@pulumi/pulumi";
import { dataTags } from "../core/tags";
import type { NetworkRefs, PlatformContext, SecurityRefs } from "../core/types";
import type { ResolvedCdcSource } from "../cdc/config";
import { CDC_LOAD_SCHEDULE, type PackagedCdcLoadConfig } from "../cdc/load";
import { PlatformFunction } from "../functions/function";
import * as iam from "../functions/statements";
import { HANDLERS } from "../ingestion/entries";
import { sourceRoot } from "../ingestion/keys";
import { invokeSchedule } from "../ingestion/triggers";
import { LakeZoneRef, WarehouseRefs, warehouseEnv } from "../ingestion/types";

/** Where one source's changes are: its raw zone and prefix. */
export interface CdcLocation {
  readonly raw: LakeZoneRef;
  readonly source: ResolvedCdcSource;
}

export interface CdcLoadArgs extends CdcLocation {
  readonly ctx: PlatformContext;
  readonly network: NetworkRefs;
  readonly security: SecurityRefs;
  readonly warehouse: WarehouseRefs;
  readonly logRetentionDays?: number;
}

/**
 * The scheduled warehouse side of one `cdc` source (data-platform:cdc:CdcLoad): a function in the VPC that copies
 * the new DMS files of each table into `staging.<table>_changes`, merges them into `staging.<table>` and records them,
 * one transaction per table, on the profile's schedule (dev hourly, staging 15 min, prod 5 min).
 */
export class CdcLoad extends pulumi.ComponentResource {
  readonly fn: PlatformFunction;

  constructor(name: string, args: CdcLoadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:cdc:CdcLoad", name, {}, opts);
    const { ctx, source: src, raw, warehouse: wh } = args;
    // Redshift COPYs the files through its namespace's COPY role; on Aurora the function reads them itself.
    if (wh.engine === "redshift" && wh.copyRoleArn === undefined)
      throw new Error(`cdc source ${src.name}: a Redshift warehouse loads changes through its COPY role; it has none`);
    const tags = dataTags(ctx, src.domain, src.classification, {
      component: "cdc",
      "data-platform:source": src.name,
      "data-platform:source-kind": "cdc",
    });
    const prefix = sourceRoot(src.domain, src.name, raw.root ?? "");
    const keyArn = args.security.keyArns[src.classification];
    const config: PackagedCdcLoadConfig = {
      source: src.name,
      prefix,
      tables: src.tables.map((t) => ({
        schema: t.schema,
        table: t.table,
        name: t.target,
        key: t.key,
        columns: t.columns,
      })),
    };
    this.fn = new PlatformFunction(
      `${name}-fn`,
      {
        ctx,
        entry: HANDLERS["cdc-load"],
        functionName: `cdc-load-${src.name}`,
        description: `Merges the changes of cdc source ${src.name} into warehouse staging`,
        tags,
        statements: pulumi
          .all([raw.bucketArn, raw.keyArn, wh.secretArn, wh.secretKeyArn])
          .apply(([bucketArn, zoneKey, secret, secretKey]) => [
            ...iam.prefixReadStatements({ bucketArn, keyArn: zoneKey, prefix, region: ctx.region }),
            ...iam.prefixWriteStatements(
              { bucketArn, keyArn: zoneKey, prefix: `${prefix}_manifests/`, region: ctx.region },
              "Manifests",
            ),
            ...iam.secretReadStatements(secret, ctx.region, secretKey),
          ]),
        permissionsBoundaryArn: args.security.permissionsBoundaryArn,
        kmsKeyArn: keyArn,
        environment: {
          ...warehouseEnv(wh, "loader"),
          ...(wh.engine === "redshift" && wh.copyRoleArn ? { WAREHOUSE_COPY_ROLE_ARN: wh.copyRoleArn } : {}),
          RAW_BUCKET: raw.bucketName,
          RAW_KEY_ARN: raw.keyArn,
        },
        files: { "source.json": JSON.stringify(config) },
        memoryMb: 512,
        timeoutSeconds: 900,
        reservedConcurrency: 1,
        logRetentionDays: args.logRetentionDays,
        vpc: {
          subnetIds: args.network.privateSubnetIds,
          securityGroupIds: [args.network.workloadSecurityGroupIds.ingestion],
        },
      },
      { parent: this },
    );
    invokeSchedule(
      name,
      ctx,
      {
        physicalName: `${ctx.prefix}-cdc-load-${src.name}`,
        expression: CDC_LOAD_SCHEDULE[ctx.environment],
        description: `Merges the changes of ${src.name} into warehouse staging`,
        what: `the ${src.name} CDC load`,
        retryAttempts: 2,
      },
      { fn: this.fn, tags, keyArn, boundary: args.security.permissionsBoundaryArn },
      this,
    );
    this.registerOutputs({ functionName: this.fn.functionName });
  }
}
