// Weakenings of IAM roles and policies.
import type { Template } from "../model";
import { editDoc } from "./shared";

export const identityTemplates: readonly Template[] = [
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
    source: "CKV_AWS_288 (data exfiltration)",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "decrypt-on-all",
    edit: (i) =>
      editDoc(i, "policy", (d) => d.Statement.push({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" })),
  },
  {
    source: "CKV_AWS_288 (data exfiltration)",
    type: "aws:iam/rolePolicy:RolePolicy",
    what: "secret-read-on-all",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }),
      ),
  },
  {
    source: "CKV_AWS_287 (credentials exposure)",
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
    source: "IAM best practice (permissions boundary)",
    type: "aws:iam/role:Role",
    what: "no-permissions-boundary",
    edit: (i) => delete i.permissionsBoundary,
  },
  {
    source: "IAM best practice (session length)",
    type: "aws:iam/role:Role",
    what: "twelve-hour-sessions",
    edit: (i) => (i.maxSessionDuration = 43200),
  },
];
