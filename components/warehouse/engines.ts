import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { doc, platformRole, serviceTrust } from "../core/iam";
import type { NetworkRefs, PlatformContext, Tags } from "../core/types";
import { DEAD_LETTER_TAG } from "../functions/function";
import { copyReadStatements, queueSendStatements } from "../functions/statements";
import type { WarehouseConfig } from "./config";
import {
  accountOf,
  auroraClusterParameters,
  auroraParameterFamily,
  REDSHIFT_LOG_EXPORTS,
  redshiftConfigParameters,
  SNAPSHOT_TARGET,
  snapshotRoleStatements,
  snapshotScheduleInput,
  WAREHOUSE_PORT,
} from "./documents";

/** What each engine builder receives from the component. */
export interface EngineInput {
  readonly name: string;
  readonly parent: pulumi.Resource;
  readonly ctx: PlatformContext;
  readonly network: NetworkRefs;
  readonly config: WarehouseConfig;
  readonly keyArn: pulumi.Input<string>;
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  readonly securityGroupId: pulumi.Input<string>;
  /** Secret even in state. */
  readonly adminPassword: pulumi.Output<string>;
  readonly tags: Tags;
  readonly logRetentionDays: number;
  /** Redshift: the S3 folders its COPY reads (the loaders' staging folders). @default none: no COPY role */
  readonly copyFrom?: readonly CopySource[];
}

/** One folder the warehouse's COPY reads: the bucket, its KMS key and the prefix (ending in `/`). */
export interface CopySource {
  readonly bucketArn: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
  readonly prefix: string;
}

/** What the component needs back: where to connect, and what the bootstrap must wait for. */
export interface EngineOutput {
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  /** The resource whose ARN scopes the bootstrap's Data API calls (Redshift only). */
  readonly workgroupArn?: pulumi.Output<string>;
  readonly ready: pulumi.Resource[];
  /** Dead-letter queues of the engine's schedules, for monitoring. @default none */
  readonly deadLetterQueueNames?: pulumi.Output<string>[];
  /** Redshift: the role COPY runs as (the namespace's default role). @default none */
  readonly copyRoleArn?: pulumi.Output<string>;
}

/** Physical name shared by the namespace, workgroup or cluster. */
export const physicalName = (ctx: PlatformContext) => `${ctx.prefix}-warehouse`.slice(0, 60);

/**
 * Redshift Serverless: namespace (storage, encryption, audit logs) and workgroup (compute, network) in the
 * private subnets, a usage limit, and a daily snapshot kept per profile.
 */
export function redshiftServerless(i: EngineInput): EngineOutput {
  const { ctx, config, tags } = i;
  const r = config.redshift;
  const stateful = { parent: i.parent, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete };
  const physical = physicalName(ctx);

  const copyRole = i.copyFrom?.length ? copyRoleFor(i, physical) : undefined;
  const namespace = new aws.redshiftserverless.Namespace(
    `${i.name}-namespace`,
    {
      namespaceName: physical,
      ...(copyRole ? { iamRoles: [copyRole.arn], defaultIamRoleArn: copyRole.arn } : {}),
      dbName: config.databaseName,
      adminUsername: config.adminUsername,
      adminUserPassword: pulumi.secret(i.adminPassword),
      kmsKeyId: i.keyArn,
      logExports: [...REDSHIFT_LOG_EXPORTS],
      tags,
    },
    stateful,
  );

  const workgroup = new aws.redshiftserverless.Workgroup(
    `${i.name}-workgroup`,
    {
      workgroupName: physical,
      namespaceName: namespace.namespaceName,
      baseCapacity: r.baseCapacityRpu,
      maxCapacity: r.maxCapacityRpu,
      port: WAREHOUSE_PORT["redshift-serverless"],
      publiclyAccessible: false,
      // COPY/UNLOAD traffic goes through the VPC (and its S3 endpoint), where flow logs and endpoint policies apply.
      enhancedVpcRouting: true,
      subnetIds: i.network.privateSubnetIds,
      securityGroupIds: [i.securityGroupId],
      configParameters: redshiftConfigParameters(),
      tags,
    },
    { parent: i.parent },
  );

  new aws.redshiftserverless.UsageLimit(
    `${i.name}-usage-limit`,
    {
      resourceArn: workgroup.arn,
      usageType: "serverless-compute",
      amount: r.usageLimitRpuHours,
      period: r.usageLimitPeriod,
      breachAction: r.usageLimitBreachAction,
    },
    { parent: i.parent },
  );

  // Automatic recovery points cover only 24 hours; a daily snapshot with the profile's retention covers the rest.
  // A snapshot the scheduler could not start lands in a dead-letter queue (alarmed) instead of vanishing.
  const dlq = new aws.sqs.Queue(
    `${i.name}-snapshots-dlq`,
    {
      name: `${physical}-snapshots-dlq`,
      kmsMasterKeyId: i.keyArn,
      messageRetentionSeconds: 14 * 24 * 3600,
      tags: { ...tags, ...DEAD_LETTER_TAG },
    },
    { parent: i.parent },
  );
  const { role } = platformRole(
    `${i.name}-snapshots`,
    {
      ctx,
      permissionsBoundaryArn: i.permissionsBoundaryArn,
      assumeRolePolicy: namespace.arn.apply((arn) => serviceTrust("scheduler.amazonaws.com", accountOf(arn))),
      policy: pulumi
        .all([namespace.arn, dlq.arn, i.keyArn])
        .apply(([arn, q, k]) =>
          doc(...snapshotRoleStatements(arn), ...queueSendStatements(q, k, ctx.region, "DeadLetter")),
        ),
      tags,
      description: `Takes the daily snapshots of ${physical}`,
    },
    { parent: i.parent },
  );
  new aws.scheduler.Schedule(
    `${i.name}-snapshots`,
    {
      name: `${physical}-snapshots`.slice(0, 64),
      description: `Daily snapshot of ${physical}, kept ${r.snapshotRetentionDays} days`,
      scheduleExpression: "cron(0 3 * * ? *)",
      flexibleTimeWindow: { mode: "FLEXIBLE", maximumWindowInMinutes: 60 },
      target: {
        arn: SNAPSHOT_TARGET,
        roleArn: role.arn,
        input: namespace.namespaceName.apply((n) => snapshotScheduleInput(n, r.snapshotRetentionDays)),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: dlq.arn },
      },
    },
    { parent: i.parent },
  );

  return {
    endpoint: workgroup.endpoints.apply((e) => (e as typeof e | undefined)?.[0]?.address ?? ""),
    port: pulumi.output(WAREHOUSE_PORT["redshift-serverless"]),
    workgroupArn: workgroup.arn,
    ready: [workgroup],
    deadLetterQueueNames: [dlq.name],
    copyRoleArn: copyRole?.arn,
  };
}

/**
 * The role Redshift assumes for COPY: it reads the listed folders (the loaders' staging objects) and decrypts them
 * through S3, and nothing else. Trusted by the Redshift services of this account only.
 */
function copyRoleFor(i: EngineInput, physical: string): aws.iam.Role {
  const sources = i.copyFrom ?? [];
  const { role } = platformRole(
    `${i.name}-copy`,
    {
      ctx: i.ctx,
      permissionsBoundaryArn: i.permissionsBoundaryArn,
      assumeRolePolicy: pulumi.output(i.keyArn).apply((keyArn) =>
        doc({
          Effect: "Allow",
          Principal: { Service: ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"] },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": accountOf(keyArn) } },
        }),
      ),
      policy: pulumi.all(sources.map((s) => pulumi.all([s.bucketArn, s.keyArn]))).apply((refs) =>
        doc(
          ...copyReadStatements(
            refs.map(([bucketArn, keyArn], n) => ({
              bucketArn,
              keyArn,
              prefix: sources[n].prefix,
              region: i.ctx.region,
            })),
          ),
        ),
      ),
      tags: i.tags,
      description: `COPY of ${physical}: reads the loaders' staging objects and the cdc sources' changes`,
    },
    { parent: i.parent },
  );
  return role;
}

/**
 * Aurora PostgreSQL Serverless v2: TLS-only parameter group with audit logging, IAM database authentication,
 * Performance Insights, backups per profile, and in prod deletion protection, a final snapshot and a reader in
 * another AZ.
 */
export function auroraPostgres(i: EngineInput): EngineOutput {
  const { ctx, config, tags } = i;
  const a = config.aurora;
  const stateful = { parent: i.parent, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete };
  const identifier = physicalName(ctx);
  const prod = ctx.environment === "prod";

  const subnets = new aws.rds.SubnetGroup(
    `${i.name}-subnets`,
    { name: identifier, description: `Private subnets of ${identifier}`, subnetIds: i.network.privateSubnetIds, tags },
    { parent: i.parent },
  );
  const family = auroraParameterFamily(a.engineVersion);
  const parameters = new aws.rds.ClusterParameterGroup(
    `${i.name}-parameters`,
    {
      name: `${identifier}-${family}`,
      family,
      description: `TLS-only, audited ${identifier}`,
      parameters: auroraClusterParameters(),
      tags,
    },
    { parent: i.parent },
  );
  // Created first so RDS does not create it unencrypted and kept forever.
  const logs = new aws.cloudwatch.LogGroup(
    `${i.name}-postgresql-logs`,
    {
      name: `/aws/rds/cluster/${identifier}/postgresql`,
      retentionInDays: i.logRetentionDays,
      kmsKeyId: i.keyArn,
      tags,
    },
    { parent: i.parent, retainOnDelete: ctx.retainOnDelete },
  );

  const cluster = new aws.rds.Cluster(
    `${i.name}-cluster`,
    {
      clusterIdentifier: identifier,
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      engineVersion: a.engineVersion,
      databaseName: config.databaseName,
      masterUsername: config.adminUsername,
      masterPassword: pulumi.secret(i.adminPassword),
      port: WAREHOUSE_PORT["aurora-postgresql"],
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [i.securityGroupId],
      dbClusterParameterGroupName: parameters.name,
      storageEncrypted: true,
      kmsKeyId: i.keyArn,
      iamDatabaseAuthenticationEnabled: true,
      serverlessv2ScalingConfiguration: {
        minCapacity: a.minCapacityAcu,
        maxCapacity: a.maxCapacityAcu,
        ...(a.minCapacityAcu === 0 ? { secondsUntilAutoPause: a.secondsUntilAutoPause } : {}),
      },
      backupRetentionPeriod: a.backupRetentionDays,
      preferredBackupWindow: "02:00-03:00",
      preferredMaintenanceWindow: "sun:04:00-sun:05:00",
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      deletionProtection: prod || ctx.protect,
      // Only dev may be destroyed without a last snapshot.
      skipFinalSnapshot: ctx.allowDestroyData,
      finalSnapshotIdentifier: ctx.allowDestroyData ? undefined : `${identifier}-final`,
      tags,
    },
    { ...stateful, dependsOn: [logs] },
  );

  const instances = Array.from(
    { length: 1 + a.readers },
    (_, n) =>
      new aws.rds.ClusterInstance(
        `${i.name}-instance-${n + 1}`,
        {
          identifier: `${identifier}-${n + 1}`,
          clusterIdentifier: cluster.id,
          engine: "aurora-postgresql",
          engineVersion: a.engineVersion,
          instanceClass: "db.serverless",
          dbSubnetGroupName: subnets.name,
          publiclyAccessible: false,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: i.keyArn,
          performanceInsightsRetentionPeriod: 7,
          autoMinorVersionUpgrade: true,
          // The first reader is the preferred failover target.
          promotionTier: n === 0 ? 0 : 1,
          tags,
        },
        stateful,
      ),
  );

  return { endpoint: cluster.endpoint, port: cluster.port, ready: instances };
}
