import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext, Tags } from "./types";

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | Record<string, string | string[]>;
  NotPrincipal?: Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** Principal tag that admits a platform role to the restricted key (set only on roles listed for restricted data). */
export const RESTRICTED_CLEARANCE_TAG = "data-platform:clearance";

/** What a key's users may do with it (never administer it). */
export const KEY_USE_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:DescribeKey",
];

export const doc = (...statements: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/**
 * Every platform role lives under this IAM path. KMS key policies and the boundary match on it, so a role
 * created outside the platform cannot use the platform's keys even if someone grants it in IAM.
 */
export function rolePath(ctx: Pick<PlatformContext, "prefix">): string {
  return `/${ctx.prefix}/`;
}

/** The ARN pattern matching every role under the platform path. */
export function platformRoleArnPattern(accountId: string, ctx: Pick<PlatformContext, "prefix">): string {
  return `arn:aws:iam::${accountId}:role${rolePath(ctx)}*`;
}

/** Trust policy for an AWS service; `sourceAccount` stops confused-deputy use from other accounts. */
export function serviceTrust(service: string, sourceAccount?: string): PolicyDocument {
  return doc({
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
  });
}

export interface PlatformRoleArgs {
  readonly ctx: PlatformContext;
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  readonly assumeRolePolicy: pulumi.Input<PolicyDocument | string>;
  /** Inline least-privilege policy; omitted when empty. */
  readonly policy?: pulumi.Input<PolicyDocument>;
  readonly tags: Tags;
  readonly description: string;
  readonly maxSessionDurationSeconds?: number;
  /** Physical role name, for roles people refer to by name (persona roles). @default auto-named from `name` */
  readonly roleName?: string;
}

/**
 * A role under the platform path and the permissions boundary, with at most one inline policy.
 * Returned as plain resources (not a component) so callers keep their own URN layout.
 */
export function platformRole(
  name: string,
  args: PlatformRoleArgs,
  opts: pulumi.CustomResourceOptions,
): { role: aws.iam.Role; policy?: aws.iam.RolePolicy } {
  const role = new aws.iam.Role(
    name,
    {
      name: args.roleName,
      path: rolePath(args.ctx),
      description: args.description,
      assumeRolePolicy: pulumi
        .output(args.assumeRolePolicy)
        .apply((p) => (typeof p === "string" ? p : JSON.stringify(p))),
      permissionsBoundary: args.permissionsBoundaryArn,
      maxSessionDuration: args.maxSessionDurationSeconds,
      tags: args.tags,
    },
    opts,
  );
  if (!args.policy) return { role };
  const policy = new aws.iam.RolePolicy(
    `${name}-policy`,
    { role: role.id, policy: pulumi.output(args.policy).apply((p) => JSON.stringify(p)) },
    { ...opts, parent: opts.parent },
  );
  return { role, policy };
}

/**
 * What CloudWatch Logs needs of a key that encrypts log groups: data-key use for this account's log groups (named
 * by the encryption context, which only the cryptographic operations carry) and DescribeKey, which carries no
 * encryption context and is scoped to this account as the source instead.
 */
export function cloudWatchLogsKeyStatements(region: string, accountId: string): Statement[] {
  const logs = { Effect: "Allow" as const, Principal: { Service: `logs.${region}.amazonaws.com` }, Resource: "*" };
  return [
    {
      Sid: "CloudWatchLogs",
      ...logs,
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
      Condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${accountId}:log-group:*` },
      },
    },
    {
      Sid: "CloudWatchLogsDescribeKey",
      ...logs,
      Action: "kms:DescribeKey",
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
  ];
}
