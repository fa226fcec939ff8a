// A small but complete prod-shaped platform, built with the platform's own policy documents, that every rule of
// the pack must pass; violating cases are single edits of it. Names are unique so edits can address them.
import { serviceTrust } from "../../components/core/iam";
import { CLASSIFICATIONS, Classification } from "../../components/core/types";
import { bucketPolicy, lifecycleRules } from "../../components/lake/documents";
import { boundaryPolicy, keyPolicy } from "../../components/security/documents";
import type { PlannedResource } from "../../policies/engine/args";
import { planned } from "../support/policy";

type R = PlannedResource;

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
export const PREFIX = "acme-data-prod";
const BOUNDARY = `${PREFIX}-permissions-boundary`;
export const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/${BOUNDARY}`;
export const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${PREFIX}/${name}`;
export const keyId = (c: Classification) => `${c}-1111-2222-3333-444455556666`;
export const keyArn = (c: Classification) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId(c)}`;
export const KAFKA_CLUSTER = `${PREFIX}-kafka`;
export const topicArn = (topic: string) =>
  `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/${KAFKA_CLUSTER}/0b1c2d3e-aaaa-bbbb-cccc-000000000000-2/${topic}`;

export const T = {
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  bucket: "aws:s3/bucket:Bucket",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  logging: "aws:s3/bucketLogging:BucketLogging",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  glueDb: "aws:glue/catalogDatabase:CatalogDatabase",
  glueEncryption: "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
  glueSecurity: "aws:glue/securityConfiguration:SecurityConfiguration",
  lfSettings: "aws:lakeformation/dataLakeSettings:DataLakeSettings",
  lfResource: "aws:lakeformation/resource:Resource",
  lfPermissions: "aws:lakeformation/permissions:Permissions",
  athena: "aws:athena/workgroup:Workgroup",
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  rta: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  routeTable: "aws:ec2/routeTable:RouteTable",
  nat: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  flowLog: "aws:ec2/flowLog:FlowLog",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  volume: "aws:ebs/volume:Volume",
  instance: "aws:ec2/instance:Instance",
  msk: "aws:msk/cluster:Cluster",
  rds: "aws:rds/cluster:Cluster",
  rdsInstance: "aws:rds/clusterInstance:ClusterInstance",
  rdsDb: "aws:rds/instance:Instance",
  namespace: "aws:redshiftserverless/namespace:Namespace",
  workgroup: "aws:redshiftserverless/workgroup:Workgroup",
  dynamo: "aws:dynamodb/table:Table",
  secret: "aws:secretsmanager/secret:Secret",
  queue: "aws:sqs/queue:Queue",
  eks: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  mskConfig: "aws:msk/configuration:Configuration",
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  usageLimit: "aws:redshiftserverless/usageLimit:UsageLimit",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  invocation: "aws:lambda/invocation:Invocation",
  accessEntry: "aws:eks/accessEntry:AccessEntry",
  accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  addon: "aws:eks/addon:Addon",
  podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  quota: "kubernetes:core/v1:ResourceQuota",
  limitRange: "kubernetes:core/v1:LimitRange",
  service: "kubernetes:core/v1:Service",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  k8sRole: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  secretStore: "kubernetes:external-secrets.io/v1:SecretStore",
  clusterSecretStore: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
  fn: "aws:lambda/function:Function",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  redriveAllow: "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  integration: "aws:apigatewayv2/integration:Integration",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
  notification: "aws:s3/bucketNotification:BucketNotification",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  lfTag: "aws:lakeformation/lfTag:LfTag",
  lfResourceTags: "aws:lakeformation/resourceLfTags:ResourceLfTags",
  externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
  configMap: "kubernetes:core/v1:ConfigMap",
  k8sSecret: "kubernetes:core/v1:Secret",
} as const;

export const baseTags = (extra: Record<string, string> = {}) => ({
  environment: "prod",
  owner: "data-platform@acme.example",
  "cost-center": "CC-4100",
  "managed-by": "pulumi:data-platform",
  platform: "acme-data",
  ...extra,
});
export const dataTags = (domain: string, classification: Classification, extra: Record<string, string> = {}) =>
  baseTags({ "data-domain": domain, "data-classification": classification, ...extra });

const stateful = { protect: true, retainOnDelete: true };
const json = (v: unknown) => JSON.stringify(v);

function keys(): R[] {
  return CLASSIFICATIONS.flatMap((c) => {
    const key = planned(
      T.key,
      {
        description: `${PREFIX}: data classified ${c}`,
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: 30,
        policy: json(keyPolicy({ accountId: ACCOUNT, region: REGION, prefix: PREFIX, classification: c })),
        tags: baseTags({ "data-classification": c }),
      },
      { name: `key-${c}`, ...stateful },
    );
    const alias = planned(
      T.alias,
      { name: `alias/${PREFIX}-${c}`, targetKeyId: keyId(c) },
      { name: `alias-${c}`, dependencies: [key.urn] },
    );
    return [key, alias];
  });
}

const keyUrn = (c: Classification) => `urn:pulumi:test::data-platform::Key::key-${c}`;

/** A bucket and every companion SecureBucket gives it; `c` undefined makes it the SSE-S3 access-log bucket. */
export function bucketSet(name: string, c: Classification | undefined, domain = "shared"): R[] {
  const physical = `${PREFIX}-${name}-${ACCOUNT}`;
  const arn = `arn:aws:s3:::${physical}`;
  const isLogs = c === undefined;
  const bucket = planned(
    T.bucket,
    {
      bucket: physical,
      forceDestroy: false,
      objectLockEnabled: false,
      tags: isLogs
        ? baseTags({ component: "lake", "data-platform:bucket-role": "access-logs" })
        : dataTags(domain, c, { component: "lake" }),
    },
    { name, ...stateful },
  );
  const on = (type: string, suffix: string, inputs: Record<string, unknown>, deps: string[] = []) =>
    planned(type, { bucket: physical, ...inputs }, { name: `${name}-${suffix}`, dependencies: [bucket.urn, ...deps] });
  return [
    bucket,
    on(T.pab, "pab", {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    on(T.ownership, "ownership", { rule: { objectOwnership: "BucketOwnerEnforced" } }),
    on(T.versioning, "versioning", { versioningConfiguration: { status: "Enabled" } }),
    on(
      T.sse,
      "sse",
      {
        rules: [
          isLogs
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
            : {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn(c) },
                bucketKeyEnabled: true,
              },
        ],
      },
      isLogs ? [] : [keyUrn(c)],
    ),
    on(T.lifecycle, "lifecycle", {
      rules: lifecycleRules({ noncurrentVersionExpirationDays: 90, expireAfterDays: isLogs ? 365 : undefined }),
    }),
    ...(isLogs
      ? []
      : [on(T.logging, "logging", { targetBucket: `${PREFIX}-access-logs-${ACCOUNT}`, targetPrefix: `${name}/` })]),
    on(
      T.bucketPolicy,
      "policy",
      {
        policy: json(
          bucketPolicy({ bucketArn: arn, kmsKeyArn: isLogs ? undefined : keyArn(c), denyVersionDeletion: true }),
        ),
      },
      isLogs ? [] : [keyUrn(c)],
    ),
  ];
}

function role(name: string, trust: unknown, policy?: unknown, extra: Record<string, unknown> = {}): R[] {
  const r = planned(
    T.role,
    {
      path: `/${PREFIX}/`,
      assumeRolePolicy: json(trust),
      permissionsBoundary: BOUNDARY_ARN,
      tags: baseTags(),
      ...extra,
    },
    { name },
  );
  return policy
    ? [
        r,
        planned(
          T.rolePolicy,
          { role: `${name}-id`, policy: json(policy) },
          { name: `${name}-policy`, dependencies: [r.urn] },
        ),
      ]
    : [r];
}

function lake(): R[] {
  const db = (name: string, domain: string, c: Classification, bucket: string, prefix: string) =>
    planned(
      T.glueDb,
      {
        name: `acme_data_prod_${name}`,
        locationUri: `s3://${PREFIX}-${bucket}-${ACCOUNT}/${prefix}`,
        tags: dataTags(domain, c, {
          "data-owner": `${domain}-owner@acme.example`,
          "data-steward": `${domain}-steward@acme.example`,
        }),
      },
      { name: `db-${name}`, protect: true },
    );
  const registered = (bucket: string) =>
    planned(
      T.lfResource,
      {
        arn: `arn:aws:s3:::${PREFIX}-${bucket}-${ACCOUNT}`,
        roleArn: roleArn("lakeformation"),
        hybridAccessEnabled: false,
      },
      { name: `lf-${bucket}` },
    );
  return [
    ...bucketSet("access-logs", undefined),
    ...bucketSet("raw", "confidential"),
    ...bucketSet("curated", "internal"),
    ...bucketSet("restricted", "restricted", "people"),
    ...bucketSet("query-results", "confidential"),
    db("sales_raw", "sales", "confidential", "raw", "sales/"),
    db("sales_curated", "sales", "confidential", "curated", "sales/"),
    db("people_raw", "people", "restricted", "restricted", "raw/people/"),
    planned(T.lfTag, { key: `${PREFIX}:domain`, values: ["sales", "people"] }, { name: "lf-tag-domain" }),
    planned(
      T.lfTag,
      { key: `${PREFIX}:classification`, values: [...CLASSIFICATIONS] },
      { name: "lf-tag-classification" },
    ),
    ...(
      [
        ["sales_raw", "sales", "confidential"],
        ["sales_curated", "sales", "confidential"],
        ["people_raw", "people", "restricted"],
      ] as const
    ).map(([name, domain, c]) =>
      planned(
        T.lfResourceTags,
        {
          database: { name: `acme_data_prod_${name}` },
          lfTags: [
            { key: `${PREFIX}:domain`, value: domain },
            { key: `${PREFIX}:classification`, value: c },
          ],
        },
        { name: `lf-tags-${name}` },
      ),
    ),
    ...role("lakeformation", serviceTrust("lakeformation.amazonaws.com", ACCOUNT), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject"],
          Resource: [`arn:aws:s3:::${PREFIX}-raw-${ACCOUNT}/*`],
        },
        {
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
          Resource: [keyArn("confidential")],
          Condition: { StringLike: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } },
        },
      ],
    }),
    planned(
      T.lfSettings,
      {
        admins: [`arn:aws:iam::${ACCOUNT}:role/platform-deployer`],
        createDatabaseDefaultPermissions: [],
        createTableDefaultPermissions: [],
        allowExternalDataFiltering: false,
      },
      { name: "lf-settings" },
    ),
    registered("raw"),
    registered("curated"),
    registered("restricted"),
    planned(
      T.lfPermissions,
      {
        principal: roleArn("analyst"),
        permissions: ["SELECT", "DESCRIBE"],
        table: { databaseName: "acme_data_prod_sales_curated", wildcard: true },
      },
      { name: "lf-grant-analyst" },
    ),
    planned(
      T.athena,
      {
        name: `${PREFIX}-analysts`,
        tags: dataTags("shared", "confidential"),
        configuration: {
          enforceWorkgroupConfiguration: true,
          bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
          publishCloudwatchMetricsEnabled: true,
          engineVersion: { selectedEngineVersion: "Athena engine version 3" },
          resultConfiguration: {
            outputLocation: `s3://${PREFIX}-query-results-${ACCOUNT}/analysts/`,
            encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: keyArn("confidential") },
          },
        },
      },
      { name: "athena-analysts", dependencies: [keyUrn("confidential")] },
    ),
    planned(
      T.glueEncryption,
      {
        dataCatalogEncryptionSettings: {
          encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: keyArn("internal") },
          connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: keyArn("internal") },
        },
      },
      { name: "glue-encryption" },
    ),
    planned(
      T.glueSecurity,
      {
        name: `${PREFIX}-jobs`,
        encryptionConfiguration: {
          s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: keyArn("confidential") },
          cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: keyArn("internal") },
          jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: keyArn("internal") },
        },
      },
      { name: "glue-security" },
    ),
  ];
}

function network(): R[] {
  const vpc = planned(
    T.vpc,
    { cidrBlock: "10.30.0.0/16", enableDnsHostnames: true, enableDnsSupport: true, tags: baseTags() },
    { name: "vpc" },
  );
  const out: R[] = [
    vpc,
    planned(
      T.defaultSg,
      { vpcId: "vpc-1", ingress: [], egress: [], tags: baseTags() },
      { name: "default-sg", dependencies: [vpc.urn] },
    ),
  ];
  ["a", "b", "c"].forEach((az, i) => {
    const subnet = planned(
      T.subnet,
      {
        vpcId: "vpc-1",
        cidrBlock: `10.30.${i * 64}.0/18`,
        availabilityZone: `${REGION}${az}`,
        mapPublicIpOnLaunch: false,
        tags: baseTags(),
      },
      { name: `subnet-${az}`, dependencies: [vpc.urn] },
    );
    const eip = planned(T.eip, { domain: "vpc", tags: baseTags() }, { name: `eip-${az}` });
    const nat = planned(
      T.nat,
      { allocationId: `eipalloc-${az}`, subnetId: `subnet-${az}`, tags: baseTags() },
      { name: `nat-${az}`, dependencies: [eip.urn, subnet.urn] },
    );
    const rt = planned(
      T.routeTable,
      { vpcId: "vpc-1", routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: `nat-${az}` }], tags: baseTags() },
      { name: `rt-${az}`, dependencies: [vpc.urn, nat.urn] },
    );
    out.push(
      subnet,
      eip,
      nat,
      rt,
      planned(
        T.rta,
        { subnetId: `subnet-${az}`, routeTableId: `rt-${az}` },
        { name: `rta-${az}`, dependencies: [subnet.urn, rt.urn] },
      ),
    );
  });
  const logs = planned(
    T.logGroup,
    { name: `/${PREFIX}/vpc/flow-logs`, retentionInDays: 365, kmsKeyId: keyArn("internal"), tags: baseTags() },
    { name: "flow-logs", dependencies: [keyUrn("internal")] },
  );
  out.push(
    logs,
    ...role("flow-logs-role", serviceTrust("vpc-flow-logs.amazonaws.com", ACCOUNT), {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
    }),
    planned(
      T.flowLog,
      {
        vpcId: "vpc-1",
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: "arn:logs",
        tags: baseTags(),
      },
      { name: "flow-log", dependencies: [vpc.urn, logs.urn] },
    ),
    planned(
      T.endpoint,
      {
        vpcId: "vpc-1",
        serviceName: `com.amazonaws.${REGION}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: ["rt-a", "rt-b", "rt-c"],
        tags: baseTags(),
      },
      { name: "endpoint-s3", dependencies: [vpc.urn] },
    ),
    planned(
      T.sg,
      {
        vpcId: "vpc-1",
        description: "compute workloads",
        ingress: [],
        tags: baseTags(),
        egress: [
          {
            protocol: "tcp",
            fromPort: 0,
            toPort: 65535,
            cidrBlocks: ["10.30.0.0/16"],
            description: "to data stores in the VPC",
          },
          { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS to AWS APIs" },
        ],
      },
      { name: "sg-compute", dependencies: [vpc.urn] },
    ),
    planned(
      T.sg,
      {
        vpcId: "vpc-1",
        description: "warehouse: database port from platform workloads only",
        egress: [],
        tags: dataTags("shared", "confidential"),
        ingress: [
          {
            protocol: "tcp",
            fromPort: 5439,
            toPort: 5439,
            securityGroups: ["sg-compute"],
            description: "compute workloads",
          },
        ],
      },
      { name: "sg-warehouse", dependencies: [vpc.urn] },
    ),
  );
  return out;
}

function dataStores(): R[] {
  const dep = (...cs: Classification[]) => ({ dependencies: cs.map(keyUrn) });
  return [
    planned(
      T.mskConfig,
      { name: `${KAFKA_CLUSTER}-config`, kafkaVersions: ["3.8.x"], serverProperties: MSK_PROPERTIES },
      { name: "kafka-config" },
    ),
    planned(
      T.msk,
      {
        clusterName: KAFKA_CLUSTER,
        kafkaVersion: "3.8.x",
        numberOfBrokerNodes: 3,
        configurationInfo: {
          arn: `arn:aws:kafka:${REGION}:${ACCOUNT}:configuration/${KAFKA_CLUSTER}-config/1`,
          revision: 1,
        },
        brokerNodeGroupInfo: {
          instanceType: "kafka.m5.large",
          clientSubnets: ["subnet-a", "subnet-b", "subnet-c"],
          securityGroups: ["sg-kafka"],
          storageInfo: { ebsStorageInfo: { volumeSize: 100 } },
        },
        encryptionInfo: {
          encryptionAtRestKmsKeyArn: keyArn("confidential"),
          encryptionInTransit: { clientBroker: "TLS", inCluster: true },
        },
        tags: dataTags("shared", "confidential"),
      },
      { name: "kafka", ...stateful, ...dep("confidential") },
    ),
    planned(
      T.scalingTarget,
      {
        serviceNamespace: "kafka",
        scalableDimension: "kafka:broker-storage:VolumeSize",
        resourceId: KAFKA_ARN,
        minCapacity: 1,
        maxCapacity: 1000,
        tags: baseTags(),
      },
      { name: "kafka-storage" },
    ),
    planned(
      T.scalingPolicy,
      {
        policyType: "TargetTrackingScaling",
        serviceNamespace: "kafka",
        scalableDimension: "kafka:broker-storage:VolumeSize",
        resourceId: KAFKA_ARN,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: 70,
          disableScaleIn: true,
          predefinedMetricSpecification: { predefinedMetricType: "KafkaBrokerStorageUtilization" },
        },
      },
      { name: "kafka-storage-policy" },
    ),
    planned(
      T.invocation,
      {
        functionName: `${PREFIX}-kafka-topics`,
        input: json({
          region: REGION,
          topics: [{ name: "sales.orders", partitions: 12, replicationFactor: 3 }],
          secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:x`,
        }),
      },
      { name: "kafka-topics" },
    ),
    ...role("orders-consumer", serviceTrust("lambda.amazonaws.com", ACCOUNT), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
          Resource: `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/${KAFKA_CLUSTER}/0b1c2d3e-aaaa-bbbb-cccc-000000000000-2`,
        },
        {
          Effect: "Allow",
          Action: ["kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"],
          Resource: topicArn("sales.orders"),
        },
        {
          Effect: "Allow",
          Action: ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
          Resource: `arn:aws:kafka:${REGION}:${ACCOUNT}:group/${KAFKA_CLUSTER}/0b1c2d3e-aaaa-bbbb-cccc-000000000000-2/orders-*`,
        },
      ],
    }),
    planned(
      T.attachment,
      { role: "orders-consumer-id", policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" },
      { name: "orders-consumer-logs" },
    ),
    planned(
      T.namespace,
      {
        namespaceName: `${PREFIX}-warehouse`,
        kmsKeyId: keyArn("confidential"),
        logExports: ["useractivitylog"],
        tags: dataTags("shared", "confidential"),
      },
      { name: "warehouse-namespace", ...stateful, ...dep("confidential") },
    ),
    planned(
      T.workgroup,
      {
        workgroupName: `${PREFIX}-warehouse`,
        namespaceName: `${PREFIX}-warehouse`,
        baseCapacity: 8,
        maxCapacity: 32,
        publiclyAccessible: false,
        tags: dataTags("shared", "confidential"),
      },
      { name: "warehouse-workgroup" },
    ),
    planned(
      T.usageLimit,
      {
        resourceArn: `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:workgroup/wg-1`,
        usageType: "serverless-compute",
        amount: 200,
        period: "daily",
        breachAction: "emit-metric",
      },
      { name: "warehouse-usage-limit", dependencies: [WORKGROUP_URN] },
    ),
    planned(
      T.rds,
      {
        clusterIdentifier: `${PREFIX}-aurora`,
        engine: "aurora-postgresql",
        storageEncrypted: true,
        kmsKeyId: keyArn("confidential"),
        deletionProtection: true,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: `${PREFIX}-aurora-final`,
        backupRetentionPeriod: 35,
        serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 4 },
        tags: dataTags("shared", "confidential"),
      },
      { name: "aurora", ...stateful, ...dep("confidential") },
    ),
    planned(
      T.rdsInstance,
      {
        clusterIdentifier: `${PREFIX}-aurora`,
        engine: "aurora-postgresql",
        instanceClass: "db.serverless",
        performanceInsightsKmsKeyId: keyArn("confidential"),
        tags: dataTags("shared", "confidential"),
      },
      { name: "aurora-1", ...dep("confidential") },
    ),
    planned(
      T.dynamo,
      {
        name: `${PREFIX}-ledger`,
        deletionProtectionEnabled: true,
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: keyArn("internal") },
        tags: dataTags("sales", "internal"),
      },
      { name: "ledger", ...stateful, ...dep("internal") },
    ),
    planned(
      T.secret,
      {
        name: `${PREFIX}/warehouse/admin`,
        kmsKeyId: keyArn("confidential"),
        recoveryWindowInDays: 30,
        tags: dataTags("shared", "confidential"),
      },
      { name: "warehouse-admin", ...stateful, ...dep("confidential") },
    ),
    planned(
      T.secretVersion,
      {
        secretId: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${PREFIX}/warehouse/admin-abc`,
        secretString: json({ username: "admin", password: "generated" }),
      },
      { name: "warehouse-admin-value", dependencies: [SECRET_URN] },
    ),
    planned(
      T.queue,
      { kmsMasterKeyId: keyArn("internal"), messageRetentionSeconds: 1209600, tags: dataTags("sales", "internal") },
      { name: "orders-dlq", ...dep("internal") },
    ),
    planned(
      T.logGroup,
      { name: "/aws/lambda/orders", retentionInDays: 365, kmsKeyId: keyArn("internal"), tags: baseTags() },
      { name: "orders-logs", ...dep("internal") },
    ),
    planned(
      T.eks,
      {
        name: `${PREFIX}-eks`,
        roleArn: roleArn("eks"),
        deletionProtection: true,
        tags: baseTags(),
        encryptionConfig: { provider: { keyArn: keyArn("confidential") }, resources: ["secrets"] },
        vpcConfig: { subnetIds: ["subnet-a"], endpointPublicAccess: false },
      },
      { name: "eks", ...stateful, ...dep("confidential") },
    ),
    planned(
      T.nodeGroup,
      {
        clusterName: `${PREFIX}-eks`,
        nodeRoleArn: roleArn("node"),
        subnetIds: ["subnet-a"],
        instanceTypes: ["m6i.xlarge"],
        scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 },
        tags: baseTags(),
      },
      { name: "nodes" },
    ),
    planned(
      T.launchTemplate,
      {
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true" } },
        ],
        tags: baseTags(),
      },
      { name: "nodes-template" },
    ),
  ];
}

const MSK_PROPERTIES = [
  "auto.create.topics.enable=false",
  "allow.everyone.if.no.acl.found=false",
  "default.replication.factor=3",
  "min.insync.replicas=2",
  "unclean.leader.election.enable=false",
].join("\n");
const KAFKA_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/${KAFKA_CLUSTER}/0b1c2d3e-aaaa-bbbb-cccc-000000000000-2`;
const WORKGROUP_URN = "urn:pulumi:test::data-platform::Workgroup::warehouse-workgroup";
const SECRET_URN = "urn:pulumi:test::data-platform::Secret::warehouse-admin";

/** What runs in the EKS cluster: access, add-ons, one job namespace with quota, RBAC, Services and External Secrets. */
function cluster(): R[] {
  const eks = `${PREFIX}-eks`;
  const k8s = (type: string, name: string, namespace: string, body: Record<string, unknown>, resourceName: string) =>
    planned(
      type,
      { metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } }, ...body },
      { name: resourceName },
    );
  const admin = `arn:aws:iam::${ACCOUNT}:role/platform-deployer`;
  return [
    planned(
      T.accessEntry,
      { clusterName: eks, principalArn: admin, type: "STANDARD", tags: baseTags() },
      { name: "eks-admin" },
    ),
    planned(
      T.accessPolicy,
      {
        clusterName: eks,
        principalArn: admin,
        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        accessScope: { type: "cluster" },
      },
      { name: "eks-admin-policy" },
    ),
    planned(
      T.addon,
      { clusterName: eks, addonName: "eks-pod-identity-agent", addonVersion: "v1.3.8-eksbuild.2", tags: baseTags() },
      { name: "addon-pod-identity" },
    ),
    planned(
      T.addon,
      { clusterName: eks, addonName: "vpc-cni", addonVersion: "v1.20.0-eksbuild.1", tags: baseTags() },
      { name: "addon-vpc-cni" },
    ),
    planned(
      T.podIdentity,
      {
        clusterName: eks,
        namespace: "spark",
        serviceAccount: "spark-sales",
        roleArn: roleArn("spark-sales"),
        tags: baseTags(),
      },
      { name: "pod-identity-spark-sales" },
    ),
    k8s(
      T.quota,
      "compute-quota",
      "spark",
      {
        spec: {
          hard: {
            pods: "400",
            "requests.cpu": "128",
            "requests.memory": "512Gi",
            "limits.memory": "512Gi",
            "services.nodeports": "0",
          },
        },
      },
      "spark-quota",
    ),
    k8s(
      T.limitRange,
      "container-defaults",
      "spark",
      {
        spec: {
          limits: [{ type: "Container", default: { memory: "1Gi" }, defaultRequest: { cpu: "250m", memory: "512Mi" } }],
        },
      },
      "spark-limits",
    ),
    k8s(T.serviceAccount, "spark-sales", "spark", { automountServiceAccountToken: true }, "sa-spark-sales"),
    k8s(
      T.k8sRole,
      "spark-driver",
      "spark",
      {
        rules: [
          {
            apiGroups: [""],
            resources: ["pods", "services", "configmaps"],
            verbs: ["create", "get", "list", "watch", "delete"],
          },
        ],
      },
      "spark-driver-role",
    ),
    k8s(
      T.roleBinding,
      "spark-driver",
      "spark",
      {
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "spark-driver" },
        subjects: [{ kind: "ServiceAccount", name: "spark-sales", namespace: "spark" }],
      },
      "spark-driver-binding",
    ),
    k8s(T.service, "spark-history", "spark", { spec: { type: "ClusterIP", ports: [{ port: 18080 }] } }, "svc-history"),
    planned(
      T.service,
      {
        metadata: {
          name: "query-engine",
          namespace: "query",
          annotations: {
            "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
          },
        },
        spec: { type: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/16"], ports: [{ port: 443 }] },
      },
      { name: "svc-query" },
    ),
    k8s(
      T.configMap,
      "query-engine-kafka",
      "query",
      {
        data: {
          "client.properties":
            "security.protocol=SASL_SSL\nsasl.mechanism=AWS_MSK_IAM\nsasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;\n",
        },
      },
      "cm-kafka",
    ),
    k8s(
      T.secretStore,
      "secrets-manager",
      "query",
      { spec: { provider: { aws: { service: "SecretsManager", region: REGION } } } },
      "store-query",
    ),
    k8s(
      T.externalSecret,
      "query-credentials",
      "query",
      {
        spec: {
          secretStoreRef: { kind: "SecretStore", name: "secrets-manager" },
          data: [
            { secretKey: "SHARED_SECRET", remoteRef: { key: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:x` } },
          ],
        },
      },
      "es-query",
    ),
  ];
}

/** Ingestion's delivery paths: a function behind an API and an EventBridge rule, its queue and alerts topic. */
function delivery(): R[] {
  const fnArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PREFIX}-orders`;
  const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${PREFIX}-orders-dlq`;
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${PREFIX}-alerts`;
  const fn = planned(
    T.fn,
    { name: `${PREFIX}-orders`, role: roleArn("orders-consumer"), tags: baseTags() },
    { name: "orders-fn" },
  );
  const topic = planned(
    T.topic,
    { name: `${PREFIX}-alerts`, kmsMasterKeyId: keyArn("internal"), tags: baseTags() },
    { name: "alerts", dependencies: [keyUrn("internal")] },
  );
  return [
    fn,
    topic,
    planned(
      T.queuePolicy,
      {
        queueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${PREFIX}-orders-dlq`,
        policy: json({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "sqs:*",
              Resource: queueArn,
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      { name: "orders-dlq-policy" },
    ),
    planned(
      T.topicPolicy,
      {
        arn: topicArn,
        policy: json({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AlarmsPublish",
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Resource: topicArn,
              Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
            },
          ],
        }),
      },
      { name: "alerts-policy", dependencies: [topic.urn] },
    ),
    planned(
      T.subscription,
      { topic: topicArn, protocol: "https", endpoint: "https://paging.acme.example/sns" },
      { name: "alerts-paging", dependencies: [topic.urn] },
    ),
    planned(
      T.redriveAllow,
      {
        queueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${PREFIX}-orders-dlq`,
        redriveAllowPolicy: json({
          redrivePermission: "byQueue",
          sourceQueueArns: [`arn:aws:sqs:${REGION}:${ACCOUNT}:${PREFIX}-orders`],
        }),
      },
      { name: "orders-dlq-redrive" },
    ),
    planned(
      T.eventTarget,
      { rule: "orders-objects", arn: fnArn, retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 } },
      { name: "orders-objects-target", dependencies: [fn.urn] },
    ),
    planned(
      T.integration,
      {
        apiId: "api-1",
        integrationType: "AWS_PROXY",
        integrationUri: fnArn,
        payloadFormatVersion: "2.0",
        timeoutMilliseconds: 29000,
      },
      { name: "orders-integration", dependencies: [fn.urn] },
    ),
    planned(
      T.authorizer,
      {
        apiId: "api-1",
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer: "https://id.acme.example", audiences: ["ingest"] },
        name: "jwt",
      },
      { name: "orders-jwt" },
    ),
    planned(T.notification, { bucket: `${PREFIX}-raw-${ACCOUNT}`, eventbridge: true }, { name: "raw-notifications" }),
    planned(
      T.dashboard,
      {
        dashboardName: PREFIX,
        dashboardBody: json({
          widgets: [
            { type: "text", properties: { markdown: "# platform" } },
            { type: "metric", properties: { title: "Errors", region: REGION, metrics: [["AWS/Lambda", "Errors"]] } },
          ],
        }),
      },
      { name: "dashboard" },
    ),
  ];
}

/** The healthy platform: every rule of the pack passes on it. */
export function healthy(): R[] {
  return [
    ...keys(),
    planned(
      T.policy,
      {
        name: BOUNDARY,
        policy: json(boundaryPolicy({ accountId: ACCOUNT, prefix: PREFIX, boundaryName: BOUNDARY })),
        tags: baseTags(),
      },
      { name: "boundary" },
    ),
    ...lake(),
    ...network(),
    ...dataStores(),
    ...cluster(),
    ...delivery(),
  ];
}

// ---- edits ------------------------------------------------------------------------------------------------------

export function find(rs: readonly R[], name: string): R {
  const r = rs.find((x) => x.name === name);
  if (!r) throw new Error(`fixture has no resource '${name}'`);
  return r;
}

/** A copy of `rs` with one resource's inputs changed (a shallow merge, or a function of the old inputs). */
export function edit(
  rs: readonly R[],
  name: string,
  change: Record<string, unknown> | ((inputs: Record<string, unknown>) => Record<string, unknown>),
): R[] {
  find(rs, name);
  return rs.map((r) =>
    r.name === name
      ? { ...r, inputs: typeof change === "function" ? change(structuredClone(r.inputs)) : { ...r.inputs, ...change } }
      : r,
  );
}

/** A copy with one resource's options changed (protect, dependencies, …). */
export function opts(rs: readonly R[], name: string, change: Partial<R>): R[] {
  find(rs, name);
  return rs.map((r) => (r.name === name ? { ...r, ...change } : r));
}

export function without(rs: readonly R[], ...names: string[]): R[] {
  names.forEach((n) => find(rs, n));
  return rs.filter((r) => !names.includes(r.name));
}

/** Tag edit helper: the resource's tags with `change` applied (undefined deletes a key). */
export function retag(rs: readonly R[], name: string, change: Record<string, string | undefined>): R[] {
  return edit(rs, name, (i) => {
    const tags = { ...(i.tags as Record<string, string>), ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete tags[k];
    return { ...i, tags };
  });
}

export const statement = (s: Record<string, unknown>) => json({ Version: "2012-10-17", Statement: [s] });
