import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { doc, platformRole, serviceTrust, Statement } from "../core/iam";
import { baseTags } from "../core/tags";
import { bundle, NODE_RUNTIME, packageFiles } from "./bundle";
import type { PlatformFunctionArgs, PolicyStatement } from "./types";

/** Marks a queue as a dead-letter queue: policies accept it without a redrive policy of its own, and alarms watch its depth. */
export const DEAD_LETTER_TAG = { "data-platform:queue-role": "dead-letter" } as const;

export const FUNCTION_DEFAULTS = {
  memoryMb: 256,
  timeoutSeconds: 60,
  reservedConcurrency: 2,
  logRetentionDays: 30,
} as const;

/** Lambda caps function names at 64 characters; long names keep a hash so two never collide. */
export function physicalName(prefix: string, name: string, max = 64): string {
  const full = `${prefix}-${name}`;
  if (full.length <= max) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 7);
  return `${full.slice(0, max - 8)}-${hash}`;
}

export { secretLikeEnvNames } from "./env";
import { secretLikeEnvNames } from "./env";

export interface BaseStatementsInput {
  readonly logGroupArn: string;
  readonly kmsKeyArn: string;
  readonly deadLetterTargetArn: string;
  readonly region: string;
  readonly inVpc: boolean;
}

/**
 * What every function needs besides its own work: write its own log group, trace, send failed events to its
 * DLQ, decrypt its environment, and (in a VPC) manage its network interfaces.
 */
export function baseStatements(i: BaseStatementsInput): Statement[] {
  const dlqIsSns = /^arn:aws[a-z-]*:sns:/.test(i.deadLetterTargetArn);
  const statements: Statement[] = [
    {
      Sid: "OwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${i.logGroupArn}:*`,
    },
    // X-Ray has no resource-level permissions: "*" is the only valid resource.
    { Sid: "Tracing", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    {
      Sid: "DeadLetter",
      Effect: "Allow",
      Action: dlqIsSns ? "sns:Publish" : "sqs:SendMessage",
      Resource: i.deadLetterTargetArn,
    },
    {
      Sid: "EnvAndDeadLetterKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: i.kmsKeyArn,
      // Only through the services that encrypt for this function, not for arbitrary ciphertext.
      Condition: {
        StringEquals: {
          "kms:ViaService": [
            `lambda.${i.region}.amazonaws.com`,
            `sqs.${i.region}.amazonaws.com`,
            `sns.${i.region}.amazonaws.com`,
          ],
        },
      },
    },
  ];
  if (i.inVpc) {
    // The managed VPC-access policy's actions; ENI management has no narrower resource scope at create time.
    statements.push({
      Sid: "VpcNetworkInterfaces",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: "*",
    });
  }
  return statements;
}

/**
 * Every platform Lambda (see the contract in ./types.ts): bundled TypeScript, arm64, tracing, JSON logs to its
 * own encrypted log group, role under the permissions boundary, reserved concurrency, and a dead-letter target.
 */
export class PlatformFunction extends pulumi.ComponentResource {
  public readonly function: aws.lambda.Function;
  public readonly role: aws.iam.Role;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  /** Present when no `deadLetterTargetArn` was given. */
  public readonly deadLetterQueue?: aws.sqs.Queue;
  public readonly functionName: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  public readonly invokeArn: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;
  public readonly deadLetterTargetArn: pulumi.Output<string>;
  /** Base64 SHA-256 of the deployed bundle. */
  public readonly codeHash: string;

  constructor(name: string, args: PlatformFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:functions:PlatformFunction", name, {}, opts);
    const { ctx } = args;
    const env = args.environment ?? {};
    const leaked = secretLikeEnvNames(env);
    if (leaked.length > 0) {
      throw new Error(
        `${name}: environment variables ${leaked.join(", ")} look like secrets; pass a Secrets Manager ARN (…_SECRET_ARN) and read it at run time`,
      );
    }
    const tags = { ...baseTags(ctx, "functions"), ...args.tags };
    const fnName = physicalName(ctx.prefix, args.functionName ?? name);
    const code = packageFiles(bundle(args.entry), args.files);
    this.codeHash = code.hash;

    // Created before the function so Lambda never auto-creates an unencrypted group with infinite retention.
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/lambda/${fnName}`,
        retentionInDays: args.logRetentionDays ?? FUNCTION_DEFAULTS.logRetentionDays,
        kmsKeyId: args.logKmsKeyArn ?? args.kmsKeyArn,
        tags,
      },
      { parent: this },
    );

    if (args.deadLetterTargetArn === undefined) {
      this.deadLetterQueue = new aws.sqs.Queue(
        `${name}-dlq`,
        {
          name: `${fnName}-dlq`,
          kmsMasterKeyId: args.kmsKeyArn,
          messageRetentionSeconds: 14 * 24 * 3600,
          tags: { ...tags, ...DEAD_LETTER_TAG },
        },
        { parent: this, retainOnDelete: ctx.retainOnDelete },
      );
    }
    this.deadLetterTargetArn = pulumi.output(args.deadLetterTargetArn ?? this.deadLetterQueue!.arn);

    const inVpc = args.vpc !== undefined;
    const policy = pulumi
      .all([this.logGroup.arn, args.kmsKeyArn, this.deadLetterTargetArn, args.statements])
      .apply(([logGroupArn, kmsKeyArn, deadLetterTargetArn, own]) =>
        doc(
          ...baseStatements({ logGroupArn, kmsKeyArn, deadLetterTargetArn, region: ctx.region, inVpc }),
          ...(own as PolicyStatement[]),
        ),
      );
    const { role, policy: rolePolicy } = platformRole(
      `${name}-role`,
      {
        ctx,
        permissionsBoundaryArn: args.permissionsBoundaryArn,
        assumeRolePolicy: serviceTrust("lambda.amazonaws.com"),
        policy,
        tags: { ...tags, ...args.roleTags },
        description: `Execution role of ${fnName}`,
      },
      { parent: this },
    );
    this.role = role;

    this.function = new aws.lambda.Function(
      `${name}-fn`,
      {
        name: fnName,
        description: args.description,
        role: role.arn,
        runtime: NODE_RUNTIME,
        architectures: ["arm64"],
        handler: "index.handler",
        code: code.archive,
        sourceCodeHash: code.hash,
        memorySize: args.memoryMb ?? FUNCTION_DEFAULTS.memoryMb,
        timeout: args.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds,
        reservedConcurrentExecutions: args.reservedConcurrency ?? FUNCTION_DEFAULTS.reservedConcurrency,
        kmsKeyArn: args.kmsKeyArn,
        environment: { variables: { POWERTOOLS_SERVICE_NAME: name, ...env } },
        tracingConfig: { mode: "Active" },
        loggingConfig: {
          logFormat: "JSON",
          logGroup: this.logGroup.name,
          applicationLogLevel: "INFO",
          systemLogLevel: "WARN",
        },
        deadLetterConfig: { targetArn: this.deadLetterTargetArn },
        vpcConfig: args.vpc
          ? { subnetIds: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds }
          : undefined,
        tags,
      },
      // Lambda checks the role's permissions (ENIs, DLQ) when the function is created.
      { parent: this, dependsOn: rolePolicy ? [rolePolicy, this.logGroup] : [this.logGroup] },
    );

    this.functionName = this.function.name;
    this.functionArn = this.function.arn;
    this.invokeArn = this.function.invokeArn;
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      roleArn: this.roleArn,
      logGroupName: this.logGroup.name,
      deadLetterTargetArn: this.deadLetterTargetArn,
      codeHash: this.codeHash,
    });
  }
}
