import { doc, KEY_USE_ACTIONS, PolicyDocument, rolePath, Statement } from "../core/iam";

// The deploy runner's pure parts: what its role may do (deploy the workload layer, nothing else) and the build it
// runs. Kept apart from the component so tests and policies judge the same documents.

/** The Pulumi CLI the runner installs: the SDK's version, so the program and the engine agree. */
export const RUNNER_PULUMI_VERSION = "3.276.0";
/** CodeBuild's Amazon Linux 2023 image: Node 22 and the AWS CLI v2 (the kubeconfig's `aws eks get-token`). */
export const RUNNER_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";
/** The secret the runner reads the Pulumi backend's access token from; its value is set outside the program. */
export const runnerTokenSecretName = (prefix: string) => `${prefix}/deploy/pulumi-access-token`;
/** The runner role's fixed name: the lake's admins and the cluster's access entries name it before it exists. */
export const runnerRoleName = (prefix: string) => `${prefix}-deploy-runner`;
export const runnerRoleArn = (accountId: string, prefix: string) =>
  `arn:aws:iam::${accountId}:role${rolePath({ prefix })}${runnerRoleName(prefix)}`;

export interface RunnerPolicyInput {
  readonly region: string;
  readonly accountId: string;
  readonly prefix: string;
  readonly clusterName: string;
  readonly vpcId: string;
  readonly permissionsBoundaryArn: string;
  /** The platform's KMS keys: secrets, buckets and the metadata database of the workload layer use them. */
  readonly keyArns: readonly string[];
  readonly logGroupArn: string;
  readonly tokenSecretArn: string;
}

/**
 * Least privilege for `pulumi up` of the workload layer from inside the VPC: roles only under the platform path and
 * only with the boundary, passed only to EKS Pod Identity; buckets, secrets and the metadata database only under the
 * platform's prefix; pod identities only on this cluster; security groups only in this VPC. Kubernetes objects are
 * authorised by the cluster's access entry, not IAM. No `*` action and no IAM administration beyond that.
 */
export function runnerPolicy(i: RunnerPolicyInput): PolicyDocument {
  const roles = `arn:aws:iam::${i.accountId}:role${rolePath(i)}*`;
  const cluster = `arn:aws:eks:${i.region}:${i.accountId}:cluster/${i.clusterName}`;
  const ec2 = (what: string) => `arn:aws:ec2:${i.region}:${i.accountId}:${what}`;
  const rds = (what: string) => `arn:aws:rds:${i.region}:${i.accountId}:${what}:${i.prefix}-*`;
  const statements: Statement[] = [
    {
      Sid: "RolesOnlyUnderTheBoundary",
      Effect: "Allow",
      Action: [
        "iam:CreateRole",
        "iam:PutRolePermissionsBoundary",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
      ],
      Resource: roles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": i.permissionsBoundaryArn } },
    },
    {
      Sid: "PlatformRoles",
      Effect: "Allow",
      Action: [
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateRoleDescription",
        "iam:DeleteRole",
      ],
      Resource: roles,
    },
    {
      Sid: "PassRolesToPodIdentityOnly",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: roles,
      Condition: { StringEquals: { "iam:PassedToService": "pods.eks.amazonaws.com" } },
    },
    {
      Sid: "PodIdentitiesOfThisCluster",
      Effect: "Allow",
      Action: [
        "eks:DescribeCluster",
        "eks:CreatePodIdentityAssociation",
        "eks:DescribePodIdentityAssociation",
        "eks:UpdatePodIdentityAssociation",
        "eks:DeletePodIdentityAssociation",
        "eks:ListPodIdentityAssociations",
        "eks:TagResource",
      ],
      Resource: [cluster, `arn:aws:eks:${i.region}:${i.accountId}:podidentityassociation/${i.clusterName}/*`],
    },
    {
      Sid: "PlatformBuckets",
      Effect: "Allow",
      Action: ["s3:CreateBucket", "s3:DeleteBucket", "s3:GetBucket*", "s3:ListBucket", "s3:PutBucket*"],
      Resource: `arn:aws:s3:::${i.prefix}-*`,
    },
    {
      Sid: "PlatformBucketSettings",
      Effect: "Allow",
      Action: [
        "s3:GetEncryptionConfiguration",
        "s3:PutEncryptionConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:DeleteBucketPolicy",
      ],
      Resource: `arn:aws:s3:::${i.prefix}-*`,
    },
    {
      Sid: "PlatformSecrets",
      Effect: "Allow",
      Action: [
        "secretsmanager:CreateSecret",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:TagResource",
        "secretsmanager:GetResourcePolicy",
      ],
      // The workload layer's own secrets only: never the warehouse logins or other secrets of the foundation.
      Resource: [
        `arn:aws:secretsmanager:${i.region}:${i.accountId}:secret:${i.prefix}/query-engine/*`,
        `arn:aws:secretsmanager:${i.region}:${i.accountId}:secret:${i.prefix}/bi/superset-*`,
        `${i.tokenSecretArn}*`,
      ],
    },
    {
      Sid: "MetadataDatabase",
      Effect: "Allow",
      Action: [
        "rds:CreateDBInstance",
        "rds:ModifyDBInstance",
        "rds:DeleteDBInstance",
        "rds:DescribeDBInstances",
        "rds:CreateDBParameterGroup",
        "rds:ModifyDBParameterGroup",
        "rds:DeleteDBParameterGroup",
        "rds:DescribeDBParameterGroups",
        "rds:DescribeDBParameters",
        "rds:CreateDBSubnetGroup",
        "rds:ModifyDBSubnetGroup",
        "rds:DeleteDBSubnetGroup",
        "rds:DescribeDBSubnetGroups",
        "rds:AddTagsToResource",
        "rds:ListTagsForResource",
      ],
      Resource: [rds("db"), rds("pg"), rds("subgrp")],
    },
    {
      Sid: "SecurityGroupsInThisVpc",
      Effect: "Allow",
      Action: [
        "ec2:CreateSecurityGroup",
        "ec2:DeleteSecurityGroup",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:CreateTags",
      ],
      Resource: [ec2(`vpc/${i.vpcId}`), ec2("security-group/*"), ec2("security-group-rule/*")],
      Condition: { StringEquals: { "ec2:Vpc": ec2(`vpc/${i.vpcId}`) } },
    },
    {
      Sid: "DescribeNetwork",
      Effect: "Allow",
      Action: ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DescribeVpcs"],
      Resource: "*",
    },
    {
      // Lake Formation has no resource-level ARNs; the runner is a data lake admin only to grant pods their tables.
      Sid: "LakeFormationGrants",
      Effect: "Allow",
      Action: [
        "lakeformation:GrantPermissions",
        "lakeformation:RevokePermissions",
        "lakeformation:BatchGrantPermissions",
        "lakeformation:BatchRevokePermissions",
        "lakeformation:ListPermissions",
      ],
      Resource: "*",
    },
    {
      Sid: "CatalogReads",
      Effect: "Allow",
      Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables"],
      Resource: [
        `arn:aws:glue:${i.region}:${i.accountId}:catalog`,
        `arn:aws:glue:${i.region}:${i.accountId}:database/*`,
        `arn:aws:glue:${i.region}:${i.accountId}:table/*/*`,
      ],
    },
    { Sid: "PlatformKeys", Effect: "Allow", Action: KEY_USE_ACTIONS, Resource: [...i.keyArns] },
    {
      Sid: "GrantsForAwsServices",
      Effect: "Allow",
      Action: "kms:CreateGrant",
      Resource: [...i.keyArns],
      Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
    },
    {
      Sid: "OwnBuildLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${i.logGroupArn}:*`,
    },
  ];
  return doc(...statements);
}

export interface BuildspecInput {
  /** The workload layer's stack, e.g. `organization/data-platform/dev-workloads`. */
  readonly workloadStack: string;
  /** policies/config/<environment>.json is the pack's config. */
  readonly environment: string;
}

/**
 * The runner's build: the source comes with each build (`aws codebuild start-build --source-type-override …`), the
 * command from `PULUMI_COMMAND` (preview by default; `up` to deploy), the policy pack always.
 */
export function runnerBuildspec(i: BuildspecInput): string {
  const pack = `--policy-pack policies --policy-pack-config policies/config/${i.environment}.json`;
  const lines = [
    "version: 0.2",
    "env:",
    "  shell: bash",
    "  variables:",
    "    PULUMI_COMMAND: preview",
    `    PULUMI_STACK: ${i.workloadStack}`,
    "phases:",
    "  install:",
    "    commands:",
    `      - curl -fsSL https://get.pulumi.com | sh -s -- --version ${RUNNER_PULUMI_VERSION}`,
    "      - npm ci",
    "  build:",
    "    commands:",
    '      - export PATH="$PWD/node_modules/.bin:$HOME/.pulumi/bin:$PATH"',
    "      - aws --version && node --version",
    `      - if [ "$PULUMI_COMMAND" = up ]; then pulumi up --yes --stack "$PULUMI_STACK" ${pack}; else pulumi preview --stack "$PULUMI_STACK" ${pack} --diff; fi`,
  ];
  return `${lines.join("\n")}\n`;
}
