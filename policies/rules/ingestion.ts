import { secretLikeEnvNames } from "../../components/functions/env";
import { isKafkaMapping } from "./processing";
import { ALWAYS, PlatformRule, PROD_ONLY, resourceRule, SECURITY, stackRule, tagsOf } from "./define";
import { stackIndex } from "./stack-index";

// Rules for serverless ingestion: functions, queues, HTTP APIs, DynamoDB tables, state machines, topics,
// schedules and event source mappings. Each reads only resource inputs, as the policy runtime provides them.

const T = {
  fn: "aws:lambda/function:Function",
  fnUrl: "aws:lambda/functionUrl:FunctionUrl",
  permission: "aws:lambda/permission:Permission",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  queue: "aws:sqs/queue:Queue",
  stage: "aws:apigatewayv2/stage:Stage",
  route: "aws:apigatewayv2/route:Route",
  table: "aws:dynamodb/table:Table",
  machine: "aws:sfn/stateMachine:StateMachine",
  topic: "aws:sns/topic:Topic",
  schedule: "aws:scheduler/schedule:Schedule",
  mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
} as const;

/** Values that are secrets whatever the variable is called: cloud keys, private keys, tokens, credentials in URLs. */
export const SECRET_VALUE = [
  /AKIA[0-9A-Z]{16}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
  /:\/\/[^/\s:@]+:[^/\s@]+@/,
];

export const ingestionRules: PlatformRule[] = [
  resourceRule({
    name: "lambda-dead-letter",
    description:
      "Every function sends failed asynchronous events to a dead-letter queue or topic, so no event is silently dropped.",
    remediation: "Use PlatformFunction (it creates an encrypted DLQ) or set deadLetterConfig.targetArn.",
    group: "reliability",
    resourceTypes: [T.fn],
    enforcement: ALWAYS,
    validate(r, report) {
      if (!r.props.deadLetterConfig?.targetArn) report("has no dead-letter target");
    },
  }),
  resourceRule({
    name: "lambda-reserved-concurrency",
    description:
      "Every function has reserved concurrency: a runaway trigger cannot starve the account or flood the warehouse.",
    remediation: "Set reservedConcurrency in the source config (the profile sets 2 / 5 / 20).",
    group: "cost",
    resourceTypes: [T.fn],
    enforcement: ALWAYS,
    validate(r, report) {
      const n = r.props.reservedConcurrentExecutions;
      if (typeof n !== "number" || n < 1)
        report(`reserved concurrency is ${n === undefined ? "unset" : n}; set a positive number`);
    },
  }),
  resourceRule({
    name: "lambda-tracing",
    description: "Every function traces requests with X-Ray (active tracing).",
    remediation: "Set tracingConfig: { mode: 'Active' } (PlatformFunction does).",
    group: "security",
    resourceTypes: [T.fn],
    enforcement: SECURITY,
    validate(r, report) {
      if (r.props.tracingConfig?.mode !== "Active") report("active tracing is off");
    },
  }),
  resourceRule({
    name: "lambda-no-public-access",
    description:
      "No function is reachable without authentication: no function URL with auth NONE, no invoke permission for any principal without a source.",
    remediation:
      "Put the function behind an authenticated API route; scope Lambda permissions to a service principal and a source ARN.",
    group: "security",
    resourceTypes: [T.fnUrl, T.permission],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.type === T.fnUrl && r.props.authorizationType === "NONE")
        report("function URL with authorization NONE is public");
      if (r.type === T.permission) {
        if (r.props.functionUrlAuthType === "NONE") report("grants public function-URL invocation");
        else if (r.props.principal === "*" && !r.props.sourceArn && !r.props.sourceAccount && !r.props.principalOrgId)
          report("lets any principal invoke the function");
      }
    },
  }),
  resourceRule({
    name: "lambda-no-plaintext-secrets",
    description: "No function carries a secret in its environment; secrets are read from Secrets Manager at run time.",
    remediation: "Store the secret in Secrets Manager, pass its ARN (…_SECRET_ARN) and read it in the handler.",
    group: "security",
    resourceTypes: [T.fn],
    enforcement: ALWAYS,
    validate(r, report) {
      const vars = (r.props.environment?.variables ?? {}) as Record<string, unknown>;
      for (const name of secretLikeEnvNames(vars)) report(`environment variable ${name} looks like a secret`);
      for (const [name, value] of Object.entries(vars)) {
        if (typeof value === "string" && SECRET_VALUE.some((p) => p.test(value)))
          report(`environment variable ${name} holds a credential`);
      }
    },
  }),
  stackRule({
    name: "lambda-log-group-declared",
    description:
      "Every function logs to a log group the stack declares (whose retention and key logs-retention-set and logs-kms-encrypted check), never to one Lambda creates unencrypted and kept forever.",
    remediation: "Use PlatformFunction: it creates /aws/lambda/<name> with retention and KMS before the function.",
    group: "security",
    resourceTypes: [T.fn, T.logGroup],
    enforcement: ALWAYS,
    validate(resources, report) {
      const groups = new Set(
        stackIndex(resources)
          .ofType(T.logGroup)
          .map((g) => g.props.name),
      );
      for (const fn of stackIndex(resources).ofType(T.fn)) {
        const name =
          typeof fn.props.loggingConfig?.logGroup === "string"
            ? fn.props.loggingConfig.logGroup
            : `/aws/lambda/${fn.props.name}`;
        if (!groups.has(name))
          report(
            `function '${fn.name}' logs to ${name}, which the stack does not declare (Lambda would create it unencrypted, kept forever)`,
            fn.urn,
          );
      }
    },
  }),
  resourceRule({
    name: "sqs-encrypted",
    description: "Every queue is encrypted with a customer-managed KMS key.",
    remediation: "Set kmsMasterKeyId to the data's classification key.",
    group: "security",
    resourceTypes: [T.queue],
    enforcement: SECURITY,
    validate(r, report) {
      const k = r.props.kmsMasterKeyId;
      if (!k) report("is not encrypted with a customer-managed key");
      else if (String(k).startsWith("alias/aws/")) report(`uses the AWS-managed key ${k}; use a customer-managed key`);
    },
  }),
  resourceRule({
    name: "sqs-dead-letter",
    description:
      "Every queue either moves poison messages to a dead-letter queue (redrive policy) or is itself a dead-letter queue keeping messages 14 days.",
    remediation:
      "Set redrivePolicy with a maxReceiveCount, or tag a dead-letter queue data-platform:queue-role=dead-letter with 14-day retention.",
    group: "reliability",
    resourceTypes: [T.queue],
    enforcement: ALWAYS,
    validate(r, report) {
      if (tagsOf(r.props)["data-platform:queue-role"] === "dead-letter") {
        if (Number(r.props.messageRetentionSeconds) < 1_209_600)
          report("dead-letter queue keeps messages less than 14 days");
        return;
      }
      const redrive = safeJson(r.props.redrivePolicy);
      if (!redrive?.deadLetterTargetArn || !(Number(redrive.maxReceiveCount) >= 1))
        report("has no redrive policy to a dead-letter queue");
    },
  }),
  resourceRule({
    name: "api-access-logging",
    description: "Every API stage writes access logs.",
    remediation: "Set accessLogSettings with a log group ARN and a format.",
    group: "security",
    resourceTypes: [T.stage],
    enforcement: SECURITY,
    validate(r, report) {
      if (!r.props.accessLogSettings?.destinationArn || !r.props.accessLogSettings?.format)
        report("has no access logging");
    },
  }),
  resourceRule({
    name: "api-throttling",
    description:
      "Every API stage throttles requests (rate and burst), so one client cannot exhaust the function or the budget.",
    remediation: "Set defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit (a source's `throttle`).",
    group: "security",
    resourceTypes: [T.stage],
    enforcement: SECURITY,
    validate(r, report) {
      const d = r.props.defaultRouteSettings;
      if (!(Number(d?.throttlingRateLimit) > 0) || !(Number(d?.throttlingBurstLimit) > 0))
        report("has no default throttling");
    },
  }),
  resourceRule({
    name: "api-route-auth",
    description: "Every API route requires authentication (IAM or a JWT/Lambda authorizer).",
    remediation: "Set authorizationType to AWS_IAM or JWT (a source's `auth`).",
    group: "security",
    resourceTypes: [T.route],
    enforcement: ALWAYS,
    validate(r, report) {
      const t = r.props.authorizationType;
      if (!["AWS_IAM", "JWT", "CUSTOM"].includes(t))
        report(`route ${r.props.routeKey} has authorization ${t ?? "NONE"}`);
      else if (t !== "AWS_IAM" && !r.props.authorizerId)
        report(`route ${r.props.routeKey} uses ${t} without an authorizer`);
    },
  }),
  resourceRule({
    name: "dynamodb-cmk-encryption",
    description: "Every DynamoDB table is encrypted with a customer-managed KMS key.",
    remediation: "Set serverSideEncryption: { enabled: true, kmsKeyArn } with the data's classification key.",
    group: "security",
    resourceTypes: [T.table],
    enforcement: SECURITY,
    validate(r, report) {
      if (r.props.serverSideEncryption?.enabled !== true || !r.props.serverSideEncryption?.kmsKeyArn)
        report("is not encrypted with a customer-managed key");
    },
  }),
  resourceRule({
    name: "dynamodb-point-in-time-recovery",
    description: "Every DynamoDB table can be restored to any second of the last 35 days (prod).",
    remediation: "Set pointInTimeRecovery: { enabled: true } (the prod profile does).",
    group: "reliability",
    resourceTypes: [T.table],
    enforcement: PROD_ONLY,
    validate(r, report) {
      if (r.props.pointInTimeRecovery?.enabled !== true) report("point-in-time recovery is off");
    },
  }),
  resourceRule({
    name: "sfn-logging",
    description: "Every state machine logs failures to CloudWatch without execution data, and traces with X-Ray.",
    remediation:
      "Set loggingConfiguration { level: ERROR or ALL, includeExecutionData: false, logDestination } and tracingConfiguration.enabled.",
    group: "security",
    resourceTypes: [T.machine],
    enforcement: SECURITY,
    validate(r, report) {
      const l = r.props.loggingConfiguration;
      if (!l?.logDestination || !["ERROR", "ALL", "FATAL"].includes(l.level)) report("does not log failures");
      if (l?.includeExecutionData === true) report("logs execution data (records could reach the logs)");
      if (r.props.tracingConfiguration?.enabled !== true) report("tracing is off");
    },
  }),
  resourceRule({
    name: "sns-encrypted",
    description: "Every SNS topic is encrypted with a customer-managed KMS key.",
    remediation: "Set kmsMasterKeyId (Monitoring uses its operations key).",
    group: "security",
    resourceTypes: [T.topic],
    enforcement: SECURITY,
    validate(r, report) {
      const k = r.props.kmsMasterKeyId;
      if (!k) report("is not encrypted");
      else if (String(k).startsWith("alias/aws/"))
        report(`uses the AWS-managed key ${k}, which CloudWatch alarms cannot publish through`);
    },
  }),
  resourceRule({
    name: "scheduler-retry-dead-letter",
    description: "Every schedule retries delivery and keeps undeliverable runs in a dead-letter queue.",
    remediation: "Set target.retryPolicy and target.deadLetterConfig.arn.",
    group: "reliability",
    resourceTypes: [T.schedule],
    enforcement: ALWAYS,
    validate(r, report) {
      if (!r.props.target?.deadLetterConfig?.arn) report("has no dead-letter queue");
      if (!r.props.target?.retryPolicy) report("has no retry policy");
    },
  }),
  resourceRule({
    name: "event-source-partial-failures",
    description:
      "Queue and stream triggers (Kafka aside: see stream-processor-on-failure) report partial batch failures; streams also bisect failing batches and send what still fails to an on-failure destination.",
    remediation:
      "Set functionResponseTypes: ['ReportBatchItemFailures']; for streams also bisectBatchOnFunctionError and destinationConfig.onFailure.",
    group: "reliability",
    resourceTypes: [T.mapping],
    enforcement: ALWAYS,
    validate(r, report) {
      // Kafka triggers are judged by stream-processor-on-failure: a processor parks bad records itself and must
      // apply each partition in order, so it fails (and redelivers) whole batches instead.
      if (isKafkaMapping(r.props)) return;
      const types = (r.props.functionResponseTypes ?? []) as string[];
      if (!types.includes("ReportBatchItemFailures"))
        report("one bad record makes the whole batch retry (no ReportBatchItemFailures)");
      if (r.props.startingPosition !== undefined) {
        if (r.props.bisectBatchOnFunctionError !== true) report("stream batches are not bisected on error");
        if (!r.props.destinationConfig?.onFailure?.destinationArn)
          report("stream records that exhaust retries are dropped (no on-failure destination)");
      }
    },
  }),
];

function safeJson(v: unknown): Record<string, unknown> | undefined {
  try {
    return (typeof v === "string" ? JSON.parse(v) : v) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
