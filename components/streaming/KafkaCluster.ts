import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dataTags } from "../core/tags";
import type { NetworkRefs, PlatformContext, SecurityRefs } from "../core/types";
import { PlatformFunction } from "../functions/function";
import { brokerAzCount, type StreamingConfig } from "./config";
import { firehoseClusterPolicy } from "./delivery";
import {
  KAFKA_CLASSIFICATION,
  KAFKA_CLIENTS,
  KAFKA_IAM_PORT,
  serverProperties,
  STORAGE_TARGET_UTILIZATION,
} from "./documents";
import { topicManagerStatements, topicPolicies, TopicPolicies } from "./iam";
import { topicsChecksum, topicSpec } from "./topics";

export interface KafkaClusterArgs {
  readonly ctx: PlatformContext;
  readonly network: NetworkRefs;
  readonly security: SecurityRefs;
  /** Resolved config (`resolveStreamingConfig`), already validated (`validateStreaming`). */
  readonly config: StreamingConfig;
}

/**
 * Kafka for the platform: MSK provisioned (default) or MSK Serverless, chosen in config. Private, TLS-only,
 * IAM-authenticated, encrypted with the platform's key, broker logs to an encrypted log group. Topics are
 * declared in config and created or updated at deploy time by a function inside the VPC; per topic, the
 * component hands out produce and consume policy documents scoped to that topic's ARN.
 */
export class KafkaCluster extends pulumi.ComponentResource {
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  /** SASL/IAM bootstrap brokers (port 9098), comma-separated. */
  readonly bootstrapBrokers: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  /** Per declared topic: its ARN and the produce / consume policy documents to attach to client roles. */
  readonly topicPolicies: pulumi.Output<Record<string, TopicPolicies>>;
  /** SHA-256 of the topic declarations: the topic manager re-runs exactly when it changes. */
  readonly topicsChecksum: string;

  constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:streaming:KafkaCluster", name, {}, opts);
    const { ctx, network, security, config } = args;
    const keyArn = security.keyArns[KAFKA_CLASSIFICATION];
    const tags = dataTags(ctx, "shared", KAFKA_CLASSIFICATION, { component: "streaming" });
    const clusterName = `${ctx.prefix}-kafka`.slice(0, 64);
    const p = { parent: this };

    // Lambda's event pollers of stream processors run in the cluster's subnets under this group: they reach the
    // brokers through the group itself, and Lambda and STS over HTTPS.
    const polled = config.processors.length > 0;
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: network.vpcId,
        description: `${clusterName}: SASL/IAM from platform producers and consumers only`,
        ingress: [
          ...KAFKA_CLIENTS.map((kind) => ({
            protocol: "tcp",
            fromPort: KAFKA_IAM_PORT,
            toPort: KAFKA_IAM_PORT,
            securityGroups: [network.workloadSecurityGroupIds[kind]],
            description: `${kind} workloads`,
          })),
          ...(polled
            ? [
                {
                  protocol: "tcp",
                  fromPort: KAFKA_IAM_PORT,
                  toPort: KAFKA_IAM_PORT,
                  self: true,
                  description: "Lambda event pollers",
                },
              ]
            : []),
        ],
        egress: polled
          ? [
              {
                protocol: "tcp",
                fromPort: KAFKA_IAM_PORT,
                toPort: KAFKA_IAM_PORT,
                self: true,
                description: "Lambda event pollers to the brokers",
              },
              {
                protocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrBlocks: ["0.0.0.0/0"],
                description: "Lambda event pollers to Lambda and STS",
              },
            ]
          : [],
        revokeRulesOnDelete: true,
        tags: { ...tags, Name: clusterName },
      },
      p,
    );

    let cluster: aws.msk.Cluster | aws.msk.ServerlessCluster;
    const delivering = config.topics.some((t) => t.delivery);
    if (config.engine === "msk") {
      const logs = new aws.cloudwatch.LogGroup(
        `${name}-broker-logs`,
        { name: `/aws/msk/${clusterName}/broker`, retentionInDays: config.logRetentionDays, kmsKeyId: keyArn, tags },
        { parent: this, retainOnDelete: ctx.retainOnDelete },
      );
      const configuration = new aws.msk.Configuration(
        `${name}-config`,
        {
          name: `${clusterName}-config`,
          kafkaVersions: [config.kafkaVersion],
          serverProperties: serverProperties(config),
          description: `Broker settings of ${clusterName}`,
        },
        p,
      );
      const provisioned = new aws.msk.Cluster(
        `${name}-cluster`,
        {
          clusterName,
          kafkaVersion: config.kafkaVersion,
          numberOfBrokerNodes: config.brokers,
          brokerNodeGroupInfo: {
            instanceType: config.instanceType,
            // One subnet per AZ: MSK spreads the brokers evenly over them, so use as many AZs as divide the count.
            clientSubnets: pulumi
              .output(network.privateSubnetIds)
              .apply((ids) => ids.slice(0, brokerAzCount(config.brokers, ids.length) ?? ids.length)),
            securityGroups: [sg.id],
            storageInfo: { ebsStorageInfo: { volumeSize: config.ebsVolumeGb } },
            // Firehose deliveries connect through multi-VPC private connectivity (PrivateLink), IAM-authenticated.
            connectivityInfo: {
              publicAccess: { type: "DISABLED" },
              ...(delivering ? { vpcConnectivity: { clientAuthentication: { sasl: { iam: true } } } } : {}),
            },
          },
          clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
          encryptionInfo: {
            encryptionAtRestKmsKeyArn: keyArn,
            encryptionInTransit: { clientBroker: "TLS", inCluster: true },
          },
          configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
          loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logs.name } } },
          enhancedMonitoring: config.enhancedMonitoring,
          tags,
        },
        // Storage autoscaling grows volumes outside the program; the program must not shrink them back.
        {
          parent: this,
          protect: ctx.protect,
          retainOnDelete: ctx.retainOnDelete,
          ignoreChanges: ["brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"],
        },
      );
      const storage = new aws.appautoscaling.Target(
        `${name}-storage`,
        {
          serviceNamespace: "kafka",
          scalableDimension: "kafka:broker-storage:VolumeSize",
          resourceId: provisioned.arn,
          minCapacity: 1,
          maxCapacity: config.maxEbsVolumeGb,
          tags,
        },
        p,
      );
      new aws.appautoscaling.Policy(
        `${name}-storage`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: storage.serviceNamespace,
          scalableDimension: storage.scalableDimension,
          resourceId: storage.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: "KafkaBrokerStorageUtilization" },
            targetValue: STORAGE_TARGET_UTILIZATION,
            // EBS volumes cannot shrink.
            disableScaleIn: true,
          },
        },
        p,
      );
      cluster = provisioned;
      this.bootstrapBrokers = provisioned.bootstrapBrokersSaslIam;
    } else {
      const serverless = new aws.msk.ServerlessCluster(
        `${name}-cluster`,
        {
          clusterName,
          vpcConfigs: [{ subnetIds: network.privateSubnetIds, securityGroupIds: [sg.id] }],
          clientAuthentication: { sasl: { iam: { enabled: true } } },
          tags,
        },
        { parent: this, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete },
      );
      cluster = serverless;
      this.bootstrapBrokers = serverless.bootstrapBrokersSaslIam;
    }

    if (delivering) {
      new aws.msk.ClusterPolicy(
        `${name}-firehose`,
        {
          clusterArn: cluster.arn,
          policy: cluster.arn.apply((arn) => JSON.stringify(firehoseClusterPolicy(arn, arn.split(":")[4]))),
        },
        p,
      );
    }

    // Topics: the declaration travels in the invocation; its checksum (and the function's code hash) decide re-runs.
    const specs = config.topics.map(topicSpec);
    this.topicsChecksum = topicsChecksum(specs);
    const names = specs.map((s) => s.name);
    const manager = new PlatformFunction(
      `${name}-topics`,
      {
        ctx,
        functionName: "kafka-topics",
        entry: path.join(__dirname, "handlers", "topics.ts"),
        tags,
        statements: cluster.arn.apply((arn) => topicManagerStatements(arn, names)),
        permissionsBoundaryArn: security.permissionsBoundaryArn,
        kmsKeyArn: keyArn,
        timeoutSeconds: 120,
        reservedConcurrency: 1,
        logRetentionDays: config.logRetentionDays,
        // Brokers are private: the manager runs in the VPC as an ingestion workload, which the brokers admit.
        vpc: { subnetIds: network.privateSubnetIds, securityGroupIds: [network.workloadSecurityGroupIds.ingestion] },
      },
      p,
    );
    new aws.lambda.Invocation(
      `${name}-topics`,
      {
        functionName: manager.functionName,
        input: this.bootstrapBrokers.apply((bootstrapBrokers) =>
          JSON.stringify({ bootstrapBrokers, region: ctx.region, checksum: this.topicsChecksum, topics: specs }),
        ),
        triggers: { topics: this.topicsChecksum, code: manager.codeHash },
      },
      { parent: this, dependsOn: [cluster] },
    );

    this.clusterArn = cluster.arn;
    this.clusterName = cluster.clusterName;
    this.securityGroupId = sg.id;
    this.topicPolicies = cluster.arn.apply((arn) => topicPolicies(arn, names));
    this.registerOutputs({
      clusterArn: this.clusterArn,
      bootstrapBrokers: this.bootstrapBrokers,
      securityGroupId: this.securityGroupId,
      topicPolicies: this.topicPolicies,
      topicsChecksum: this.topicsChecksum,
    });
  }
}
