import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platformRole } from "../core/iam";
import { dataTags } from "../core/tags";
import type { NetworkRefs, PlatformContext, SecurityRefs } from "../core/types";
import { sourceRoot } from "../ingestion/keys";
import type { LakeZoneRef } from "../ingestion/types";
import type { AlarmSpec } from "../observability/alarms";
import { declareAlarms } from "../observability/Monitoring";
import type { ResolvedCdcSource } from "../cdc/config";
import { cdcRoleStatements, dmsTrust, replicationSettings, tableMappings } from "../cdc/documents";
import { CDC_COLUMNS } from "../cdc/merge";

export interface CdcSourceArgs {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  readonly network: NetworkRefs;
  readonly security: SecurityRefs;
  /** The raw zone of the source's domain (the restricted bucket for restricted domains). */
  readonly raw: LakeZoneRef;
  readonly source: ResolvedCdcSource;
  /** Alarms notify this topic. */
  readonly alertsTopicArn: pulumi.Input<string>;
}

/** CloudWatch dimension of DMS Serverless metrics. */
export const DMS_SERVERLESS_DIMENSION = "ReplicationConfigIdentifier";

/**
 * Lag alarms of one replication, source side (reading the database's log) and target side (writing the lake). A
 * replication that stopped or failed reports nothing: missing data is breaching, so that alarms too.
 */
export function cdcAlarmSpecs(source: Pick<ResolvedCdcSource, "name" | "maxLagSeconds">, id: string): AlarmSpec[] {
  return (["Source", "Target"] as const).map((side) => ({
    id: `cdc-${source.name}-lag-${side.toLowerCase()}`,
    description:
      `${source.name}: changes reach the ${side === "Source" ? "replication" : "raw zone"} more than ` +
      `${source.maxLagSeconds}s after their commit, or the replication stopped reporting (stopped or failed). ` +
      "Check the replication's state and its task log.",
    namespace: "AWS/DMS",
    metricName: `CDCLatency${side}`,
    dimensions: { [DMS_SERVERLESS_DIMENSION]: id },
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 3,
    threshold: source.maxLagSeconds,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "breaching",
  }));
}

/**
 * One `cdc` source (data-platform:cdc:CdcSource): a DMS Serverless replication, full load then ongoing changes,
 * from an existing PostgreSQL or MySQL database into the raw zone as Parquet, with the operation (`Op`), commit time
 * and change sequence of every row. Runs in the private subnets behind its own security group, TLS to the source,
 * encrypted with the source's classification key, as a role that reaches only its prefix and its secret.
 */
export class CdcSource extends pulumi.ComponentResource {
  readonly replicationConfigArn: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  /** `s3://bucket/<domain>/source=<name>/`: DMS writes `<schema>/<table>/` below it. */
  readonly rawPrefix: pulumi.Output<string>;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: CdcSourceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:cdc:CdcSource", name, {}, opts);
    const { ctx, source: src, network, security, raw } = args;
    const p = { parent: this };
    const tags = dataTags(ctx, src.domain, src.classification, {
      component: "cdc",
      "data-platform:source": src.name,
      "data-platform:source-kind": "cdc",
    });
    const id = `${ctx.prefix}-${src.name}`;
    const prefix = sourceRoot(src.domain, src.name, raw.root ?? "");
    const keyArn = security.keyArns[src.classification];

    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: network.vpcId,
        description: `DMS replication of cdc source ${src.name}: out to its database and to AWS APIs only`,
        ingress: [],
        egress: [
          {
            protocol: "tcp",
            fromPort: src.endpoint.port,
            toPort: src.endpoint.port,
            cidrBlocks: [src.endpoint.cidr],
            description: `${src.engine} at ${src.endpoint.host}`,
          },
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["0.0.0.0/0"],
            description: "HTTPS to S3 and Secrets Manager",
          },
        ],
        tags: { ...tags, Name: `${id}-cdc` },
      },
      p,
    );
    const subnets = new aws.dms.ReplicationSubnetGroup(
      `${name}-subnets`,
      {
        replicationSubnetGroupId: `${id}-cdc`,
        replicationSubnetGroupDescription: `Private subnets of ${ctx.prefix} for cdc source ${src.name}`,
        subnetIds: network.privateSubnetIds,
        tags,
      },
      p,
    );
    const { role } = platformRole(
      `${name}-role`,
      {
        ctx,
        permissionsBoundaryArn: security.permissionsBoundaryArn,
        assumeRolePolicy: pulumi.output(args.accountId).apply((a) => dmsTrust(ctx.region, a)),
        policy: pulumi.all([raw.bucketArn, raw.keyArn]).apply(([bucketArn, zoneKey]) => ({
          Version: "2012-10-17" as const,
          Statement: cdcRoleStatements({
            bucketArn,
            keyArn: zoneKey,
            prefix,
            secretArn: src.credentialsSecretArn,
            region: ctx.region,
          }),
        })),
        tags,
        description: `DMS for cdc source ${src.name}: writes ${prefix} of the raw zone and reads its credentials`,
      },
      p,
    );
    const sourceEndpoint = new aws.dms.Endpoint(
      `${name}-source`,
      {
        endpointId: `${id}-source`,
        endpointType: "source",
        engineName: src.engine,
        databaseName: src.database,
        sslMode: src.sslMode,
        secretsManagerArn: src.credentialsSecretArn,
        secretsManagerAccessRoleArn: role.arn,
        kmsKeyArn: keyArn,
        // A heartbeat keeps the replication slot advancing on a quiet database, so its WAL does not pile up.
        postgresSettings: src.engine === "postgres" ? { heartbeatEnable: true, heartbeatFrequency: 5 } : undefined,
        tags,
      },
      p,
    );
    const target = new aws.dms.S3Endpoint(
      `${name}-raw`,
      {
        endpointId: `${id}-raw`,
        endpointType: "target",
        bucketName: raw.bucketName,
        bucketFolder: prefix.replace(/\/$/, ""),
        expectedBucketOwner: args.accountId,
        serviceAccessRoleArn: role.arn,
        dataFormat: "parquet",
        parquetVersion: "parquet-2-0",
        encryptionMode: "SSE_KMS",
        serverSideEncryptionKmsKeyId: raw.keyArn,
        kmsKeyArn: keyArn,
        // Full-load rows carry `I` too, so every row of the raw zone says what it is.
        includeOpForFullLoad: true,
        timestampColumnName: CDC_COLUMNS.commitTs,
        datePartitionEnabled: true,
        datePartitionSequence: "YYYYMMDD",
        datePartitionDelimiter: "SLASH",
        tags,
      },
      { ...p, dependsOn: [role] },
    );
    const replication = new aws.dms.ReplicationConfig(
      `${name}-replication`,
      {
        replicationConfigIdentifier: id,
        replicationType: "full-load-and-cdc",
        sourceEndpointArn: sourceEndpoint.endpointArn,
        targetEndpointArn: target.endpointArn,
        tableMappings: JSON.stringify(tableMappings(src)),
        replicationSettings: JSON.stringify(replicationSettings()),
        computeConfig: {
          replicationSubnetGroupId: subnets.replicationSubnetGroupId,
          vpcSecurityGroupIds: [sg.id],
          kmsKeyId: keyArn,
          minCapacityUnits: src.minCapacityUnits,
          maxCapacityUnits: src.maxCapacityUnits,
          multiAz: src.multiAz,
        },
        startReplication: true,
        tags,
      },
      p,
    );
    this.alarms = declareAlarms(
      name,
      cdcAlarmSpecs(src, id),
      { prefix: ctx.prefix, alertsTopicArn: args.alertsTopicArn, tags },
      this,
    );
    this.replicationConfigArn = replication.arn;
    this.roleArn = role.arn;
    this.securityGroupId = sg.id;
    this.rawPrefix = pulumi.interpolate`s3://${raw.bucketName}/${prefix}`;
    this.registerOutputs({ replicationConfigArn: this.replicationConfigArn, rawPrefix: this.rawPrefix });
  }
}
