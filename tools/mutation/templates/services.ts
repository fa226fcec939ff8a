// Weakenings of MSK, Redshift Serverless, EKS, the deploy runner, Glue, Athena, Lake Formation, and tags.
import type { Template } from "../model";
import { editDoc, inp, param, type Inputs } from "./shared";

export const servicesTemplates: readonly Template[] = [
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
    source: "CKV_AWS_80",
    type: "aws:msk/cluster:Cluster",
    what: "broker-logs-off",
    edit: (i) => delete i.loggingInfo,
  },
  {
    source: "Security Hub MSK.6",
    type: "aws:msk/cluster:Cluster",
    what: "unauthenticated-clients",
    edit: (i) => (i.clientAuthentication = { unauthenticated: true }),
  },
  {
    source: "MSK best practice (customer-managed key at rest)",
    type: "aws:msk/cluster:Cluster",
    what: "aws-managed-key",
    edit: (i) => delete i.encryptionInfo.encryptionAtRestKmsKeyArn,
  },
  {
    source: "MSK best practice (no topic auto-creation)",
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
    source: "Security Hub RedshiftServerless.5",
    type: "aws:redshiftserverless/namespace:Namespace",
    what: "default-admin",
    edit: (i) => (i.adminUsername = "admin"),
  },
  {
    source: "Security Hub Redshift.9, CKV_AWS_320 (their cluster form)",
    type: "aws:redshiftserverless/namespace:Namespace",
    what: "default-database",
    edit: (i) => (i.dbName = "dev"),
  },
  {
    source: "Security Hub RedshiftServerless.6, CKV_AWS_71 (its cluster form)",
    type: "aws:redshiftserverless/namespace:Namespace",
    what: "audit-logs-off",
    edit: (i) => (i.logExports = []),
  },
  {
    source: "CKV_AWS_282, Security Hub RedshiftServerless.4",
    type: "aws:redshiftserverless/namespace:Namespace",
    what: "aws-managed-key",
    edit: (i) => delete i.kmsKeyId,
  },
  {
    source: "Security Hub RedshiftServerless.1, CKV_AWS_321 (its cluster form)",
    type: "aws:redshiftserverless/workgroup:Workgroup",
    what: "enhanced-vpc-routing-off",
    edit: (i) => (i.enhancedVpcRouting = false),
  },
  {
    source: "Security Hub RedshiftServerless.3, CKV_AWS_87 (its cluster form)",
    type: "aws:redshiftserverless/workgroup:Workgroup",
    what: "publicly-accessible",
    edit: (i) => (i.publiclyAccessible = true),
  },
  {
    source: "Security Hub RedshiftServerless.2, CKV_AWS_105 (its cluster form)",
    type: "aws:redshiftserverless/workgroup:Workgroup",
    what: "ssl-optional",
    edit: (i) => param(i, "require_ssl", "false"),
  },
  {
    source: "Redshift audit logging best practice (the user activity log needs enable_user_activity_logging)",
    type: "aws:redshiftserverless/workgroup:Workgroup",
    what: "user-activity-logging-off",
    edit: (i) => param(i, "enable_user_activity_logging", "false"),
  },
  {
    source: "Redshift Serverless best practice (usage limit)",
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
    source: "EKS best practices (access entries)",
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
  // ---- The in-VPC deploy runner (CodeBuild) and its door to the cluster API ----
  {
    source: "CKV_AWS_316, Security Hub CodeBuild.5",
    type: "aws:codebuild/project:Project",
    what: "privileged-runner",
    edit: (i) => (i.environment.privilegedMode = true),
  },
  {
    source: "EKS best practices (private endpoint access: the deployer reaches the API from inside the VPC)",
    type: "aws:codebuild/project:Project",
    what: "runner-outside-vpc",
    edit: (i) => delete i.vpcConfig,
  },
  {
    source: "CKV_AWS_147",
    type: "aws:codebuild/project:Project",
    what: "runner-without-cmk",
    edit: (i) => delete i.encryptionKey,
  },
  {
    source: "EKS best practices (cluster endpoint open to named security groups, not address ranges)",
    type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    what: "cluster-api-from-cidr",
    pick: (r) => r.name.endsWith("-runner-api"),
    edit: (i) => {
      delete i.referencedSecurityGroupId;
      i.cidrIpv4 = "10.0.0.0/8";
    },
  },
  {
    source: "CKV_AWS_289, CKV_AWS_355",
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
    source: "CKV_AWS_159",
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
      ["aws:ec2/vpc:Vpc", "EC2 tagging"],
      ["aws:eks/cluster:Cluster", "EKS.6"],
      ["aws:msk/cluster:Cluster", "MSK tagging"],
      ["aws:glue/catalogDatabase:CatalogDatabase", "Glue tagging"],
      ["aws:glue/dataQualityRuleset:DataQualityRuleset", "Glue tagging"],
    ] as const
  ).map(([type, control]): Template => ({
    source: `Security Hub ${control} (resources should be tagged)`,
    type,
    what: "untagged",
    max: 2,
    edit: (i) => (i.tags = {}),
  })),
];
