import { strict as assert } from "assert";
import type { PlannedResource } from "../../policies/engine/args";
import { ACCOUNT_ID, hex } from "../../tools/plan/mocks";
import { ANALYTICS_BUCKET, find, key, planned, RAW_BUCKET, REGION, rolePolicy, Tree, WAREHOUSE_SECRET } from "./program";

type Statement = { Sid?: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> };
const stmt = (doc: { Statement: Record<string, unknown>[] }, sid: string) => {
  const s = doc.Statement.find((x) => x.Sid === sid) as Statement | undefined;
  assert.ok(s, `statement ${sid} missing; have ${doc.Statement.map((x) => x.Sid).join(", ")}`);
  return s;
};
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
// The offline mocks auto-name like Pulumi (logical name + suffix) and give ids per service format.
const autoName = (type: string, name: string) => `${name}-${hex(type + name, 7)}`;
const mockId = (type: string, name: string) => `${type.split(":")[1].split("/")[0]}-${hex(`${type}:${name}`, 12)}`;
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`;

describe("ingestion: components under the mock engine", function () {
  this.timeout(30_000);
  let dev: PlannedResource[];
  let prod: PlannedResource[];
  before(async () => {
    [dev, prod] = await Promise.all([planned("dev"), planned("prod")]);
  });

  it("declares one component per source, a backfill per loader and the pipeline", () => {
    assert.deepEqual(find.all(dev, "data-platform:ingestion:IngestionSource").map((r) => r.name).sort(), ["carts", "crm-contacts", "orders-api", "orders-loader", "payments", "web-events"].map((s) => `acme-ingestion-${s}`));
    assert.equal(find.all(dev, "data-platform:pipelines:Backfill").length, 1);
    assert.equal(find.all(dev, "data-platform:pipelines:Pipeline").length, 1);
    assert.deepEqual(find.all(dev, "aws:sfn/stateMachine:StateMachine").map((r) => r.inputs.name).sort(), ["acme-dev-backfill-orders-loader", "acme-dev-pipeline-sales-daily"]);
  });

  it("http: IAM-authenticated route → function, with access logs and per-route throttling from the profile", () => {
    const route = find.one(dev, "aws:apigatewayv2/route:Route", "acme-ingestion-orders-api-records");
    assert.equal(route.inputs.authorizationType, "AWS_IAM");
    assert.equal(route.inputs.routeKey, "POST /records");
    const integration = find.one(dev, "aws:apigatewayv2/integration:Integration", "acme-ingestion-orders-api-api");
    assert.equal(integration.inputs.integrationUri, fnArn("acme-dev-orders-api-http"));
    assert.equal(route.inputs.target, `integrations/${mockId("aws:apigatewayv2/integration:Integration", "acme-ingestion-orders-api-api")}`);
    const stage = find.one(dev, "aws:apigatewayv2/stage:Stage", "acme-ingestion-orders-api-stage").inputs as unknown as Tree;
    const accessLogs = find.one(dev, "aws:cloudwatch/logGroup:LogGroup", "acme-ingestion-orders-api-api-access").inputs;
    assert.equal(stage.accessLogSettings.destinationArn, `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${accessLogs.name}`);
    assert.deepEqual([stage.defaultRouteSettings.throttlingRateLimit, stage.defaultRouteSettings.throttlingBurstLimit], [10, 20], "dev profile throttle");
    assert.equal(stage.routeSettings[0].routeKey, "POST /records");
    const permission = find.one(dev, "aws:lambda/permission:Permission", "acme-ingestion-orders-api-api").inputs;
    assert.equal(permission.principal, "apigateway.amazonaws.com");
    assert.match(String(permission.sourceArn), new RegExp(`^arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:[0-9a-f]+/\\*/POST/records$`));
  });

  it("http with JWT: the route uses the authorizer configured with issuer and audiences", () => {
    const auth = find.one(dev, "aws:apigatewayv2/authorizer:Authorizer", "acme-ingestion-web-events-jwt").inputs as unknown as Tree;
    assert.deepEqual(auth.jwtConfiguration, { issuer: "https://id.acme.example", audiences: ["ingest"] });
    const route = find.one(dev, "aws:apigatewayv2/route:Route", "acme-ingestion-web-events-records").inputs;
    assert.equal(route.authorizationType, "JWT");
    assert.equal(route.authorizerId, mockId("aws:apigatewayv2/authorizer:Authorizer", "acme-ingestion-web-events-jwt"));
    const stage = find.one(dev, "aws:apigatewayv2/stage:Stage", "acme-ingestion-web-events-stage").inputs as unknown as Tree;
    assert.equal(stage.defaultRouteSettings.throttlingRateLimit, 5, "explicit throttle wins over the profile");
  });

  it("queue: encrypted queue with redrive to its DLQ, polled with partial batch failures, visibility 6x the timeout", () => {
    const queue = find.one(dev, "aws:sqs/queue:Queue", "acme-ingestion-payments-queue").inputs;
    const redrive = JSON.parse(queue.redrivePolicy as string);
    assert.deepEqual(redrive, { deadLetterTargetArn: queueArn("acme-dev-payments-dlq"), maxReceiveCount: 3 });
    assert.equal(queue.visibilityTimeoutSeconds, 360);
    assert.equal(queue.kmsMasterKeyId, key("confidential"));
    const mapping = find.one(dev, "aws:lambda/eventSourceMapping:EventSourceMapping", "acme-ingestion-payments-mapping").inputs as unknown as Tree;
    assert.equal(mapping.eventSourceArn, queueArn("acme-dev-payments-queue"));
    assert.deepEqual(mapping.functionResponseTypes, ["ReportBatchItemFailures"]);
    const fn = find.one(dev, "aws:lambda/function:Function", "acme-ingestion-payments-fn-fn").inputs as unknown as Tree;
    assert.equal(fn.deadLetterConfig.targetArn, redrive.deadLetterTargetArn, "async failures land in the same DLQ");
    const consume = stmt(rolePolicy(dev, "acme-ingestion-payments-fn-role"), "ConsumeQueue");
    assert.equal(consume.Resource, mapping.eventSourceArn);
  });

  it("schedule: Scheduler invokes the pull with the scheduled time, retries, and dead-letters to the function's DLQ", () => {
    const schedule = find.one(dev, "aws:scheduler/schedule:Schedule", "acme-ingestion-crm-contacts-schedule").inputs as unknown as Tree;
    assert.equal(schedule.scheduleExpression, "rate(15 minutes)");
    assert.equal(schedule.target.arn, fnArn("acme-dev-crm-contacts-pull"));
    assert.deepEqual(JSON.parse(String(schedule.target.input)), { scheduledTime: "<aws.scheduler.scheduled-time>" });
    const fn = find.one(dev, "aws:lambda/function:Function", "acme-ingestion-crm-contacts-fn-fn").inputs as unknown as Tree;
    assert.equal(schedule.target.deadLetterConfig.arn, fn.deadLetterConfig.targetArn);
    assert.equal(fn.reservedConcurrentExecutions, 1, "one pull at a time");
    assert.equal(fn.environment.variables.CREDENTIALS_SECRET_ARN, `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:crm-api-XyZ123`);
    assert.equal(schedule.target.roleArn, `arn:aws:iam::${ACCOUNT_ID}:role/acme-dev/${autoName("aws:iam/role:Role", "acme-ingestion-crm-contacts-scheduler")}`);
    assert.deepEqual(stmt(rolePolicy(dev, "acme-ingestion-crm-contacts-scheduler"), "InvokePull").Resource, fnArn("acme-dev-crm-contacts-pull"));
    assert.deepEqual(stmt(rolePolicy(dev, "acme-ingestion-crm-contacts-fn-role"), "Secret").Resource, `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:crm-api-XyZ123`);
  });

  it("db-events: CMK-encrypted table with a stream; bisecting mapping with an on-failure queue; PITR and protection in prod only", () => {
    const devTable = find.one(dev, "aws:dynamodb/table:Table", "acme-ingestion-carts-table");
    const prodTable = find.one(prod, "aws:dynamodb/table:Table", "acme-ingestion-carts-table");
    const t = devTable.inputs as unknown as Tree;
    assert.deepEqual([t.streamEnabled, t.streamViewType], [true, "NEW_AND_OLD_IMAGES"]);
    assert.deepEqual(t.serverSideEncryption, { enabled: true, kmsKeyArn: key("confidential") });
    assert.equal(t.pointInTimeRecovery.enabled, false);
    assert.equal((prodTable.inputs as unknown as Tree).pointInTimeRecovery.enabled, true);
    assert.equal(prodTable.inputs.deletionProtectionEnabled, true);
    assert.deepEqual([prodTable.protect, prodTable.retainOnDelete, devTable.protect], [true, true, false]);
    const mapping = find.one(dev, "aws:lambda/eventSourceMapping:EventSourceMapping", "acme-ingestion-carts-mapping").inputs as unknown as Tree;
    assert.equal(mapping.bisectBatchOnFunctionError, true);
    assert.equal(mapping.startingPosition, "TRIM_HORIZON");
    assert.equal(mapping.destinationConfig.onFailure.destinationArn, queueArn("acme-dev-carts-failures"));
    assert.match(String(mapping.eventSourceArn), /table\/acme-dev-carts\/stream\//);
    assert.equal(stmt(rolePolicy(dev, "acme-ingestion-carts-fn-role"), "ReadStream").Resource, `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/acme-dev-carts/stream/*`);
  });

  it("object-events: the raw bucket emits to EventBridge; a rule on the upstream's prefix invokes the loader in the VPC", () => {
    const notification = find.all(dev, "aws:s3/bucketNotification:BucketNotification");
    assert.deepEqual(notification.map((n) => [n.inputs.bucket, n.inputs.eventbridge]), [[RAW_BUCKET, true]]);
    const rule = find.one(dev, "aws:cloudwatch/eventRule:EventRule", "acme-ingestion-orders-loader-objects");
    assert.deepEqual(JSON.parse(rule.inputs.eventPattern as string).detail, { bucket: { name: [RAW_BUCKET] }, object: { key: [{ prefix: "sales/source=orders-api/dt=" }] } });
    const target = find.one(dev, "aws:cloudwatch/eventTarget:EventTarget", "acme-ingestion-orders-loader-objects").inputs;
    assert.equal(target.arn, fnArn("acme-dev-orders-loader-loader"));
    const fn = find.one(dev, "aws:lambda/function:Function", "acme-ingestion-orders-loader-fn-fn").inputs as unknown as Tree;
    assert.deepEqual(fn.vpcConfig, { subnetIds: ["subnet-0a", "subnet-0b"], securityGroupIds: ["sg-ingestion"] });
    assert.equal(fn.environment.variables.WAREHOUSE_SECRET_ARN, WAREHOUSE_SECRET);
    assert.equal(fn.environment.variables.WAREHOUSE_ENGINE, "redshift");
    assert.ok(!Object.values(fn.environment.variables).some((v) => String(v).includes("password")));
    const read = stmt(rolePolicy(dev, "acme-ingestion-orders-loader-fn-role"), "ReadObjects");
    assert.equal(read.Resource, `arn:aws:s3:::${RAW_BUCKET}/sales/source=orders-api/*`);
  });

  it("every function: arm64, recent Node, tracing, bundle hash, JSON logs to its own log group, under the boundary", () => {
    const fns = find.all(prod, "aws:lambda/function:Function");
    assert.equal(fns.length, 7);
    for (const f of fns) {
      const i = f.inputs as unknown as Tree;
      assert.deepEqual(i.architectures, ["arm64"], f.name);
      assert.equal(i.runtime, "nodejs22.x");
      assert.equal(i.tracingConfig.mode, "Active");
      assert.match(String(i.sourceCodeHash), /^[A-Za-z0-9+/]{43}=$/);
      assert.equal(i.loggingConfig.logFormat, "JSON");
      const group = find.all(prod, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === i.loggingConfig.logGroup);
      assert.equal(group?.inputs.retentionInDays, 365, `${f.name}: prod keeps logs a year`);
    }
    for (const r of find.all(prod, "aws:iam/role:Role")) assert.match(String(r.inputs.permissionsBoundary), /permissions-boundary$/);
  });

  it("pipeline: loads, transforms and publishes with the configured functions; alerts on failure; scheduled in its time zone", () => {
    const machine = find.all(dev, "aws:sfn/stateMachine:StateMachine").find((m) => m.inputs.name === "acme-dev-pipeline-sales-daily")!;
    const def = JSON.parse(machine.inputs.definition as string);
    assert.deepEqual(Object.keys(def.States), ["LoadStaging", "Transform", "Publish", "Done", "NotifyFailure", "Failed"]);
    assert.equal(def.States.LoadStaging.Branches[0].States["Load orders-loader"].Parameters.FunctionName, fnArn("acme-dev-orders-loader-loader"));
    assert.equal(def.States.Transform.Parameters.FunctionName, fnArn("acme-dev-sales-daily-runner"));
    assert.equal(def.States.NotifyFailure.Parameters.TopicArn, `arn:aws:sns:${REGION}:${ACCOUNT_ID}:acme-dev-alerts`);
    const schedule = find.all(dev, "aws:scheduler/schedule:Schedule").find((s) => (s.inputs.target as { arn: string }).arn === `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:acme-dev-pipeline-sales-daily`);
    assert.ok(schedule, "a schedule starts the pipeline");
    assert.equal(schedule!.inputs.scheduleExpressionTimezone, "Europe/Paris");
    const invoke = stmt(rolePolicy(dev, "acme-ingestion-sales-daily-pipeline-role"), "InvokeSteps");
    assert.deepEqual((invoke.Resource as string[]).filter((r) => !r.endsWith(":*")).sort(), [fnArn("acme-dev-orders-loader-loader"), fnArn("acme-dev-sales-daily-runner")]);
    const publish = stmt(rolePolicy(dev, "acme-ingestion-sales-daily-pipeline-runner-role"), "PublishObjects");
    assert.equal(publish.Resource, `arn:aws:s3:::${ANALYTICS_BUCKET}/sales/*`);
    const runner = find.one(dev, "aws:lambda/function:Function", "acme-ingestion-sales-daily-pipeline-runner-fn").inputs as unknown as Tree;
    assert.equal(runner.environment.variables.ANALYTICS_BUCKET, ANALYTICS_BUCKET);
  });

  it("puts the governance tags on every taggable resource and data tags on tables and queues", () => {
    const tagged = dev.filter((r) => r.custom && r.inputs.tags !== undefined);
    assert.ok(tagged.length > 40);
    for (const r of tagged) {
      const tags = r.inputs.tags as Record<string, string>;
      for (const k of ["environment", "owner", "cost-center", "managed-by"]) assert.ok(tags[k], `${r.type} ${r.name} lacks ${k}`);
    }
    for (const r of [...find.all(dev, "aws:dynamodb/table:Table"), ...find.all(dev, "aws:sqs/queue:Queue").filter((q) => !q.name.includes("schedule"))]) {
      const tags = r.inputs.tags as Record<string, string>;
      assert.ok(tags["data-domain"] && tags["data-classification"], `${r.name} lacks data tags`);
    }
    // Types that accept tags but were declared without them would escape the governance rules.
    const untaggedTaggable = dev.filter((r) => r.custom && r.inputs.tags === undefined && ["aws:lambda/function:Function", "aws:sqs/queue:Queue", "aws:sns/topic:Topic", "aws:dynamodb/table:Table", "aws:sfn/stateMachine:StateMachine", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:apigatewayv2/api:Api", "aws:apigatewayv2/stage:Stage", "aws:cloudwatch/eventRule:EventRule", "aws:lambda/eventSourceMapping:EventSourceMapping", "aws:kms/key:Key", "aws:iam/role:Role", "aws:cloudwatch/logGroup:LogGroup"].includes(r.type));
    assert.deepEqual(untaggedTaggable.map((r) => r.name), []);
  });
});
