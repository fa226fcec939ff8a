// Weakenings of Lambda, queues, topics, tables, APIs, state machines, schedules and alarms.
import type { Template } from "../model";
import { editDoc } from "./shared";

export const serverlessTemplates: readonly Template[] = [
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
    source: "SQS best practice (dead-letter queue)",
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
    source: "SNS best practice (HTTPS subscriptions)",
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
    source: "CKV_AWS_76, Security Hub APIGateway.9",
    type: "aws:apigatewayv2/stage:Stage",
    what: "no-access-logs",
    edit: (i) => delete i.accessLogSettings,
  },
  {
    source: "API Gateway best practice (stage throttling)",
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
    source: "API Gateway best practice (JWT audience), CKV_AWS_309 family",
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
    source: "Step Functions best practice (customer-managed key)",
    type: "aws:sfn/stateMachine:StateMachine",
    what: "aws-owned-key",
    edit: (i) => (i.encryptionConfiguration = { type: "AWS_OWNED_KEY" }),
  },
  {
    source: "EventBridge Scheduler best practice (dead-letter queue)",
    type: "aws:scheduler/schedule:Schedule",
    what: "no-dead-letter",
    edit: (i) => delete i.target.deadLetterConfig,
  },
  {
    source: "Lambda best practice (on-failure destination)",
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
];
