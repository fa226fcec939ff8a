import { strict as assert } from "assert";
import type { PlannedResource } from "../../policies/engine/args";
import { ingestionRules } from "../../policies/rules/ingestion";
import { planned, violations } from "../support/policy";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const DLQ = "arn:aws:sqs:eu-west-1:123456789012:acme-dev-x-dlq";
const LOGS = "arn:aws:logs:eu-west-1:123456789012:log-group:/acme/api";

const fn = (extra: Record<string, unknown> = {}) =>
  planned("aws:lambda/function:Function", {
    name: "acme-dev-orders-http",
    deadLetterConfig: { targetArn: DLQ },
    reservedConcurrentExecutions: 2,
    tracingConfig: { mode: "Active" },
    loggingConfig: { logFormat: "JSON", logGroup: "/aws/lambda/acme-dev-orders-http" },
    environment: {
      variables: {
        SOURCE_NAME: "orders",
        WAREHOUSE_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh-AbCdEf",
      },
    },
    ...extra,
  });
const logGroup = (extra: Record<string, unknown> = {}) =>
  planned("aws:cloudwatch/logGroup:LogGroup", {
    name: "/aws/lambda/acme-dev-orders-http",
    retentionInDays: 7,
    kmsKeyId: KEY,
    ...extra,
  });
const queue = (extra: Record<string, unknown> = {}) =>
  planned("aws:sqs/queue:Queue", {
    kmsMasterKeyId: KEY,
    redrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ, maxReceiveCount: 5 }),
    ...extra,
  });
const deadLetter = (retention: number) =>
  planned("aws:sqs/queue:Queue", {
    kmsMasterKeyId: KEY,
    messageRetentionSeconds: retention,
    tags: { "data-platform:queue-role": "dead-letter" },
  });
const stage = (extra: Record<string, unknown> = {}) =>
  planned("aws:apigatewayv2/stage:Stage", {
    accessLogSettings: { destinationArn: LOGS, format: '{"requestId":"$context.requestId"}' },
    defaultRouteSettings: { throttlingRateLimit: 10, throttlingBurstLimit: 20 },
    ...extra,
  });
const route = (extra: Record<string, unknown>) =>
  planned("aws:apigatewayv2/route:Route", { routeKey: "POST /records", ...extra });
const table = (extra: Record<string, unknown> = {}) =>
  planned("aws:dynamodb/table:Table", {
    serverSideEncryption: { enabled: true, kmsKeyArn: KEY },
    pointInTimeRecovery: { enabled: true },
    ...extra,
  });
const machine = (extra: Record<string, unknown> = {}) =>
  planned("aws:sfn/stateMachine:StateMachine", {
    loggingConfiguration: { level: "ERROR", includeExecutionData: false, logDestination: `${LOGS}:*` },
    tracingConfiguration: { enabled: true },
    ...extra,
  });
const schedule = (target: Record<string, unknown>) =>
  planned("aws:scheduler/schedule:Schedule", {
    target: { arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:p", ...target },
  });
const mapping = (extra: Record<string, unknown>) =>
  planned("aws:lambda/eventSourceMapping:EventSourceMapping", { functionName: "f", ...extra });

type Case = [label: string, resources: PlannedResource | PlannedResource[], expected?: RegExp];

/** Per rule: resources it must pass, and resources it must flag with a message matching the pattern. */
const CASES: Record<string, { pass: Case[]; fail: Case[] }> = {
  "lambda-dead-letter": {
    pass: [["with a DLQ", fn()]],
    fail: [["without", fn({ deadLetterConfig: undefined }), /no dead-letter/]],
  },
  "lambda-reserved-concurrency": {
    pass: [["reserved", fn()]],
    fail: [
      ["unset", fn({ reservedConcurrentExecutions: undefined }), /unset/],
      ["-1 (unreserved)", fn({ reservedConcurrentExecutions: -1 }), /-1/],
    ],
  },
  "lambda-tracing": {
    pass: [["active", fn()]],
    fail: [["pass-through", fn({ tracingConfig: { mode: "PassThrough" } }), /tracing is off/]],
  },
  "lambda-no-public-access": {
    pass: [
      ["IAM-authenticated URL", planned("aws:lambda/functionUrl:FunctionUrl", { authorizationType: "AWS_IAM" })],
      [
        "API Gateway with a source ARN",
        planned("aws:lambda/permission:Permission", {
          principal: "apigateway.amazonaws.com",
          sourceArn: "arn:aws:execute-api:eu-west-1:123456789012:abc/*/POST/records",
        }),
      ],
    ],
    fail: [
      ["public URL", planned("aws:lambda/functionUrl:FunctionUrl", { authorizationType: "NONE" }), /public/],
      [
        "public URL permission",
        planned("aws:lambda/permission:Permission", { principal: "*", functionUrlAuthType: "NONE" }),
        /public function-URL/,
      ],
      ["anyone may invoke", planned("aws:lambda/permission:Permission", { principal: "*" }), /any principal/],
    ],
  },
  "lambda-no-plaintext-secrets": {
    pass: [["secret by ARN", fn()]],
    fail: [
      [
        "secret-looking name",
        fn({ environment: { variables: { DB_PASSWORD: "x" } } }),
        /DB_PASSWORD looks like a secret/,
      ],
      [
        "credential in a URL",
        fn({ environment: { variables: { TARGET: "https://user:pa55@api.example" } } }),
        /TARGET holds a credential/,
      ],
      [
        "cloud access key",
        fn({ environment: { variables: { NOTE: "AKIAABCDEFGHIJKLMNOP" } } }),
        /NOTE holds a credential/,
      ],
    ],
  },
  "lambda-log-group-declared": {
    pass: [["declared", [fn(), logGroup()]]],
    fail: [
      ["no log group", [fn()], /does not declare/],
      ["another function's group", [fn(), logGroup({ name: "/aws/lambda/other" })], /does not declare/],
    ],
  },
  "sqs-encrypted": {
    pass: [["CMK", queue()]],
    fail: [
      ["none", queue({ kmsMasterKeyId: undefined }), /not encrypted/],
      ["AWS-managed", queue({ kmsMasterKeyId: "alias/aws/sqs" }), /AWS-managed/],
    ],
  },
  "sqs-dead-letter": {
    pass: [
      ["redrive", queue()],
      ["a 14-day DLQ", deadLetter(1_209_600)],
    ],
    fail: [
      ["no redrive", queue({ redrivePolicy: undefined }), /no redrive/],
      ["a short-lived DLQ", deadLetter(345_600), /less than 14 days/],
    ],
  },
  "api-access-logging": {
    pass: [["logged", stage()]],
    fail: [["not logged", stage({ accessLogSettings: undefined }), /no access logging/]],
  },
  "api-throttling": {
    pass: [["throttled", stage()]],
    fail: [["no burst", stage({ defaultRouteSettings: { throttlingRateLimit: 10 } }), /no default throttling/]],
  },
  "api-route-auth": {
    pass: [
      ["IAM", route({ authorizationType: "AWS_IAM" })],
      ["JWT with authorizer", route({ authorizationType: "JWT", authorizerId: "abc123" })],
    ],
    fail: [
      ["open", route({ authorizationType: "NONE" }), /authorization NONE/],
      ["JWT without authorizer", route({ authorizationType: "JWT" }), /without an authorizer/],
    ],
  },
  "dynamodb-cmk-encryption": {
    pass: [["CMK", table()]],
    fail: [
      ["AWS-owned key", table({ serverSideEncryption: undefined }), /customer-managed/],
      ["AWS-managed key", table({ serverSideEncryption: { enabled: true } }), /customer-managed/],
    ],
  },
  "dynamodb-point-in-time-recovery": {
    pass: [["on", table()]],
    fail: [["off", table({ pointInTimeRecovery: { enabled: false } }), /point-in-time recovery is off/]],
  },
  "sfn-logging": {
    pass: [["errors logged, traced", machine()]],
    fail: [
      ["no logs", machine({ loggingConfiguration: { level: "OFF" } }), /does not log failures/],
      [
        "execution data in logs",
        machine({ loggingConfiguration: { level: "ALL", includeExecutionData: true, logDestination: LOGS } }),
        /execution data/,
      ],
      ["untraced", machine({ tracingConfiguration: undefined }), /tracing is off/],
    ],
  },
  "sns-encrypted": {
    pass: [["CMK", planned("aws:sns/topic:Topic", { kmsMasterKeyId: KEY })]],
    fail: [
      ["none", planned("aws:sns/topic:Topic", {}), /not encrypted/],
      ["AWS-managed", planned("aws:sns/topic:Topic", { kmsMasterKeyId: "alias/aws/sns" }), /AWS-managed/],
    ],
  },
  "scheduler-retry-dead-letter": {
    pass: [["retries and DLQ", schedule({ retryPolicy: { maximumRetryAttempts: 3 }, deadLetterConfig: { arn: DLQ } })]],
    fail: [
      ["no DLQ", schedule({ retryPolicy: { maximumRetryAttempts: 3 } }), /no dead-letter/],
      ["no retries", schedule({ deadLetterConfig: { arn: DLQ } }), /no retry/],
    ],
  },
  "event-source-partial-failures": {
    pass: [
      ["queue with partial failures", mapping({ functionResponseTypes: ["ReportBatchItemFailures"] })],
      [
        "stream with bisect and destination",
        mapping({
          functionResponseTypes: ["ReportBatchItemFailures"],
          startingPosition: "TRIM_HORIZON",
          bisectBatchOnFunctionError: true,
          destinationConfig: { onFailure: { destinationArn: DLQ } },
        }),
      ],
    ],
    fail: [
      ["whole-batch retries", mapping({}), /whole batch/],
      [
        "stream without bisect",
        mapping({
          functionResponseTypes: ["ReportBatchItemFailures"],
          startingPosition: "LATEST",
          destinationConfig: { onFailure: { destinationArn: DLQ } },
        }),
        /bisected/,
      ],
      [
        "stream dropping records",
        mapping({
          functionResponseTypes: ["ReportBatchItemFailures"],
          startingPosition: "LATEST",
          bisectBatchOnFunctionError: true,
        }),
        /dropped/,
      ],
    ],
  },
};

describe("ingestion: policy rules", () => {
  it("every rule has passing and violating cases", () => {
    assert.deepEqual(Object.keys(CASES).sort(), ingestionRules.map((r) => r.name).sort());
    for (const [name, c] of Object.entries(CASES)) assert.ok(c.pass.length > 0 && c.fail.length > 0, name);
  });

  for (const rule of ingestionRules) {
    const cases = CASES[rule.name];
    if (!cases) continue;
    for (const [label, resources] of cases.pass) {
      it(`${rule.name}: passes ${label}`, async () => assert.deepEqual(await violations(rule, resources), []));
    }
    for (const [label, resources, expected] of cases.fail) {
      it(`${rule.name}: flags ${label}`, async () => {
        const found = await violations(rule, resources);
        assert.ok(
          found.some((m) => expected!.test(m)),
          `expected ${expected} in ${JSON.stringify(found)}`,
        );
      });
    }
  }

  it("judges only its own resource types", async () => {
    const bucket = planned("aws:s3/bucket:Bucket", {});
    for (const rule of ingestionRules) assert.deepEqual(await violations(rule, bucket), [], rule.name);
  });
});
