// The weakenings, each citing the Checkov check (CKV_AWS_*, CKV2_AWS_*, CKV_K8S_*) or AWS Security Hub control
// (Foundational Security Best Practices) it undoes. One template per property; expand() applies it to up to three
// instances of its type in the plan.
import type { PlannedResource } from "../../policies/engine/args";
import type { Template } from "./model";

type R = PlannedResource;
type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw inputs

const S3 = {
  bucket: "aws:s3/bucket:Bucket",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  logging: "aws:s3/bucketLogging:BucketLogging",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
};
const inp = (r: R) => r.inputs as Inputs;
const bucketOf = (r: R, all: readonly R[]) =>
  all.find((b) => b.type === S3.bucket && b.inputs.bucket === r.inputs.bucket);
const notLogBucket = (r: R) => !String(r.inputs.bucket).includes("access-logs");
const doc = (v: unknown): Inputs => (typeof v === "string" ? JSON.parse(v) : v) as Inputs;
/** Edits a policy document input (kept in the form it had: string or object). */
const editDoc = (inputs: Inputs, key: string, fn: (d: Inputs) => void) => {
  const d = doc(inputs[key]);
  fn(d);
  inputs[key] = typeof inputs[key] === "string" ? JSON.stringify(d) : d;
};
const dropStatement = (pred: (s: Inputs) => boolean) => (d: Inputs) => {
  d.Statement = d.Statement.filter((s: Inputs) => !pred(s));
};
const firstPodSpec = (i: Inputs) => i.spec.template.spec;
const container = (i: Inputs) => firstPodSpec(i).containers[0];
const sparkRole = (role: "driver" | "executor") => (i: Inputs) => i.spec.template[role];
const param = (i: Inputs, key: string, value: string) => {
  for (const p of i.configParameters) if (p.parameterKey === key) p.parameterValue = value;
};
const chart = (name: string) => (r: R) => r.inputs.chart === name;
const nsOfQuota = (r: R, all: readonly R[]) =>
  all.find((n) => n.type === "kubernetes:core/v1:Namespace" && inp(n).metadata?.name === inp(r).metadata?.namespace);

const K8S = {
  deployment: "kubernetes:apps/v1:Deployment",
  spark: "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication",
  release: "kubernetes:helm.sh/v3:Release",
  namespace: "kubernetes:core/v1:Namespace",
};

export const templates: readonly Template[] = [
  // ---- S3 ----
  {
    source: "CKV_AWS_145, Security Hub S3.17",
    type: S3.sse,
    what: "sse-s3-instead-of-kms",
    pick: notLogBucket,
    blame: bucketOf,
    edit: (i) => (i.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" }),
  },
  {
    source: "CKV_AWS_53, Security Hub S3.8",
    type: S3.pab,
    what: "public-acls-allowed",
    blame: bucketOf,
    edit: (i) => (i.blockPublicAcls = false),
  },
  {
    source: "CKV_AWS_54, Security Hub S3.8",
    type: S3.pab,
    what: "public-policy-allowed",
    blame: bucketOf,
    edit: (i) => (i.blockPublicPolicy = false),
  },
  {
    source: "CKV_AWS_55, Security Hub S3.8",
    type: S3.pab,
    what: "public-acls-honoured",
    blame: bucketOf,
    edit: (i) => (i.ignorePublicAcls = false),
  },
  {
    source: "CKV_AWS_56, Security Hub S3.8",
    type: S3.pab,
    what: "public-buckets-unrestricted",
    blame: bucketOf,
    edit: (i) => (i.restrictPublicBuckets = false),
  },
  {
    source: "CKV_AWS_21, Security Hub S3.14",
    type: S3.versioning,
    what: "versioning-suspended",
    blame: bucketOf,
    edit: (i) => (i.versioningConfiguration.status = "Suspended"),
  },
  { source: "CKV_AWS_18, Security Hub S3.9", type: S3.logging, what: "access-logging-removed", dropBlaming: bucketOf },
  {
    source: "CKV2_AWS_65, Security Hub S3.12",
    type: S3.ownership,
    what: "acls-enabled",
    blame: bucketOf,
    edit: (i) => (i.rule.objectOwnership = "ObjectWriter"),
  },
  { source: "CKV2_AWS_61, Security Hub S3.13", type: S3.lifecycle, what: "lifecycle-removed", dropBlaming: bucketOf },
  {
    source: "CKV2_AWS_61, Security Hub S3.13",
    type: S3.lifecycle,
    what: "no-abort-incomplete-uploads",
    blame: bucketOf,
    edit: (i) => (i.rules = i.rules.filter((x: Inputs) => !x.abortIncompleteMultipartUpload)),
  },
  {
    source: "Security Hub S3.5",
    type: S3.policy,
    what: "tls-deny-removed",
    blame: bucketOf,
    edit: (i) =>
      editDoc(
        i,
        "policy",
        dropStatement((s) => JSON.stringify(s.Condition ?? {}).includes("aws:SecureTransport")),
      ),
  },
  {
    source: "CKV_AWS_70, Security Hub S3.2",
    type: S3.policy,
    what: "public-read-grant",
    blame: bucketOf,
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${i.bucket}/*`,
        }),
      ),
  },
  {
    source: "CKV_AWS_70 (cross-account), Security Hub S3.6",
    type: S3.policy,
    what: "other-account-grant",
    blame: bucketOf,
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::999999999999:root" },
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${i.bucket}/*`,
        }),
      ),
  },
  {
    source: "CKV_AWS_20, Security Hub S3.3",
    type: S3.bucket,
    what: "public-read-acl",
    edit: (i) => (i.acl = "public-read"),
  },
  {
    source: "Security Hub S3.15 (object lock), CKV_AWS_143",
    type: S3.bucket,
    what: "object-lock-without-retention",
    pick: notLogBucket,
    edit: (i) => (i.objectLockEnabled = true),
  },
  // ---- KMS ----
  {
    source: "CKV_AWS_7, Security Hub KMS.4",
    type: "aws:kms/key:Key",
    what: "rotation-off",
    edit: (i) => (i.enableKeyRotation = false),
  },
  { source: "Security Hub KMS.3", type: "aws:kms/key:Key", what: "key-disabled", edit: (i) => (i.isEnabled = false) },
  {
    source: "CKV_AWS_33, Security Hub KMS.5",
    type: "aws:kms/key:Key",
    what: "policy-any-principal",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({ Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }),
      ),
  },
  {
    source: "CKV_AWS_227 (key deletion window), Security Hub KMS.3",
    type: "aws:kms/key:Key",
    what: "short-deletion-window",
    edit: (i) => (i.deletionWindowInDays = 7),
  },
  {
    source: "CKV_AWS_33 (unscoped use)",
    type: "aws:kms/key:Key",
    what: "use-by-whole-account",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: ["kms:Decrypt", "kms:Encrypt"],
          Resource: "*",
        }),
      ),
  },
  // ---- IAM ----
  {
    source: "CKV_AWS_62, Security Hub IAM.1",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "admin-statement",
    edit: (i) => editDoc(i, "policy", (d) => d.Statement.push({ Effect: "Allow", Action: "*", Resource: "*" })),
  },
  {
    source: "CKV_AWS_63, Security Hub IAM.21",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "s3-wildcard-actions",
    edit: (i) =>
      editDoc(i, "policy", (d) => d.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::x" })),
  },
  {
    source: "CKV_AWS_108",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "decrypt-on-all",
    edit: (i) =>
      editDoc(i, "policy", (d) => d.Statement.push({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" })),
  },
  {
    source: "CKV_AWS_108",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "secret-read-on-all",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }),
      ),
  },
  {
    source: "CKV_AWS_107",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "credential-issuing-action",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }),
      ),
  },
  {
    source: "CKV_AWS_286 (privilege escalation)",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "passrole-on-all",
    edit: (i) =>
      editDoc(i, "policy", (d) => d.Statement.push({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" })),
  },
  {
    source: "CKV_AWS_290 (write without constraints)",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "allow-not-action",
    edit: (i) => editDoc(i, "policy", (d) => d.Statement.push({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })),
  },
  {
    source: "Security Hub IAM.21 (reference validity)",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "list-streams-scoped",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Action: "dynamodb:ListStreams",
          Resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/*",
        }),
      ),
  },
  {
    source: "Security Hub IAM.21 (reference validity)",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "location-under-prefix",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:GetBucketLocation"],
          Resource: "arn:aws:s3:::acme-data-prod-raw-123456789012",
          Condition: { StringLike: { "s3:prefix": ["sales/*"] } },
        }),
      ),
  },
  {
    source: "Security Hub IAM.21 (reference validity)",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "unknown-action",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Action: "s3:GetObjects",
          Resource: "arn:aws:s3:::acme-data-prod-raw-123456789012/*",
        }),
      ),
  },
  {
    source: "CKV_AWS_60, CKV_AWS_61",
    type: "aws:iam/role:Role",
    what: "trust-everyone",
    edit: (i) =>
      editDoc(i, "assumeRolePolicy", (d) =>
        d.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
      ),
  },
  {
    source: "CKV_AWS_61 (cross-account trust)",
    type: "aws:iam/role:Role",
    what: "trust-other-account",
    edit: (i) =>
      editDoc(i, "assumeRolePolicy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::999999999999:root" },
          Action: "sts:AssumeRole",
        }),
      ),
  },
  {
    source: "CKV_AWS_274 (admin managed policy)",
    type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    what: "administrator-access",
    edit: (i) => (i.policyArn = "arn:aws:iam::aws:policy/AdministratorAccess"),
  },
  {
    source: "Security Hub IAM.6 family (boundary)",
    type: "aws:iam/role:Role",
    what: "no-permissions-boundary",
    edit: (i) => delete i.permissionsBoundary,
  },
  {
    source: "Security Hub IAM (session length), CKV_AWS_? n/a: AWS IAM best practice",
    type: "aws:iam/role:Role",
    what: "twelve-hour-sessions",
    edit: (i) => (i.maxSessionDuration = 43200),
  },
  // ---- network ----
  {
    source: "CKV_AWS_24, Security Hub EC2.13",
    type: "aws:ec2/securityGroup:SecurityGroup",
    what: "ssh-from-internet",
    edit: (i) =>
      i.ingress.push({ cidrBlocks: ["0.0.0.0/0"], fromPort: 22, toPort: 22, protocol: "tcp", description: "ssh" }),
  },
  {
    source: "CKV_AWS_277, Security Hub EC2.18",
    type: "aws:ec2/securityGroup:SecurityGroup",
    what: "all-ports-from-internet",
    edit: (i) =>
      i.ingress.push({ cidrBlocks: ["0.0.0.0/0"], fromPort: 0, toPort: 65535, protocol: "-1", description: "all" }),
  },
  {
    source: "CKV_AWS_23",
    type: "aws:ec2/securityGroup:SecurityGroup",
    what: "undescribed-group",
    edit: (i) => delete i.description,
  },
  {
    source: "CKV2_AWS_12, Security Hub EC2.2",
    type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    what: "default-group-open",
    edit: (i) => i.ingress.push({ self: true, fromPort: 0, toPort: 0, protocol: "-1" }),
  },
  {
    source: "CKV_AWS_130, Security Hub EC2.15",
    type: "aws:ec2/subnet:Subnet",
    what: "public-ip-on-launch",
    edit: (i) => (i.mapPublicIpOnLaunch = true),
  },
  {
    source: "CKV2_AWS_11, Security Hub EC2.6",
    type: "aws:ec2/flowLog:FlowLog",
    what: "flow-logs-removed",
    dropBlaming: (_r, all) => all.find((v) => v.type === "aws:ec2/vpc:Vpc"),
  },
  {
    source: "CKV2_AWS_11, Security Hub EC2.6",
    type: "aws:ec2/flowLog:FlowLog",
    what: "accepted-traffic-only",
    blame: (_r, all) => all.find((v) => v.type === "aws:ec2/vpc:Vpc"),
    edit: (i) => (i.trafficType = "ACCEPT"),
  },
  {
    source: "CKV_AWS_79, Security Hub EC2.8",
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    what: "imdsv1-allowed",
    edit: (i) => (i.metadataOptions.httpTokens = "optional"),
  },
  {
    source: "CKV_AWS_8, Security Hub EC2.3",
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    what: "unencrypted-volume",
    edit: (i) => (i.blockDeviceMappings[0].ebs.encrypted = "false"),
  },
  {
    source: "CKV_AWS_88, Security Hub EC2.25",
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    what: "public-ip",
    edit: (i) => (i.networkInterfaces = [{ associatePublicIpAddress: "true", deviceIndex: 0 }]),
  },
  {
    source: "CKV_AWS_46",
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    what: "secret-in-user-data",
    edit: (i) => (i.userData = Buffer.from("#!/bin/bash\nexport DB_PASSWORD=Sup3rS3cretValue\n").toString("base64")),
  },
  {
    source: "CKV2_AWS_44, Security Hub EC2.15 family",
    type: "aws:ec2/routeTable:RouteTable",
    what: "private-route-to-igw",
    pick: (r) => r.name.includes("private"),
    edit: (i) => (i.routes = [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-0123456789abcdef0" }]),
  },
  {
    source: "CKV2_AWS_19, Security Hub EC2.12",
    type: "aws:ec2/natGateway:NatGateway",
    what: "eip-left-unattached",
    dropBlaming: (r, all) => all.find((e) => e.type === "aws:ec2/eip:Eip" && r.dependencies.includes(e.urn)),
  },
  {
    source: "Security Hub EC2.10 (S3 endpoint)",
    type: "aws:ec2/vpcEndpoint:VpcEndpoint",
    what: "s3-endpoint-removed",
    pick: (r) => String(r.inputs.serviceName).endsWith(".s3"),
    dropBlaming: (_r, all) => all.find((v) => v.type === "aws:ec2/vpc:Vpc"),
  },
  {
    source: "Security Hub EC2.55-61 (interface endpoints)",
    type: "aws:ec2/vpcEndpoint:VpcEndpoint",
    what: "private-dns-off",
    pick: (r) => r.inputs.vpcEndpointType === "Interface",
    edit: (i) => (i.privateDnsEnabled = false),
  },
  // ---- logs, secrets ----
  {
    source: "CKV_AWS_66, Security Hub CloudWatch.16",
    type: "aws:cloudwatch/logGroup:LogGroup",
    what: "kept-forever",
    edit: (i) => delete i.retentionInDays,
  },
  { source: "CKV_AWS_158", type: "aws:cloudwatch/logGroup:LogGroup", what: "no-kms", edit: (i) => delete i.kmsKeyId },
  {
    source: "CKV_AWS_338, Security Hub CloudWatch.16",
    type: "aws:cloudwatch/logGroup:LogGroup",
    what: "one-month-retention",
    edit: (i) => (i.retentionInDays = 30),
  },
  {
    source: "CKV_AWS_149",
    type: "aws:secretsmanager/secret:Secret",
    what: "aws-managed-key",
    edit: (i) => delete i.kmsKeyId,
  },
  {
    source: "Security Hub SecretsManager (recovery)",
    type: "aws:secretsmanager/secret:Secret",
    what: "force-delete",
    edit: (i) => (i.recoveryWindowInDays = 0),
  },
  // ---- Lambda ----
  {
    source: "CKV_AWS_363, Security Hub Lambda.2",
    type: "aws:lambda/function:Function",
    what: "deprecated-runtime",
    edit: (i) => (i.runtime = "nodejs16.x"),
  },
  {
    source: "CKV_AWS_173",
    type: "aws:lambda/function:Function",
    what: "env-default-key",
    edit: (i) => delete i.kmsKeyArn,
  },
  {
    source: "CKV_AWS_117, Security Hub Lambda.3",
    type: "aws:lambda/function:Function",
    what: "out-of-vpc",
    pick: (r) => !!r.inputs.vpcConfig && JSON.stringify(r.inputs.environment ?? {}).match(/_HOST|_BROKERS/) !== null,
    edit: (i) => delete i.vpcConfig,
  },
  {
    source: "CKV_AWS_45",
    type: "aws:lambda/function:Function",
    what: "secret-in-env",
    edit: (i) => (i.environment.variables.DB_PASSWORD = "Sup3rS3cretValue"),
  },
  {
    source: "CKV_AWS_50",
    type: "aws:lambda/function:Function",
    what: "tracing-off",
    edit: (i) => (i.tracingConfig = { mode: "PassThrough" }),
  },
  {
    source: "CKV_AWS_115",
    type: "aws:lambda/function:Function",
    what: "no-reserved-concurrency",
    edit: (i) => delete i.reservedConcurrentExecutions,
  },
  {
    source: "CKV_AWS_116",
    type: "aws:lambda/function:Function",
    what: "no-dead-letter",
    edit: (i) => delete i.deadLetterConfig,
  },
  {
    source: "CKV_AWS_364, Security Hub Lambda.1",
    type: "aws:lambda/permission:Permission",
    what: "no-source-arn",
    edit: (i) => delete i.sourceArn,
  },
  {
    source: "Security Hub Lambda.1",
    type: "aws:lambda/permission:Permission",
    what: "any-principal",
    edit: (i) => {
      i.principal = "*";
      delete i.sourceArn;
    },
  },
  // ---- queues, topics, tables, APIs, state machines, schedules ----
  {
    source: "CKV_AWS_27, Security Hub SQS.1",
    type: "aws:sqs/queue:Queue",
    what: "unencrypted",
    edit: (i) => delete i.kmsMasterKeyId,
  },
  {
    source: "Security Hub SQS (dead-letter)",
    type: "aws:sqs/queue:Queue",
    what: "no-redrive",
    pick: (r) => !!r.inputs.redrivePolicy,
    edit: (i) => delete i.redrivePolicy,
  },
  {
    source: "CKV_AWS_168 (queue policy), Security Hub SQS.3",
    type: "aws:sqs/queuePolicy:QueuePolicy",
    what: "public-send",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }),
      ),
  },
  {
    source: "CKV_AWS_26, Security Hub SNS.1",
    type: "aws:sns/topic:Topic",
    what: "unencrypted",
    edit: (i) => delete i.kmsMasterKeyId,
  },
  {
    source: "CKV_AWS_385 (topic policy), Security Hub SNS.4",
    type: "aws:sns/topicPolicy:TopicPolicy",
    what: "public-publish",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({ Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: i.arn }),
      ),
  },
  {
    source: "Security Hub SNS (subscription transport)",
    type: "aws:sns/topicSubscription:TopicSubscription",
    what: "plain-http",
    edit: (i) => {
      i.protocol = "http";
      i.endpoint = "http://hooks.example.com/x";
    },
  },
  {
    source: "CKV_AWS_28, Security Hub DynamoDB.2",
    type: "aws:dynamodb/table:Table",
    what: "no-pitr",
    edit: (i) => (i.pointInTimeRecovery = { enabled: false }),
  },
  {
    source: "CKV_AWS_119",
    type: "aws:dynamodb/table:Table",
    what: "aws-owned-key",
    edit: (i) => (i.serverSideEncryption = { enabled: false }),
  },
  {
    source: "Security Hub DynamoDB.6",
    type: "aws:dynamodb/table:Table",
    what: "deletion-protection-off",
    edit: (i) => (i.deletionProtectionEnabled = false),
  },
  {
    source: "CKV_AWS_95, Security Hub APIGateway.9",
    type: "aws:apigatewayv2/stage:Stage",
    what: "no-access-logs",
    edit: (i) => delete i.accessLogSettings,
  },
  {
    source: "CKV_AWS_? n/a, Security Hub APIGateway (throttling)",
    type: "aws:apigatewayv2/stage:Stage",
    what: "no-throttling",
    edit: (i) => delete i.defaultRouteSettings,
  },
  {
    source: "CKV_AWS_309",
    type: "aws:apigatewayv2/route:Route",
    what: "no-authorization",
    edit: (i) => (i.authorizationType = "NONE"),
  },
  {
    source: "CKV_AWS_309 (JWT audience)",
    type: "aws:apigatewayv2/authorizer:Authorizer",
    what: "no-audience",
    edit: (i) => (i.jwtConfiguration.audiences = []),
  },
  {
    source: "CKV_AWS_285, Security Hub StepFunctions.1",
    type: "aws:sfn/stateMachine:StateMachine",
    what: "logging-off",
    edit: (i) => (i.loggingConfiguration = { level: "OFF" }),
  },
  {
    source: "CKV_AWS_284",
    type: "aws:sfn/stateMachine:StateMachine",
    what: "tracing-off",
    edit: (i) => (i.tracingConfiguration = { enabled: false }),
  },
  {
    source: "Security Hub StepFunctions.2 family (CMK)",
    type: "aws:sfn/stateMachine:StateMachine",
    what: "aws-owned-key",
    edit: (i) => (i.encryptionConfiguration = { type: "AWS_OWNED_KEY" }),
  },
  {
    source: "Security Hub EventBridge (DLQ)",
    type: "aws:scheduler/schedule:Schedule",
    what: "no-dead-letter",
    edit: (i) => delete i.target.deadLetterConfig,
  },
  {
    source: "Security Hub Lambda (partial batch)",
    type: "aws:lambda/eventSourceMapping:EventSourceMapping",
    what: "no-on-failure",
    pick: (r) => !!r.inputs.destinationConfig,
    edit: (i) => delete i.destinationConfig,
  },
  // ---- alarms ----
  {
    source: "CKV_AWS_319, Security Hub CloudWatch.15",
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    what: "actions-disabled",
    edit: (i) => (i.actionsEnabled = false),
  },
  {
    source: "CKV_AWS_319, Security Hub CloudWatch.15",
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    what: "no-actions",
    edit: (i) => (i.alarmActions = []),
  },
  // ---- MSK ----
  {
    source: "CKV_AWS_291, Security Hub MSK.4",
    type: "aws:msk/cluster:Cluster",
    what: "public-access",
    edit: (i) => (i.brokerNodeGroupInfo.connectivityInfo.publicAccess.type = "SERVICE_PROVIDED_EIPS"),
  },
  {
    source: "CKV_AWS_81, Security Hub MSK.1",
    type: "aws:msk/cluster:Cluster",
    what: "plaintext-clients",
    edit: (i) => (i.encryptionInfo.encryptionInTransit.clientBroker = "TLS_PLAINTEXT"),
  },
  {
    source: "CKV_AWS_81, Security Hub MSK.1",
    type: "aws:msk/cluster:Cluster",
    what: "plaintext-in-cluster",
    edit: (i) => (i.encryptionInfo.encryptionInTransit.inCluster = false),
  },
  {
    source: "CKV_AWS_80, Security Hub MSK.? (logging)",
    type: "aws:msk/cluster:Cluster",
    what: "broker-logs-off",
    edit: (i) => delete i.loggingInfo,
  },
  {
    source: "Security Hub MSK.3 (unauthenticated)",
    type: "aws:msk/cluster:Cluster",
    what: "unauthenticated-clients",
    edit: (i) => (i.clientAuthentication = { unauthenticated: true }),
  },
  {
    source: "CKV_AWS_? (MSK CMK), Security Hub MSK.2 family",
    type: "aws:msk/cluster:Cluster",
    what: "aws-managed-key",
    edit: (i) => delete i.encryptionInfo.encryptionAtRestKmsKeyArn,
  },
  {
    source: "Security Hub MSK (durability)",
    type: "aws:msk/configuration:Configuration",
    what: "auto-create-topics",
    edit: (i) =>
      (i.serverProperties = String(i.serverProperties).replace(
        /auto\.create\.topics\.enable\s*=\s*false/,
        "auto.create.topics.enable=true",
      )),
  },
  // ---- Redshift Serverless ----
  {
    source: "Security Hub Redshift.8",
    type: "aws:redshiftserverless/namespace:Namespace",
    what: "default-admin",
    edit: (i) => (i.adminUsername = "admin"),
  },
  {
    source: "Security Hub Redshift.9",
    type: "aws:redshiftserverless/namespace:Namespace",
    what: "default-database",
    edit: (i) => (i.dbName = "dev"),
  },
  {
    source: "CKV_AWS_71, Security Hub Redshift.4",
    type: "aws:redshiftserverless/namespace:Namespace",
    what: "audit-logs-off",
    edit: (i) => (i.logExports = []),
  },
  {
    source: "CKV_AWS_? (Redshift CMK), Security Hub Redshift.10",
    type: "aws:redshiftserverless/namespace:Namespace",
    what: "aws-managed-key",
    edit: (i) => delete i.kmsKeyId,
  },
  {
    source: "CKV_AWS_321, Security Hub Redshift.7",
    type: "aws:redshiftserverless/workgroup:Workgroup",
    what: "enhanced-vpc-routing-off",
    edit: (i) => (i.enhancedVpcRouting = false),
  },
  {
    source: "CKV_AWS_87, Security Hub Redshift.1",
    type: "aws:redshiftserverless/workgroup:Workgroup",
    what: "publicly-accessible",
    edit: (i) => (i.publiclyAccessible = true),
  },
  {
    source: "CKV_AWS_105, Security Hub Redshift.2",
    type: "aws:redshiftserverless/workgroup:Workgroup",
    what: "ssl-optional",
    edit: (i) => param(i, "require_ssl", "false"),
  },
  {
    source: "Security Hub Redshift.13 family",
    type: "aws:redshiftserverless/workgroup:Workgroup",
    what: "user-activity-logging-off",
    edit: (i) => param(i, "enable_user_activity_logging", "false"),
  },
  {
    source: "Security Hub Redshift (usage limit)",
    type: "aws:redshiftserverless/usageLimit:UsageLimit",
    what: "usage-limit-removed",
    dropBlaming: (_r, all) => all.find((w) => w.type === "aws:redshiftserverless/workgroup:Workgroup"),
  },
  // ---- EKS ----
  {
    source: "CKV_AWS_339, Security Hub EKS.2",
    type: "aws:eks/cluster:Cluster",
    what: "unsupported-version",
    edit: (i) => (i.version = "1.27"),
  },
  {
    source: "CKV_AWS_39, Security Hub EKS.1",
    type: "aws:eks/cluster:Cluster",
    what: "public-endpoint",
    edit: (i) => (i.vpcConfig.endpointPublicAccess = true),
  },
  {
    source: "CKV_AWS_58, Security Hub EKS.3",
    type: "aws:eks/cluster:Cluster",
    what: "no-secrets-encryption",
    edit: (i) => delete i.encryptionConfig,
  },
  {
    source: "CKV_AWS_37, Security Hub EKS.8",
    type: "aws:eks/cluster:Cluster",
    what: "no-audit-logs",
    edit: (i) => (i.enabledClusterLogTypes = ["api"]),
  },
  {
    source: "EKS best practices (access entries), CKV_AWS_? n/a",
    type: "aws:eks/cluster:Cluster",
    what: "creator-admin",
    edit: (i) => (i.accessConfig.bootstrapClusterCreatorAdminPermissions = true),
  },
  {
    source: "EKS best practices (access entries)",
    type: "aws:eks/cluster:Cluster",
    what: "aws-auth-configmap",
    edit: (i) => (i.accessConfig.authenticationMode = "API_AND_CONFIG_MAP"),
  },
  {
    source: "CKV_AWS_316 (CodeBuild privileged mode)",
    type: "aws:codebuild/project:Project",
    what: "privileged-runner",
    edit: (i) => (i.environment.privilegedMode = true),
  },
  {
    source: "Security Hub CodeBuild.? (project in a VPC), EKS best practices (private endpoint access)",
    type: "aws:codebuild/project:Project",
    what: "runner-outside-vpc",
    edit: (i) => delete i.vpcConfig,
  },
  {
    source: "CKV_AWS_147 (CodeBuild encrypted with a CMK)",
    type: "aws:codebuild/project:Project",
    what: "runner-without-cmk",
    edit: (i) => delete i.encryptionKey,
  },
  {
    source: "CKV_AWS_24/260 family (no address range on an admin port), EKS best practices",
    type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    what: "cluster-api-from-cidr",
    pick: (r) => r.name.endsWith("-runner-api"),
    edit: (i) => {
      delete i.referencedSecurityGroupId;
      i.cidrIpv4 = "10.0.0.0/8";
    },
  },
  {
    source: "CKV_AWS_355/CKV_AWS_289 (no wildcard actions in IAM policies)",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "runner-iam-wildcard",
    pick: (r) => r.name.endsWith("-runner-deployer-policy"),
    edit: (i) => editDoc(i, "policy", (d) => d.Statement.push({ Effect: "Allow", Action: "iam:*", Resource: "*" })),
  },
  {
    source: "CKV_AWS_100",
    type: "aws:eks/nodeGroup:NodeGroup",
    what: "ssh-remote-access",
    edit: (i) => (i.remoteAccess = { ec2SshKey: "ops" }),
  },
  {
    source: "EKS best practices (add-on pins)",
    type: "aws:eks/addon:Addon",
    what: "unpinned-addon",
    edit: (i) => delete i.addonVersion,
  },
  {
    source: "EKS best practices (access entries)",
    type: "aws:eks/accessEntry:AccessEntry",
    what: "root-principal",
    edit: (i) => (i.principalArn = "arn:aws:iam::123456789012:root"),
  },
  // ---- Glue, Athena, Lake Formation ----
  {
    source: "CKV_AWS_82, CKV_AWS_159",
    type: "aws:athena/workgroup:Workgroup",
    what: "settings-not-enforced",
    edit: (i) => (i.configuration.enforceWorkgroupConfiguration = false),
  },
  {
    source: "CKV_AWS_159, Security Hub Athena.4 family",
    type: "aws:athena/workgroup:Workgroup",
    what: "results-unencrypted",
    edit: (i) => delete i.configuration.resultConfiguration.encryptionConfiguration,
  },
  {
    source: "Lake Formation best practice (IAMAllowedPrincipals)",
    type: "aws:lakeformation/dataLakeSettings:DataLakeSettings",
    what: "iam-allowed-principals-default",
    edit: (i) => (i.createDatabaseDefaultPermissions = [{ principal: "IAM_ALLOWED_PRINCIPALS", permissions: ["ALL"] }]),
  },
  {
    source: "Lake Formation best practice (external filtering)",
    type: "aws:lakeformation/dataLakeSettings:DataLakeSettings",
    what: "external-data-filtering",
    edit: (i) => (i.allowExternalDataFiltering = true),
  },
  {
    source: "Lake Formation best practice (admins)",
    type: "aws:lakeformation/dataLakeSettings:DataLakeSettings",
    what: "user-admin",
    edit: (i) => i.admins.push("arn:aws:iam::123456789012:user/someone"),
  },
  {
    source: "Lake Formation best practice (hybrid access)",
    type: "aws:lakeformation/resource:Resource",
    what: "hybrid-access",
    edit: (i) => (i.hybridAccessEnabled = true),
  },
  {
    source: "Lake Formation best practice (location role)",
    type: "aws:lakeformation/resource:Resource",
    what: "service-linked-role",
    edit: (i) => {
      delete i.roleArn;
      i.useServiceLinkedRole = true;
    },
  },
  {
    source: "Lake Formation best practice (least privilege)",
    type: "aws:lakeformation/permissions:Permissions",
    what: "grant-all",
    edit: (i) => (i.permissions = ["ALL"]),
  },
  {
    source: "Lake Formation best practice (IAMAllowedPrincipals)",
    type: "aws:glue/catalogDatabase:CatalogDatabase",
    what: "default-grant",
    edit: (i) =>
      (i.createTableDefaultPermissions = [
        { permissions: ["ALL"], principal: { dataLakePrincipalIdentifier: "IAM_ALLOWED_PRINCIPALS" } },
      ]),
  },
  {
    source: "Lake Formation best practice (registered location)",
    type: "aws:glue/catalogDatabase:CatalogDatabase",
    what: "unregistered-location",
    edit: (i) => (i.locationUri = "s3://somewhere-else/x/"),
  },
  {
    source:
      "AWS Glue Data Quality best practice (a ruleset per published dataset, as in the Serverless Data Lake Framework)",
    type: "aws:glue/dataQualityRuleset:DataQualityRuleset",
    what: "published-dataset-unchecked",
    pick: (r) => /-analytics-/.test(String(r.inputs.name)),
    dropBlaming: (r, all) => {
      const target = inp(r).targetTable as Inputs;
      return all.find(
        (t) =>
          t.type === "aws:glue/catalogTable:CatalogTable" &&
          t.inputs.name === target.tableName &&
          t.inputs.databaseName === target.databaseName,
      );
    },
  },
  // ---- tags (Security Hub *.tagged controls) ----
  ...(
    [
      ["aws:s3/bucket:Bucket", "S3"],
      ["aws:kms/key:Key", "KMS"],
      ["aws:iam/role:Role", "IAM"],
      ["aws:lambda/function:Function", "Lambda"],
      ["aws:sqs/queue:Queue", "SQS.2"],
      ["aws:dynamodb/table:Table", "DynamoDB.5"],
      ["aws:secretsmanager/secret:Secret", "SecretsManager.5"],
      ["aws:cloudwatch/logGroup:LogGroup", "CloudWatch"],
      ["aws:ec2/vpc:Vpc", "EC2.? (tagging)"],
      ["aws:eks/cluster:Cluster", "EKS.6"],
      ["aws:msk/cluster:Cluster", "MSK (tagging)"],
      ["aws:glue/catalogDatabase:CatalogDatabase", "Glue (tagging)"],
      ["aws:glue/dataQualityRuleset:DataQualityRuleset", "Glue (tagging)"],
    ] as const
  ).map(([type, control]): Template => ({
    source: `Security Hub ${control} (resources should be tagged)`,
    type,
    what: "untagged",
    max: 2,
    edit: (i) => (i.tags = {}),
  })),
  // ---- Kubernetes: the platform's own pods ----
  {
    source: "CKV_K8S_23",
    type: K8S.deployment,
    what: "runs-as-root",
    edit: (i) => {
      firstPodSpec(i).securityContext.runAsNonRoot = false;
      container(i).securityContext.runAsNonRoot = false;
    },
  },
  {
    source: "CKV_K8S_20",
    type: K8S.deployment,
    what: "privilege-escalation",
    edit: (i) => (container(i).securityContext.allowPrivilegeEscalation = true),
  },
  {
    source: "CKV_K8S_16",
    type: K8S.deployment,
    what: "privileged",
    edit: (i) => (container(i).securityContext.privileged = true),
  },
  {
    source: "CKV_K8S_22",
    type: K8S.deployment,
    what: "writable-root",
    edit: (i) => (container(i).securityContext.readOnlyRootFilesystem = false),
  },
  {
    source: "CKV_K8S_31",
    type: K8S.deployment,
    what: "seccomp-unconfined",
    edit: (i) => {
      firstPodSpec(i).securityContext.seccompProfile = { type: "Unconfined" };
      container(i).securityContext.seccompProfile = { type: "Unconfined" };
    },
  },
  {
    source: "CKV_K8S_37",
    type: K8S.deployment,
    what: "capabilities-kept",
    edit: (i) => (container(i).securityContext.capabilities = { drop: [] }),
  },
  {
    source: "CKV_K8S_28",
    type: K8S.deployment,
    what: "net-raw-added",
    edit: (i) => (container(i).securityContext.capabilities.add = ["NET_RAW"]),
  },
  {
    source: "CKV_K8S_38",
    type: K8S.deployment,
    what: "token-automounted",
    edit: (i) => (firstPodSpec(i).automountServiceAccountToken = true),
  },
  {
    source: "CKV_K8S_13",
    type: K8S.deployment,
    what: "no-memory-limit",
    edit: (i) => delete container(i).resources.limits,
  },
  {
    source: "CKV_K8S_19",
    type: K8S.deployment,
    what: "host-network",
    edit: (i) => (firstPodSpec(i).hostNetwork = true),
  },
  { source: "CKV_K8S_17", type: K8S.deployment, what: "host-pid", edit: (i) => (firstPodSpec(i).hostPID = true) },
  {
    source: "CKV_K8S_27",
    type: K8S.deployment,
    what: "host-path",
    edit: (i) => firstPodSpec(i).volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } }),
  },
  {
    source: "CKV_K8S_14",
    type: K8S.deployment,
    what: "latest-image",
    edit: (i) => (container(i).image = "apache/spark:latest"),
  },
  // ---- Spark drivers and executors ----
  ...(["driver", "executor"] as const).flatMap((role): Template[] => [
    {
      source: "CKV_K8S_23",
      type: K8S.spark,
      what: `${role}-runs-as-root`,
      edit: (i) => {
        sparkRole(role)(i).podSecurityContext.runAsNonRoot = false;
        sparkRole(role)(i).securityContext.runAsNonRoot = false;
      },
    },
    {
      source: "CKV_K8S_20",
      type: K8S.spark,
      what: `${role}-privilege-escalation`,
      edit: (i) => (sparkRole(role)(i).securityContext.allowPrivilegeEscalation = true),
    },
    {
      source: "CKV_K8S_16",
      type: K8S.spark,
      what: `${role}-privileged`,
      edit: (i) => (sparkRole(role)(i).securityContext.privileged = true),
    },
    {
      source: "CKV_K8S_31",
      type: K8S.spark,
      what: `${role}-seccomp-unconfined`,
      edit: (i) => {
        sparkRole(role)(i).podSecurityContext.seccompProfile = { type: "Unconfined" };
        sparkRole(role)(i).securityContext.seccompProfile = { type: "Unconfined" };
      },
    },
    {
      source: "CKV_K8S_37",
      type: K8S.spark,
      what: `${role}-capabilities-kept`,
      edit: (i) => (sparkRole(role)(i).securityContext.capabilities = { drop: [] }),
    },
    { source: "CKV_K8S_13", type: K8S.spark, what: `${role}-no-memory`, edit: (i) => delete sparkRole(role)(i).memory },
    {
      source: "CKV_K8S_19",
      type: K8S.spark,
      what: `${role}-host-network`,
      edit: (i) => (sparkRole(role)(i).hostNetwork = true),
    },
  ]),
  // ---- chart-rendered pods (values over the pinned chart's defaults) ----
  {
    source: "CKV_K8S_23",
    type: K8S.release,
    what: "autoscaler-runs-as-root",
    pick: chart("cluster-autoscaler"),
    edit: (i) => {
      i.values.securityContext.runAsNonRoot = false;
      i.values.containerSecurityContext.runAsNonRoot = false;
    },
  },
  {
    source: "CKV_K8S_22",
    type: K8S.release,
    what: "autoscaler-writable-root",
    pick: chart("cluster-autoscaler"),
    edit: (i) => (i.values.containerSecurityContext.readOnlyRootFilesystem = false),
  },
  {
    source: "CKV_K8S_16",
    type: K8S.release,
    what: "autoscaler-privileged",
    pick: chart("cluster-autoscaler"),
    edit: (i) => (i.values.containerSecurityContext.privileged = true),
  },
  {
    source: "CKV_K8S_31",
    type: K8S.release,
    what: "autoscaler-seccomp-unconfined",
    pick: chart("cluster-autoscaler"),
    edit: (i) => {
      i.values.securityContext.seccompProfile = { type: "Unconfined" };
      i.values.containerSecurityContext.seccompProfile = { type: "Unconfined" };
    },
  },
  {
    source: "CKV_K8S_13",
    type: K8S.release,
    what: "autoscaler-no-limits",
    pick: chart("cluster-autoscaler"),
    edit: (i) => delete i.values.resources.limits,
  },
  {
    source: "CKV_K8S_23",
    type: K8S.release,
    what: "trino-runs-as-root",
    pick: chart("trino"),
    edit: (i) => {
      i.values.securityContext.runAsNonRoot = false;
      i.values.securityContext.runAsUser = 0;
    },
  },
  {
    source: "CKV_K8S_20",
    type: K8S.release,
    what: "trino-privilege-escalation",
    pick: chart("trino"),
    edit: (i) => (i.values.containerSecurityContext.allowPrivilegeEscalation = true),
  },
  {
    source: "CKV_K8S_31",
    type: K8S.release,
    what: "trino-seccomp-unconfined",
    pick: chart("trino"),
    edit: (i) => (i.values.securityContext.seccompProfile = { type: "Unconfined" }),
  },
  {
    source: "CKV_K8S_13",
    type: K8S.release,
    what: "trino-worker-no-limits",
    pick: chart("trino"),
    edit: (i) => delete i.values.worker.resources.limits,
  },
  {
    source: "CKV_K8S_23",
    type: K8S.release,
    what: "spark-operator-runs-as-root",
    pick: chart("spark-operator"),
    edit: (i) => {
      i.values.controller.podSecurityContext.runAsNonRoot = false;
      i.values.controller.securityContext.runAsNonRoot = false;
    },
  },
  {
    source: "CKV_K8S_22",
    type: K8S.release,
    what: "spark-operator-writable-root",
    pick: chart("spark-operator"),
    edit: (i) => (i.values.webhook.securityContext.readOnlyRootFilesystem = false),
  },
  {
    source: "CKV_K8S_37",
    type: K8S.release,
    what: "spark-operator-capabilities-kept",
    pick: chart("spark-operator"),
    edit: (i) => (i.values.controller.securityContext.capabilities = { drop: [] }),
  },
  {
    source: "CKV_K8S_13",
    type: K8S.release,
    what: "spark-operator-no-limits",
    pick: chart("spark-operator"),
    edit: (i) => delete i.values.controller.resources.limits,
  },
  {
    source: "CKV_K8S_23",
    type: K8S.release,
    what: "external-secrets-runs-as-root",
    pick: chart("external-secrets"),
    edit: (i) => (i.values.securityContext = { runAsNonRoot: false, runAsUser: 0 }),
  },
  {
    source: "CKV_K8S_16",
    type: K8S.release,
    what: "external-secrets-webhook-privileged",
    pick: chart("external-secrets"),
    edit: (i) => (i.values.webhook.securityContext = { privileged: true }),
  },
  {
    source: "CKV_K8S_13",
    type: K8S.release,
    what: "external-secrets-no-limits",
    pick: chart("external-secrets"),
    edit: (i) => delete i.values.resources.limits,
  },
  {
    source: "CKV_K8S_14 (chart image)",
    type: K8S.release,
    what: "latest-image",
    edit: (i) => (i.values.image = { ...(i.values.image ?? {}), tag: "latest" }),
  },
  {
    source: "CKV_K8S_14 (chart version)",
    type: K8S.release,
    what: "floating-chart",
    edit: (i) => (i.version = "^1.0.0"),
  },
  // ---- namespaces and cluster objects ----
  {
    source: "Kubernetes Pod Security Standards (restricted), CKV_K8S_21 family",
    type: K8S.namespace,
    what: "privileged-pod-security",
    edit: (i) => (i.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"),
  },
  {
    source: "CKV_K8S quota (ResourceQuota per namespace)",
    type: "kubernetes:core/v1:ResourceQuota",
    what: "quota-removed",
    dropBlaming: nsOfQuota,
  },
  {
    source: "CKV_K8S quota (ResourceQuota per namespace)",
    type: "kubernetes:core/v1:ResourceQuota",
    what: "no-memory-limit-cap",
    edit: (i) => delete i.spec.hard["limits.memory"],
  },
  {
    source: "CKV_K8S_? NetworkPolicy default deny",
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    what: "default-deny-removed",
    pick: (r) =>
      Object.keys(inp(r).spec?.podSelector ?? {}).length === 0 && !inp(r).spec?.ingress && !inp(r).spec?.egress,
    dropBlaming: (r, all) =>
      all.find((n) => n.type === K8S.namespace && inp(n).metadata?.name === inp(r).metadata?.namespace),
  },
  {
    source: "CKV_K8S (Service type LoadBalancer/NodePort)",
    type: "kubernetes:core/v1:Service",
    what: "node-port",
    edit: (i) => (i.spec.type = "NodePort"),
  },
  {
    source: "CKV_K8S_49, CKV_K8S_155",
    type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    what: "wildcard-rules",
    edit: (i) => i.rules.push({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }),
  },
  {
    source: "CKV_K8S_113 family (secret reads)",
    type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    what: "secret-read",
    edit: (i) => i.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }),
  },
  {
    source: "CKV_K8S_35 family (credentials in ConfigMaps)",
    type: "kubernetes:core/v1:ConfigMap",
    what: "password-in-configmap",
    edit: (i) => (i.data = { ...(i.data ?? {}), password: "Sup3rS3cretValue" }),
  },
];
