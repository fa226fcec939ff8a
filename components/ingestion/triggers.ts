import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { doc, platformRole, serviceTrust } from "../core/iam";
import type { PlatformContext } from "../core/types";
import { PlatformFunction } from "../functions/function";
import * as iam from "../functions/statements";
import type { ResolvedSourceOf } from "./config";

// The triggers a source's kind needs besides its function: the HTTP API, the pull schedule, the operational table,
// and the queue policy and event pattern of queue and object-events sources.

const ROUTE = "POST /records";

/** What Monitoring watches for one source. */
export interface SourceTargets {
  readonly functionName: pulumi.Output<string>;
  readonly deadLetterQueueName: pulumi.Output<string>;
  readonly queueName?: pulumi.Output<string>;
  readonly api?: { readonly apiId: pulumi.Output<string>; readonly stage: string };
}

/** JSON access-log line of the HTTP API: who called, what came back, how long it took. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  caller: "$context.identity.caller",
  user: "$context.identity.user",
  principal: "$context.authorizer.principalId",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latency: "$context.responseLatency",
  integrationError: "$context.integrationErrorMessage",
});

export function tlsOnlyQueuePolicy(queueArn: string) {
  return doc({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "sqs:*",
    Resource: queueArn,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });
}

/** EventBridge pattern for objects created under a prefix of one bucket. */
export function objectCreatedPattern(bucket: string, prefix: string) {
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: { bucket: { name: [bucket] }, object: { key: [{ prefix }] } },
  };
}

export function operationalTable(
  name: string,
  ctx: PlatformContext,
  src: ResolvedSourceOf<"db-events">,
  keyArn: pulumi.Input<string>,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): aws.dynamodb.Table {
  const { partitionKey: pk, sortKey: sk, ttlAttribute } = src.table;
  return new aws.dynamodb.Table(
    `${name}-table`,
    {
      name: `${ctx.prefix}-${src.name}`,
      billingMode: "PAY_PER_REQUEST",
      hashKey: pk.name,
      rangeKey: sk?.name,
      attributes: [pk, ...(sk ? [sk] : [])],
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
      serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
      pointInTimeRecovery: { enabled: src.pointInTimeRecovery },
      // prod cannot lose the operational store: no delete through the API either.
      deletionProtectionEnabled: ctx.protect,
      ttl: ttlAttribute ? { attributeName: ttlAttribute, enabled: true } : undefined,
      tags,
    },
    { parent, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete },
  );
}

export function httpApi(
  name: string,
  ctx: PlatformContext,
  src: ResolvedSourceOf<"http">,
  fn: PlatformFunction,
  tags: Record<string, string>,
  retention: number,
  logKey: pulumi.Input<string>,
  parent: pulumi.Resource,
): { endpoint: pulumi.Output<string>; api: NonNullable<SourceTargets["api"]> } {
  const p = { parent };
  const api = new aws.apigatewayv2.Api(
    `${name}-api`,
    { name: `${ctx.prefix}-${src.name}`, protocolType: "HTTP", description: `Ingestion endpoint of ${src.name}`, tags },
    p,
  );
  const integration = new aws.apigatewayv2.Integration(
    `${name}-api`,
    {
      apiId: api.id,
      integrationType: "AWS_PROXY",
      integrationUri: fn.functionArn,
      payloadFormatVersion: "2.0",
      timeoutMilliseconds: 29_000,
    },
    p,
  );
  const jwt = src.auth === "iam" ? undefined : src.auth.jwt;
  const authorizer = jwt
    ? new aws.apigatewayv2.Authorizer(
        `${name}-jwt`,
        {
          apiId: api.id,
          authorizerType: "JWT",
          identitySources: ["$request.header.Authorization"],
          jwtConfiguration: { issuer: jwt.issuer, audiences: jwt.audiences },
          name: `${src.name}-jwt`,
        },
        p,
      )
    : undefined;
  new aws.apigatewayv2.Route(
    `${name}-records`,
    {
      apiId: api.id,
      routeKey: ROUTE,
      target: pulumi.interpolate`integrations/${integration.id}`,
      authorizationType: jwt ? "JWT" : "AWS_IAM",
      authorizerId: authorizer?.id,
    },
    p,
  );
  const accessLogs = new aws.cloudwatch.LogGroup(
    `${name}-api-access`,
    { name: `/aws/apigateway/${ctx.prefix}-${src.name}`, retentionInDays: retention, kmsKeyId: logKey, tags },
    p,
  );
  const throttling = { throttlingRateLimit: src.throttle.rateLimit, throttlingBurstLimit: src.throttle.burstLimit };
  new aws.apigatewayv2.Stage(
    `${name}-stage`,
    {
      apiId: api.id,
      name: "$default",
      autoDeploy: true,
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      defaultRouteSettings: { ...throttling, detailedMetricsEnabled: true },
      routeSettings: [{ routeKey: ROUTE, ...throttling, detailedMetricsEnabled: true }],
      tags,
    },
    p,
  );
  new aws.lambda.Permission(
    `${name}-api`,
    {
      action: "lambda:InvokeFunction",
      function: fn.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: pulumi.interpolate`${api.executionArn}/*/POST/records`,
    },
    p,
  );
  return { endpoint: pulumi.interpolate`${api.apiEndpoint}/records`, api: { apiId: api.id, stage: "$default" } };
}

export function pullSchedule(
  name: string,
  ctx: PlatformContext,
  src: ResolvedSourceOf<"schedule">,
  fn: PlatformFunction,
  tags: Record<string, string>,
  keyArn: pulumi.Input<string>,
  boundary: pulumi.Input<string>,
  parent: pulumi.Resource,
): void {
  invokeSchedule(
    name,
    ctx,
    {
      physicalName: `${ctx.prefix}-${src.name}`,
      expression: src.schedule,
      timezone: src.schedule.startsWith("cron(") ? src.timezone : undefined,
      description: `Pulls ${src.url} for ${src.name}`,
      what: `the ${src.name} pull`,
      retryAttempts: src.retryAttempts,
    },
    { fn, tags, keyArn, boundary },
    parent,
  );
}

export interface ScheduleSpec {
  readonly physicalName: string;
  readonly expression: string;
  readonly timezone?: string;
  readonly description: string;
  /** What the scheduler role runs, for its description. */
  readonly what: string;
  readonly retryAttempts: number;
}

/**
 * An EventBridge Scheduler schedule that invokes a function with the scheduled time (which keys idempotency), retries
 * delivery and keeps undeliverable runs in the function's dead-letter queue, as a role that may invoke only it.
 */
export function invokeSchedule(
  name: string,
  ctx: PlatformContext,
  spec: ScheduleSpec,
  t: {
    readonly fn: PlatformFunction;
    readonly tags: Record<string, string>;
    readonly keyArn: pulumi.Input<string>;
    readonly boundary: pulumi.Input<string>;
  },
  parent: pulumi.Resource,
): void {
  const p = { parent };
  const { fn } = t;
  const { role } = platformRole(
    `${name}-scheduler`,
    {
      ctx,
      permissionsBoundaryArn: t.boundary,
      assumeRolePolicy: serviceTrust("scheduler.amazonaws.com"),
      tags: t.tags,
      description: `EventBridge Scheduler: runs ${spec.what}`,
      policy: pulumi
        .all([fn.functionArn, fn.deadLetterTargetArn, t.keyArn])
        .apply(([f, dlq, k]) =>
          doc(
            { Sid: "InvokePull", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: f },
            ...iam.queueSendStatements(dlq, k, ctx.region, "DeadLetter"),
          ),
        ),
    },
    p,
  );
  new aws.scheduler.Schedule(
    `${name}-schedule`,
    {
      name: spec.physicalName.slice(0, 64),
      description: spec.description,
      scheduleExpression: spec.expression,
      scheduleExpressionTimezone: spec.timezone,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: fn.functionArn,
        roleArn: role.arn,
        // The scheduled time, not the delivery time, keys idempotency: a redelivered run is recognised.
        input: JSON.stringify({ scheduledTime: "<aws.scheduler.scheduled-time>" }),
        retryPolicy: { maximumRetryAttempts: spec.retryAttempts, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: fn.deadLetterTargetArn },
      },
    },
    p,
  );
}
