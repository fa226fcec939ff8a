import type { Classification } from "../core/types";
import {
  doc,
  KEY_USE_ACTIONS,
  platformRoleArnPattern,
  PolicyDocument,
  RESTRICTED_CLEARANCE_TAG,
  cloudWatchLogsKeyStatements,
} from "../core/iam";

// Shared with lake, compute and observability, which sit below security; exported here as before.
export { KEY_USE_ACTIONS, RESTRICTED_CLEARANCE_TAG };

const KEY_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

/** Services that encrypt with platform keys on the deployer's behalf while `pulumi up` creates resources. */
export const DEPLOY_TIME_SERVICES = [
  "secretsmanager",
  "rds",
  "redshift-serverless",
  "kafka",
  "dynamodb",
  "sqs",
  "sns",
  "eks",
  "lambda",
  "states",
];

export interface KeyPolicyInput {
  readonly accountId: string;
  /** The identity running `pulumi up`; it may use the key only through the services that create encrypted resources. */
  readonly deployerArn?: string;
  readonly region: string;
  readonly prefix: string;
  readonly classification: Classification;
}

/**
 * Key policy for one classification's key. The account administers the key but cannot use it through the key
 * policy alone: use requires a role under the platform path (and, for restricted data, the clearance tag) AND an
 * identity policy granting it. CloudWatch Logs may use the lower classifications' keys for the platform's log groups.
 */
export function keyPolicy(input: KeyPolicyInput): PolicyDocument {
  const { accountId, region, prefix, classification } = input;
  const root = `arn:aws:iam::${accountId}:root`;
  const usage: Record<string, Record<string, string | string[]>> = {
    ArnLike: { "aws:PrincipalArn": platformRoleArnPattern(accountId, { prefix }) },
  };
  if (classification === "restricted")
    usage["StringEquals"] = { [`aws:PrincipalTag/${RESTRICTED_CLEARANCE_TAG}`]: "restricted" };
  const statements: PolicyDocument["Statement"] = [
    { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: root }, Action: KEY_ADMIN_ACTIONS, Resource: "*" },
    {
      Sid: "UseByPlatformRoles",
      Effect: "Allow",
      Principal: { AWS: root },
      Action: KEY_USE_ACTIONS,
      Resource: "*",
      Condition: usage,
    },
    {
      Sid: "GrantsForAwsServicesOnly",
      Effect: "Allow",
      Principal: { AWS: root },
      Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      Resource: "*",
      Condition: {
        Bool: { "kms:GrantIsForAWSResource": "true" },
        ArnLike: { "aws:PrincipalArn": platformRoleArnPattern(accountId, { prefix }) },
      },
    },
  ];
  if (input.deployerArn) {
    // Creating an encrypted secret, database or cluster makes the service use the key as the caller; the deployer
    // gets exactly that, never direct use and never S3 (so it cannot read lake data). Restricted data needs the
    // clearance tag to be read, so on the restricted key the deployer may only hand grants to the resources it creates.
    // (DescribeKey requests carry no kms:GrantIsForAWSResource, so on the restricted key it has its own statement.)
    const restricted = classification === "restricted";
    const viaService = {
      StringEquals: { "kms:ViaService": DEPLOY_TIME_SERVICES.map((s) => `${s}.${region}.amazonaws.com`) },
    };
    const deployer = { Effect: "Allow" as const, Principal: { AWS: input.deployerArn }, Resource: "*" };
    if (restricted)
      statements.push(
        { Sid: "DeployerDescribesThroughServices", ...deployer, Action: "kms:DescribeKey", Condition: viaService },
        {
          Sid: "DeployerThroughServices",
          ...deployer,
          Action: "kms:CreateGrant",
          Condition: { ...viaService, Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
      );
    else
      statements.push({
        Sid: "DeployerThroughServices",
        ...deployer,
        Action: [...KEY_USE_ACTIONS, "kms:CreateGrant"],
        Condition: viaService,
      });
  }
  if (classification !== "restricted") statements.push(...cloudWatchLogsKeyStatements(region, accountId));
  return doc(...statements);
}

export interface BoundaryInput {
  readonly accountId: string;
  readonly prefix: string;
  readonly boundaryName: string;
}

export function boundaryArn(accountId: string, boundaryName: string): string {
  return `arn:aws:iam::${accountId}:policy/${boundaryName}`;
}

/**
 * The permissions boundary every platform role carries: a ceiling, not a grant. It allows what identity policies
 * allow, except administering IAM and Organizations, blinding CloudTrail, and escaping the boundary itself —
 * so a compromised or careless role cannot widen its own or anyone else's access.
 */
export function boundaryPolicy(input: BoundaryInput): PolicyDocument {
  const self = boundaryArn(input.accountId, input.boundaryName);
  return doc(
    { Sid: "Ceiling", Effect: "Allow", Action: "*", Resource: "*" },
    {
      Sid: "NoIdentityAdministration",
      Effect: "Deny",
      Action: [
        "iam:CreateUser",
        "iam:DeleteUser",
        "iam:CreateAccessKey",
        "iam:UpdateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:AttachUserPolicy",
        "iam:PutUserPolicy",
        "iam:AddUserToGroup",
        "iam:CreateGroup",
        "iam:AttachGroupPolicy",
        "iam:PutGroupPolicy",
        "iam:CreateSAMLProvider",
        "iam:UpdateSAMLProvider",
        "iam:CreateOpenIDConnectProvider",
        "iam:UpdateAccountPasswordPolicy",
        "iam:CreateAccountAlias",
        "iam:DeleteAccountAlias",
        "iam:UpdateAssumeRolePolicy",
        "iam:CreatePolicy",
        "organizations:*",
        "account:*",
      ],
      Resource: "*",
    },
    {
      Sid: "NoRoleWithoutBoundary",
      Effect: "Deny",
      Action: [
        "iam:CreateRole",
        "iam:PutRolePermissionsBoundary",
        "iam:AttachRolePolicy",
        "iam:PutRolePolicy",
        "iam:DetachRolePolicy",
        "iam:DeleteRolePolicy",
      ],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": self } },
    },
    {
      Sid: "NoBoundaryRemovalOrChange",
      Effect: "Deny",
      Action: [
        "iam:DeleteRolePermissionsBoundary",
        "iam:DeleteUserPermissionsBoundary",
        "iam:PutUserPermissionsBoundary",
      ],
      Resource: "*",
    },
    {
      Sid: "BoundaryIsImmutable",
      Effect: "Deny",
      Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
      Resource: self,
    },
    {
      Sid: "AuditStaysOn",
      Effect: "Deny",
      Action: [
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors",
        "config:StopConfigurationRecorder",
        "config:DeleteConfigurationRecorder",
      ],
      Resource: "*",
    },
  );
}
