import { CLASSIFICATIONS } from "../../components/core/types";
import { ALWAYS, PlatformRule, resourceRule, tagsOf } from "./define";
import { isAccessLogBucket } from "./util";

/**
 * AWS types the platform creates that accept tags. A test compares this list with the prod plan and the
 * provider's typings, so a new taggable type cannot slip past the tag rules.
 */
export const TAGGABLE_TYPES: readonly string[] = [
  "aws:kms/key:Key",
  "aws:iam/role:Role",
  "aws:iam/policy:Policy",
  "aws:s3/bucket:Bucket",
  "aws:glue/catalogDatabase:CatalogDatabase",
  "aws:glue/dataQualityRuleset:DataQualityRuleset",
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
  "aws:ec2/flowLog:FlowLog",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:redshiftserverless/namespace:Namespace",
  "aws:redshiftserverless/workgroup:Workgroup",
  "aws:rds/cluster:Cluster",
  "aws:rds/clusterInstance:ClusterInstance",
  "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:msk/cluster:Cluster",
  "aws:msk/serverlessCluster:ServerlessCluster",
  "aws:secretsmanager/secret:Secret",
  "aws:codebuild/project:Project",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:budgets/budget:Budget",
  "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
  "aws:costexplorer/anomalySubscription:AnomalySubscription",
  "aws:appautoscaling/target:Target",
  "aws:sqs/queue:Queue",
  "aws:lambda/function:Function",
  "aws:lambda/eventSourceMapping:EventSourceMapping",
  "aws:apigatewayv2/api:Api",
  "aws:apigatewayv2/stage:Stage",
  "aws:dynamodb/table:Table",
  "aws:sfn/stateMachine:StateMachine",
  "aws:sns/topic:Topic",
  "aws:cloudwatch/eventRule:EventRule",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:eks/cluster:Cluster",
  "aws:eks/accessEntry:AccessEntry",
  "aws:eks/addon:Addon",
  "aws:eks/nodeGroup:NodeGroup",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:athena/workgroup:Workgroup",
  "aws:dms/replicationConfig:ReplicationConfig",
  "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup",
  "aws:dms/endpoint:Endpoint",
  "aws:dms/s3Endpoint:S3Endpoint",
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
];

/**
 * Types that hold data: they carry a data domain and classification so access, keys and retention follow the data.
 * (Buckets in general; the access-log bucket holds only request metadata.) Glue tables take no tags: they inherit
 * their database's. Queues and DynamoDB tables are judged by data-key-matches-classification when classified.
 */
export const DATA_TYPES: readonly string[] = [
  "aws:s3/bucket:Bucket",
  "aws:glue/catalogDatabase:CatalogDatabase",
  "aws:redshiftserverless/namespace:Namespace",
  "aws:rds/cluster:Cluster",
  "aws:msk/cluster:Cluster",
  "aws:msk/serverlessCluster:ServerlessCluster",
  "aws:kinesis/stream:Stream",
];

export const REQUIRED_TAGS = ["environment", "owner", "cost-center", "managed-by"] as const;

export const governanceRules: PlatformRule[] = [
  resourceRule({
    name: "governance-tags",
    description: "Every taggable resource carries the governance tags: environment, owner, cost-center, managed-by.",
    remediation: "Pass baseTags(ctx, component) or dataTags(ctx, domain, classification) as the resource's tags.",
    group: "governance",
    resourceTypes: TAGGABLE_TYPES,
    enforcement: ALWAYS,
    validate(r, report) {
      const tags = tagsOf(r.props);
      const missing = REQUIRED_TAGS.filter((k) => !tags[k]);
      if (missing.length) report(`missing governance tags: ${missing.join(", ")}`);
      if (tags["environment"] && !["dev", "staging", "prod"].includes(tags["environment"]))
        report(`environment tag '${tags["environment"]}' is not dev, staging or prod`);
    },
  }),
  resourceRule({
    name: "data-classification-tags",
    description: "Every data resource carries a data-domain tag and a data-classification tag with a known level.",
    remediation:
      "Tag with dataTags(ctx, domain, classification); classification is public | internal | confidential | restricted.",
    group: "governance",
    resourceTypes: DATA_TYPES,
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.type === "aws:s3/bucket:Bucket" && isAccessLogBucket(r)) return;
      const tags = tagsOf(r.props);
      if (!tags["data-domain"]) report("missing data-domain tag");
      const c = tags["data-classification"];
      if (!c) report("missing data-classification tag");
      else if (!(CLASSIFICATIONS as readonly string[]).includes(c))
        report(`data-classification '${c}' is not one of ${CLASSIFICATIONS.join(", ")}`);
    },
  }),
];
