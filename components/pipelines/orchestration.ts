import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { doc, platformRole, serviceTrust } from "../core/iam";
import { TAG, type PlatformContext, type Tags } from "../core/types";
import type { PolicyStatement } from "../functions/types";
import type { OperationsRefs } from "../ingestion/types";
import { queueSendStatements } from "../functions/statements";
import { DEAD_LETTER_TAG } from "../functions/function";

/** What a state machine's role may do: invoke its steps, alert, use the operations key, log and trace. */
export function stateMachineStatements(i: {
  functionArns: string[];
  topicArn: string;
  keyArn: string;
  region: string;
}): PolicyStatement[] {
  return [
    {
      Sid: "InvokeSteps",
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      Resource: i.functionArns.flatMap((a) => [a, `${a}:*`]),
    },
    { Sid: "Alert", Effect: "Allow", Action: "sns:Publish", Resource: i.topicArn },
    {
      Sid: "OperationsKey",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: i.keyArn,
      // The encrypted alerts topic and the state machine's own encrypted execution data.
      Condition: {
        StringEquals: { "kms:ViaService": [`sns.${i.region}.amazonaws.com`, `states.${i.region}.amazonaws.com`] },
      },
    },
    {
      // Step Functions configures log delivery through these account-level calls; none takes a resource ARN.
      Sid: "LogDelivery",
      Effect: "Allow",
      Action: [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
      ],
      Resource: "*",
    },
    {
      Sid: "Tracing",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
      Resource: "*",
    },
  ];
}

export interface StateMachineArgs {
  readonly ctx: PlatformContext;
  /** Physical name after the prefix. */
  readonly machineName: string;
  readonly definition: pulumi.Input<object>;
  readonly functionArns: pulumi.Input<string>[];
  readonly operations: OperationsRefs;
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly tags: Tags;
}

/**
 * Run logs (no execution data) and schedule dead letters (the schedule's own input) hold no records: they are
 * internal, like the operations key that encrypts them, whatever the domain's data is classified.
 */
const operational = (tags: Tags): Tags => ({ ...tags, [TAG.dataClassification]: "internal" });

/**
 * A standard state machine with the platform's defaults: encrypted with the operations key, error-level logs
 * without execution data (records never reach the logs), X-Ray tracing, a bounded role.
 */
export function platformStateMachine(name: string, a: StateMachineArgs, parent: pulumi.Resource): aws.sfn.StateMachine {
  const p = { parent };
  const physical = `${a.ctx.prefix}-${a.machineName}`.slice(0, 80);
  // The vendedlogs prefix keeps Step Functions within the CloudWatch Logs resource-policy size limit.
  const logs = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    {
      name: `/aws/vendedlogs/states/${physical}`,
      retentionInDays: a.logRetentionDays,
      kmsKeyId: a.operations.keyArn,
      tags: operational(a.tags),
    },
    p,
  );
  const { role, policy } = platformRole(
    `${name}-role`,
    {
      ctx: a.ctx,
      permissionsBoundaryArn: a.permissionsBoundaryArn,
      assumeRolePolicy: serviceTrust("states.amazonaws.com"),
      description: `Step Functions: ${physical}`,
      policy: pulumi
        .all([pulumi.all(a.functionArns), a.operations.alertsTopicArn, a.operations.keyArn])
        .apply(([functionArns, topicArn, keyArn]) =>
          doc(...stateMachineStatements({ functionArns, topicArn, keyArn, region: a.ctx.region })),
        ),
      tags: a.tags,
    },
    p,
  );
  return new aws.sfn.StateMachine(
    `${name}-machine`,
    {
      name: physical,
      type: "STANDARD",
      roleArn: role.arn,
      definition: pulumi.output(a.definition).apply((d) => JSON.stringify(d)),
      loggingConfiguration: {
        logDestination: pulumi.interpolate`${logs.arn}:*`,
        includeExecutionData: false,
        level: "ERROR",
      },
      tracingConfiguration: { enabled: true },
      encryptionConfiguration: {
        type: "CUSTOMER_MANAGED_KMS_KEY",
        kmsKeyId: a.operations.keyArn,
        kmsDataKeyReusePeriodSeconds: 300,
      },
      tags: a.tags,
    },
    { parent, dependsOn: policy ? [policy] : [] },
  );
}

export interface ScheduleArgs {
  readonly ctx: PlatformContext;
  readonly machine: aws.sfn.StateMachine;
  readonly expression: string;
  readonly timezone: string;
  readonly keyArn: pulumi.Input<string>;
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  readonly tags: Tags;
  readonly description: string;
}

/** An EventBridge Scheduler schedule that starts the state machine, with retries and a dead-letter queue. */
export function machineSchedule(
  name: string,
  a: ScheduleArgs,
  parent: pulumi.Resource,
): { schedule: aws.scheduler.Schedule; deadLetterQueue: aws.sqs.Queue } {
  const p = { parent };
  const dlq = new aws.sqs.Queue(
    `${name}-schedule-dlq`,
    {
      name: a.machine.name.apply((n) => `${n.slice(0, 67)}-schedule-dlq`),
      kmsMasterKeyId: a.keyArn,
      messageRetentionSeconds: 14 * 24 * 3600,
      tags: { ...operational(a.tags), ...DEAD_LETTER_TAG },
    },
    { parent, retainOnDelete: a.ctx.retainOnDelete },
  );
  const { role } = platformRole(
    `${name}-scheduler`,
    {
      ctx: a.ctx,
      permissionsBoundaryArn: a.permissionsBoundaryArn,
      assumeRolePolicy: serviceTrust("scheduler.amazonaws.com"),
      description: `EventBridge Scheduler: ${a.description}`,
      policy: pulumi
        .all([a.machine.arn, dlq.arn, a.keyArn])
        .apply(([m, q, k]) =>
          doc(
            { Sid: "StartRun", Effect: "Allow", Action: "states:StartExecution", Resource: m },
            ...queueSendStatements(q, k, a.ctx.region, "DeadLetter"),
          ),
        ),
      tags: a.tags,
    },
    p,
  );
  const schedule = new aws.scheduler.Schedule(
    `${name}-schedule`,
    {
      name: a.machine.name.apply((n) => n.slice(0, 64)),
      description: a.description,
      scheduleExpression: a.expression,
      scheduleExpressionTimezone: a.expression.startsWith("cron(") ? a.timezone : undefined,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: a.machine.arn,
        roleArn: role.arn,
        input: JSON.stringify({ trigger: "schedule", scheduledTime: "<aws.scheduler.scheduled-time>" }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: dlq.arn },
      },
    },
    p,
  );
  return { schedule, deadLetterQueue: dlq };
}
