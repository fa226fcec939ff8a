// Which resources hold data or identity, and which of their inputs force a new resource when changed. Replacing or
// deleting one of these loses what it holds, so the plan diff (`npm run plan -- --against`) names the input that
// forces it and the data at risk. Each entry is traced to the Terraform AWS provider that @pulumi/aws bridges: the
// file whose schema marks the attribute `ForceNew: true` or `RequiresReplace()`. Input paths are Pulumi's (camelCase,
// nested blocks joined by `.`); a test checks every top-level input exists on the type.
//
// To add a type: one entry here with its provider file, the inputs the provider forces, the input that names the
// physical resource (for rename detection) and a sentence on what is lost.

export interface StatefulType {
  /** What is lost when the resource goes, in a sentence a reviewer understands. */
  readonly holds: string;
  /** Inputs whose change forces a new resource (ForceNew / RequiresReplace in the provider). */
  readonly forceNew: readonly string[];
  /** Inputs that name the physical resource: equal values under two URNs are one resource renamed. */
  readonly identity: readonly string[];
  /** The provider source that says so (hashicorp/terraform-provider-aws). */
  readonly source: string;
  /**
   * Where the list was read against the provider source: the commit of the file version read, and what forces a new
   * resource only under a condition the table cannot express (a CustomizeDiff), for a reviewer to keep in mind.
   */
  readonly checked?: string;
}

const TF = "hashicorp/terraform-provider-aws:internal/service/";

export const STATEFUL_TYPES: Readonly<Record<string, StatefulType>> = {
  "aws:s3/bucket:Bucket": {
    holds: "every object in the bucket (all versions)",
    forceNew: ["bucket", "bucketPrefix", "objectLockEnabled"],
    identity: ["bucket"],
    source: `${TF}s3/bucket.go`,
    checked: "bucket, bucket_prefix at 0070bcd1; object_lock_enabled in a later (v4) version of the file",
  },
  "aws:kms/key:Key": {
    holds: "the key material: everything encrypted under the key becomes unreadable once it is deleted",
    forceNew: ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
    identity: [],
    source: `${TF}kms/key.go`,
    checked: "00a35305",
  },
  "aws:redshiftserverless/namespace:Namespace": {
    holds: "the warehouse: every schema, table, user and recovery point",
    forceNew: ["namespaceName", "dbName"],
    identity: ["namespaceName"],
    source: `${TF}redshiftserverless/namespace.go`,
    checked: "209cc4dc (RequiresReplace plan modifiers)",
  },
  "aws:redshiftserverless/workgroup:Workgroup": {
    holds: "the warehouse endpoint clients connect to, with its capacity and usage limits",
    forceNew: ["workgroupName", "namespaceName"],
    identity: ["workgroupName"],
    source: `${TF}redshiftserverless/workgroup.go`,
    checked: "01c08000 (an older version of the file)",
  },
  "aws:rds/cluster:Cluster": {
    holds: "the database: every table and its automated backups",
    forceNew: [
      "clusterIdentifier",
      "clusterIdentifierPrefix",
      "clusterScalabilityType",
      "availabilityZones",
      "databaseName",
      "dbSubnetGroupName",
      "dbSystemId",
      "engine",
      "engineMode",
      "kmsKeyId",
      "masterUsername",
      "restoreToPointInTime",
      "s3Import",
      "snapshotIdentifier",
      "sourceRegion",
      "storageEncrypted",
    ],
    identity: ["clusterIdentifier"],
    source: `${TF}rds/cluster.go`,
    checked: "0168cf68; storage_type also forces a new cluster for engines other than Aurora (CustomizeDiff)",
  },
  "aws:msk/cluster:Cluster": {
    holds: "every topic's retained records and consumer offsets",
    forceNew: [
      "clusterName",
      "brokerNodeGroupInfo.azDistribution",
      "brokerNodeGroupInfo.clientSubnets",
      "brokerNodeGroupInfo.securityGroups",
      "encryptionInfo.encryptionAtRestKmsKeyArn",
      "encryptionInfo.encryptionInTransit.inCluster",
    ],
    identity: ["clusterName"],
    source: `${TF}kafka/cluster.go`,
    checked: "0b2fe557; a kafka_version downgrade also forces a new cluster (CustomizeDiff)",
  },
  "aws:msk/serverlessCluster:ServerlessCluster": {
    holds: "every topic's retained records and consumer offsets",
    forceNew: ["clusterName", "clientAuthentication", "vpcConfigs"],
    identity: ["clusterName"],
    source: `${TF}kafka/serverless_cluster.go`,
    checked: "02fe3b28",
  },
  "aws:dynamodb/table:Table": {
    holds: "every item in the table",
    forceNew: [
      "name",
      "hashKey",
      "rangeKey",
      "localSecondaryIndexes",
      "restoreSourceName",
      "restoreToLatestTime",
      "restoreDateTime",
    ],
    identity: ["name"],
    source: `${TF}dynamodb/table.go`,
    checked: "01335dd3 (an older version of the file: later restore and import inputs are not in this list)",
  },
  "aws:glue/catalogDatabase:CatalogDatabase": {
    holds: "the catalog database with every table definition over the lake (and the grants on them)",
    forceNew: ["name", "catalogId", "targetDatabase"],
    identity: ["name"],
    source: `${TF}glue/catalog_database.go`,
    checked: "0075c786",
  },
  "aws:glue/catalogTable:CatalogTable": {
    holds: "the table definition: schema, partitions and the Iceberg metadata pointer",
    forceNew: [
      "name",
      "databaseName",
      "catalogId",
      "partitionIndices",
      "targetTable",
      "openTableFormatInput.icebergInput.metadataOperation",
      "openTableFormatInput.icebergInput.version",
    ],
    identity: ["databaseName", "name"],
    source: `${TF}glue/catalog_table.go`,
    checked: "004debd4",
  },
  "aws:sqs/queue:Queue": {
    holds: "every message waiting in the queue (for a dead-letter queue: the records parked for replay)",
    forceNew: ["name", "namePrefix", "fifoQueue"],
    identity: ["name"],
    source: `${TF}sqs/queue.go`,
    checked: "00a35305",
  },
  "aws:sns/topic:Topic": {
    holds: "the topic's subscriptions and the ARN publishers and alarms send to",
    forceNew: ["name", "namePrefix", "fifoTopic"],
    identity: ["name"],
    source: `${TF}sns/topic.go`,
    checked: "00a35305",
  },
  "aws:secretsmanager/secret:Secret": {
    holds: "the secret's value (credentials) and its version history",
    forceNew: ["name", "namePrefix"],
    identity: ["name"],
    source: `${TF}secretsmanager/secret.go`,
    checked: "00c21ced",
  },
  "aws:eks/cluster:Cluster": {
    holds: "every workload and Kubernetes object in the cluster",
    forceNew: [
      "name",
      "roleArn",
      "bootstrapSelfManagedAddons",
      "accessConfig.bootstrapClusterCreatorAdminPermissions",
      "kubernetesNetworkConfig.ipFamily",
      "kubernetesNetworkConfig.serviceIpv4Cidr",
      "outpostConfig.controlPlaneInstanceType",
      "outpostConfig.controlPlanePlacement.groupName",
      "remoteNetworkConfig",
    ],
    identity: ["name"],
    source: `${TF}eks/cluster.go`,
    checked:
      "00555dc5; removing encryption_config, or changing an existing compute_config.node_role_arn, also forces a new cluster (CustomizeDiff)",
  },
  "aws:sfn/stateMachine:StateMachine": {
    holds: "the state machine's execution history",
    forceNew: ["name", "namePrefix", "type"],
    identity: ["name"],
    source: `${TF}sfn/state_machine.go`,
    checked: "01f43111",
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    holds: "every log event the group keeps (audit and access logs among them)",
    forceNew: ["name", "namePrefix", "logGroupClass"],
    identity: ["name"],
    source: `${TF}logs/group.go`,
    checked: "0073593e",
  },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
    holds: "records buffered in the stream that are not yet delivered",
    forceNew: [
      "name",
      "destination",
      "kinesisSourceConfiguration",
      "mskSourceConfiguration",
      "extendedS3Configuration.dynamicPartitioningConfiguration",
    ],
    identity: ["name"],
    source: `${TF}firehose/delivery_stream.go`,
    checked: "an AWS SDK v2 version of the file, read through the code index (commit not pinned)",
  },
  "aws:dms/replicationConfig:ReplicationConfig": {
    holds: "the replication's progress: a new one starts the full load again",
    forceNew: [
      "replicationConfigIdentifier",
      "resourceIdentifier",
      "computeConfig.availabilityZone",
      "computeConfig.kmsKeyId",
      "computeConfig.replicationSubnetGroupId",
    ],
    identity: ["replicationConfigIdentifier"],
    source: `${TF}dms/replication_config.go`,
    checked: "0db75106 and 07cefbca (the compute_config entries were missing before)",
  },
  "aws:dms/endpoint:Endpoint": {
    holds: "the source connection the replication's checkpoints refer to",
    forceNew: ["endpointId", "kmsKeyArn", "elasticsearchSettings", "kinesisSettings.messageFormat"],
    identity: ["endpointId"],
    source: `${TF}dms/endpoint.go`,
    checked: "552c0468, an older version of the file, whole schema (kms_key_arn was missing before)",
  },
  "aws:dms/s3Endpoint:S3Endpoint": {
    holds: "the target the replication's checkpoints refer to",
    forceNew: ["endpointId", "kmsKeyArn", "ignoreHeaderRows"],
    identity: ["endpointId"],
    source: `${TF}dms/s3_endpoint.go`,
    checked: "4ca4fcdd (kms_key_arn and ignore_header_rows were missing before)",
  },
  "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup": {
    holds: "the network placement of the replication",
    forceNew: ["replicationSubnetGroupId"],
    identity: ["replicationSubnetGroupId"],
    source: `${TF}dms/replication_subnet_group.go`,
    checked: "13d0218a",
  },
};

export const STATEFUL_TYPE_TOKENS: readonly string[] = Object.keys(STATEFUL_TYPES);
