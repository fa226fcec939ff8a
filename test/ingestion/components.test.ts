import { strict as assert } from "assert";
import type { PlannedResource } from "../../policies/engine/args";
import { TAGGABLE_TYPES } from "../../policies/rules/governance";
import { ACCOUNT_ID, hex } from "../../tools/plan/mocks";
import { resourcesOf } from "../support/plan";
import { find, inputsOf, keyArn, REGION, rolePolicy, secretArn, Tree } from "./program";

// The ingestion, pipelines and monitoring of the committed stacks, as DataPlatform wires them from the stack files.

type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};
const stmt = (doc: { Statement: Record<string, unknown>[] }, sid: string) => {
  const s = doc.Statement.find((x) => x.Sid === sid) as Statement | undefined;
  assert.ok(s, `statement ${sid} missing; have ${doc.Statement.map((x) => x.Sid).join(", ")}`);
  return s;
};
const C = "acme-data-ingestion";
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`;
// The offline mocks auto-name like Pulumi (logical name + suffix) and give ids per service format.
const autoName = (type: string, name: string) => `${name}-${hex(type + name, 7)}`;
const mockId = (type: string, name: string) => `${type.split(":")[1].split("/")[0]}-${hex(`${type}:${name}`, 12)}`;
const RAW = `acme-data-dev-raw-${ACCOUNT_ID}`;
const FN = "aws:lambda/function:Function";

describe("ingestion: components in the committed stacks", function () {
  this.timeout(60_000);
  let dev: PlannedResource[];
  let prod: PlannedResource[];
  before(async () => {
    dev = await resourcesOf("dev");
    prod = await resourcesOf("prod");
  });

  it("declares one component per source, a backfill per loader and the pipeline", () => {
    assert.deepEqual(
      find
        .all(dev, "data-platform:ingestion:IngestionSource")
        .map((r) => r.name)
        .sort(),
      ["carts", "carts-loader", "crm-contacts", "orders-api", "orders-loader", "payments", "web-events"].map(
        (s) => `${C}-${s}`,
      ),
    );
    assert.equal(find.all(dev, "data-platform:pipelines:Backfill").length, 2);
    assert.equal(find.all(dev, "data-platform:pipelines:Pipeline").length, 1);
  });

  it("http: IAM-authenticated route → function, with access logs and per-route throttling from the profile", () => {
    const route = inputsOf(dev, "aws:apigatewayv2/route:Route", `${C}-orders-api-records`);
    assert.deepEqual([route.authorizationType, route.routeKey], ["AWS_IAM", "POST /records"]);
    assert.equal(
      inputsOf(dev, "aws:apigatewayv2/integration:Integration", `${C}-orders-api-api`).integrationUri,
      fnArn("acme-data-dev-orders-api-http"),
    );
    assert.equal(
      route.target,
      `integrations/${mockId("aws:apigatewayv2/integration:Integration", `${C}-orders-api-api`)}`,
    );
    const stage = inputsOf(dev, "aws:apigatewayv2/stage:Stage", `${C}-orders-api-stage`);
    const accessLogs = inputsOf(dev, "aws:cloudwatch/logGroup:LogGroup", `${C}-orders-api-api-access`);
    assert.equal(
      stage.accessLogSettings.destinationArn,
      `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${accessLogs.name}`,
    );
    assert.deepEqual(
      [stage.defaultRouteSettings.throttlingRateLimit, stage.defaultRouteSettings.throttlingBurstLimit],
      [10, 20],
      "dev profile throttle",
    );
    assert.equal(
      inputsOf(prod, "aws:apigatewayv2/stage:Stage", `${C}-orders-api-stage`).defaultRouteSettings.throttlingRateLimit,
      200,
      "prod profile throttle",
    );
    const permission = inputsOf(dev, "aws:lambda/permission:Permission", `${C}-orders-api-api`);
    assert.equal(permission.principal, "apigateway.amazonaws.com");
    assert.match(
      String(permission.sourceArn),
      new RegExp(`^arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:[0-9a-f-]+/\\*/POST/records$`),
    );
  });

  it("http publishing to Kafka: runs in the VPC and may produce to its own topic only", () => {
    const fn = inputsOf(dev, FN, `${C}-orders-api-fn-fn`);
    assert.ok(fn.vpcConfig, "MSK is reachable from the private subnets only");
    assert.match(String(fn.environment.variables.KAFKA_BROKERS), /:9098/);
    const resources = rolePolicy(dev, `${C}-orders-api-fn-role`).Statement.flatMap((s) =>
      [s.Resource as string | string[]].flat(),
    );
    assert.ok(
      resources.some((r) => /:topic\/.+\/sales\.orders$/.test(r)),
      JSON.stringify(resources),
    );
    assert.ok(!resources.some((r) => /clickstream/.test(r)), "not another domain's topic");
  });

  it("http with JWT: the route uses the authorizer configured with issuer and audiences; an explicit throttle wins", () => {
    const auth = inputsOf(dev, "aws:apigatewayv2/authorizer:Authorizer", `${C}-web-events-jwt`);
    assert.deepEqual(auth.jwtConfiguration, { issuer: "https://id.acme.example", audiences: ["ingest"] });
    const route = inputsOf(dev, "aws:apigatewayv2/route:Route", `${C}-web-events-records`);
    assert.deepEqual(
      [route.authorizationType, route.authorizerId],
      ["JWT", mockId("aws:apigatewayv2/authorizer:Authorizer", `${C}-web-events-jwt`)],
    );
    assert.equal(
      inputsOf(dev, "aws:apigatewayv2/stage:Stage", `${C}-web-events-stage`).defaultRouteSettings.throttlingRateLimit,
      5,
    );
  });

  it("queue: encrypted queue with redrive to its DLQ, polled with partial batch failures, visibility 6x the timeout", () => {
    const queue = inputsOf(dev, "aws:sqs/queue:Queue", `${C}-payments-queue`);
    const redrive = JSON.parse(String(queue.redrivePolicy));
    assert.deepEqual(redrive, { deadLetterTargetArn: queueArn("acme-data-dev-payments-dlq"), maxReceiveCount: 5 });
    assert.equal(queue.visibilityTimeoutSeconds, 360);
    assert.equal(queue.kmsMasterKeyId, keyArn(dev, "confidential"));
    const mapping = inputsOf(dev, "aws:lambda/eventSourceMapping:EventSourceMapping", `${C}-payments-mapping`);
    assert.equal(mapping.eventSourceArn, queueArn("acme-data-dev-payments-queue"));
    assert.deepEqual(mapping.functionResponseTypes, ["ReportBatchItemFailures"]);
    assert.equal(
      inputsOf(dev, FN, `${C}-payments-fn-fn`).deadLetterConfig.targetArn,
      redrive.deadLetterTargetArn,
      "async failures land in the same DLQ",
    );
    assert.equal(stmt(rolePolicy(dev, `${C}-payments-fn-role`), "ConsumeQueue").Resource, mapping.eventSourceArn);
  });

  it("schedule: Scheduler invokes the pull with the scheduled time, retries, and dead-letters to the function's DLQ", () => {
    const schedule = inputsOf(dev, "aws:scheduler/schedule:Schedule", `${C}-crm-contacts-schedule`);
    assert.equal(schedule.scheduleExpression, "rate(1 hour)");
    assert.equal(schedule.target.arn, fnArn("acme-data-dev-crm-contacts-pull"));
    assert.deepEqual(JSON.parse(String(schedule.target.input)), { scheduledTime: "<aws.scheduler.scheduled-time>" });
    const fn = inputsOf(dev, FN, `${C}-crm-contacts-fn-fn`);
    assert.equal(schedule.target.deadLetterConfig.arn, fn.deadLetterConfig.targetArn);
    assert.equal(fn.reservedConcurrentExecutions, 1, "one pull at a time");
    const secret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:acme-data-dev/crm-api-Ab12Cd`;
    assert.equal(fn.environment.variables.CREDENTIALS_SECRET_ARN, secret);
    assert.equal(
      schedule.target.roleArn,
      `arn:aws:iam::${ACCOUNT_ID}:role/acme-data-dev/${autoName("aws:iam/role:Role", `${C}-crm-contacts-scheduler`)}`,
    );
    assert.deepEqual(
      stmt(rolePolicy(dev, `${C}-crm-contacts-scheduler`), "InvokePull").Resource,
      fnArn("acme-data-dev-crm-contacts-pull"),
    );
    assert.deepEqual(stmt(rolePolicy(dev, `${C}-crm-contacts-fn-role`), "Secret").Resource, secret);
  });

  it("db-events: CMK-encrypted table with a stream; bisecting mapping with an on-failure queue; PITR and protection in prod only", () => {
    const devTable = find.one(dev, "aws:dynamodb/table:Table", `${C}-carts-table`);
    const prodTable = find.one(prod, "aws:dynamodb/table:Table", `${C}-carts-table`);
    const t = devTable.inputs as unknown as Tree;
    assert.deepEqual([t.streamEnabled, t.streamViewType], [true, "NEW_AND_OLD_IMAGES"]);
    assert.deepEqual(t.serverSideEncryption, { enabled: true, kmsKeyArn: keyArn(dev, "confidential") });
    assert.equal(t.pointInTimeRecovery.enabled, false);
    assert.equal((prodTable.inputs as unknown as Tree).pointInTimeRecovery.enabled, true);
    assert.equal(prodTable.inputs.deletionProtectionEnabled, true);
    assert.deepEqual([prodTable.protect, prodTable.retainOnDelete, devTable.protect], [true, true, false]);
    const mapping = inputsOf(dev, "aws:lambda/eventSourceMapping:EventSourceMapping", `${C}-carts-mapping`);
    assert.deepEqual([mapping.bisectBatchOnFunctionError, mapping.startingPosition], [true, "TRIM_HORIZON"]);
    assert.equal(mapping.destinationConfig.onFailure.destinationArn, queueArn("acme-data-dev-carts-failures"));
    assert.match(String(mapping.eventSourceArn), /table\/acme-data-dev-carts\/stream\//);
    assert.equal(
      stmt(rolePolicy(dev, `${C}-carts-fn-role`), "ReadStream").Resource,
      `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/acme-data-dev-carts/stream/*`,
    );
  });

  it("object-events: raw events reach EventBridge; a rule on the upstream's prefix invokes the loader, which signs in as the loader login", () => {
    assert.deepEqual(
      find.all(dev, "aws:s3/bucketNotification:BucketNotification").map((n) => [n.inputs.bucket, n.inputs.eventbridge]),
      [[RAW, true]],
    );
    const rule = inputsOf(dev, "aws:cloudwatch/eventRule:EventRule", `${C}-orders-loader-objects`);
    assert.deepEqual(JSON.parse(String(rule.eventPattern)).detail, {
      bucket: { name: [RAW] },
      object: { key: [{ prefix: "sales/source=orders-api/dt=" }] },
    });
    assert.equal(
      inputsOf(dev, "aws:cloudwatch/eventTarget:EventTarget", `${C}-orders-loader-objects`).arn,
      fnArn("acme-data-dev-orders-loader-loader"),
    );
    const read = stmt(rolePolicy(dev, `${C}-orders-loader-fn-role`), "ReadObjects");
    assert.equal(read.Resource, `arn:aws:s3:::${RAW}/sales/source=orders-api/*`);
    for (const [rs, engine] of [
      [dev, "postgres"],
      [prod, "redshift"],
    ] as const) {
      const env = inputsOf(rs, FN, `${C}-orders-loader-fn-fn`).environment.variables;
      const login = secretArn(rs, "acme-data-warehouse-login-ingestion_loader");
      assert.deepEqual(
        [env.WAREHOUSE_ENGINE, env.WAREHOUSE_SECRET_ARN, env.WAREHOUSE_GROUP],
        [engine, login, "loader"],
      );
      assert.equal(
        stmt(rolePolicy(rs, `${C}-orders-loader-fn-role`), "Secret").Resource,
        login,
        "its own login, never the admin's",
      );
    }
  });

  it("functions that reach the warehouse run as the workload security group the warehouse admits", () => {
    const loader = inputsOf(dev, FN, `${C}-orders-loader-fn-fn`);
    const sg = find
      .all(dev, "aws:ec2/securityGroup:SecurityGroup")
      .find((g) => String(g.inputs.description).includes("database port"))!;
    const admitted = (sg.inputs.ingress as { securityGroups: string[]; description: string }[]).find(
      (r) => r.description === "ingestion workloads",
    )!.securityGroups;
    assert.deepEqual(loader.vpcConfig.securityGroupIds, admitted);
    assert.deepEqual(inputsOf(dev, FN, `${C}-sales-daily-pipeline-runner-fn`).vpcConfig.securityGroupIds, admitted);
  });

  it("every function: arm64, recent Node, tracing, bundle hash, JSON logs to its own log group kept a year in prod, under the boundary", () => {
    const fns = find.all(prod, FN).filter((f) => f.name.startsWith(C));
    assert.equal(fns.length, 8, "seven sources and the pipeline runner");
    for (const f of fns) {
      const i = f.inputs as unknown as Tree;
      assert.deepEqual(
        [i.architectures, i.runtime, i.tracingConfig.mode, i.loggingConfig.logFormat],
        [["arm64"], "nodejs22.x", "Active", "JSON"],
        f.name,
      );
      assert.match(String(i.sourceCodeHash), /^[A-Za-z0-9+/]{43}=$/);
      const group = find
        .all(prod, "aws:cloudwatch/logGroup:LogGroup")
        .find((g) => g.inputs.name === i.loggingConfig.logGroup);
      assert.equal(group?.inputs.retentionInDays, 365, `${f.name}: prod keeps logs a year`);
    }
    for (const r of find.all(prod, "aws:iam/role:Role"))
      assert.match(String(r.inputs.permissionsBoundary), /permissions-boundary$/);
  });

  it("pipeline: loads, transforms and publishes with the configured functions and logins; alerts on failure", () => {
    const machine = find
      .all(dev, "aws:sfn/stateMachine:StateMachine")
      .find((m) => m.inputs.name === "acme-data-dev-pipeline-sales-daily")!;
    const def = JSON.parse(machine.inputs.definition as string);
    assert.deepEqual(Object.keys(def.States), [
      "LoadStaging",
      "Transform",
      "Publish",
      "Done",
      "NotifyFailure",
      "Failed",
      "NotifyQualityGate",
      "QualityGateStopped",
    ]);
    assert.equal(def.States.Transform.Parameters.FunctionName, fnArn("acme-data-dev-sales-daily-runner"));
    assert.equal(
      def.States.NotifyFailure.Parameters.TopicArn,
      `arn:aws:sns:${REGION}:${ACCOUNT_ID}:acme-data-dev-alerts`,
    );
    const invoke = stmt(rolePolicy(dev, `${C}-sales-daily-pipeline-role`), "InvokeSteps");
    assert.deepEqual(
      (invoke.Resource as string[]).filter((r) => !r.endsWith(":*")).sort(),
      ["carts-loader-loader", "orders-loader-loader", "sales-daily-runner"].map((f) => fnArn(`acme-data-dev-${f}`)),
    );
    assert.equal(
      stmt(rolePolicy(dev, `${C}-sales-daily-pipeline-runner-role`), "PublishObjects").Resource,
      `arn:aws:s3:::acme-data-dev-analytics-${ACCOUNT_ID}/sales/*`,
    );
    const env = inputsOf(dev, FN, `${C}-sales-daily-pipeline-runner-fn`).environment.variables;
    assert.deepEqual(
      [env.WAREHOUSE_SECRET_ARN, env.WAREHOUSE_GROUP],
      [secretArn(dev, "acme-data-warehouse-login-pipeline_runner"), "transformer"],
    );
  });

  it("puts the governance tags on every taggable resource and data tags on tables and source queues", () => {
    const ours = dev.filter(
      (r) =>
        r.custom &&
        /data-platform:(ingestion|pipelines|observability|functions)/.test(r.urn) &&
        !r.urn.includes("data-platform:warehouse"),
    );
    assert.ok(ours.length > 100);
    for (const r of ours.filter((x) => TAGGABLE_TYPES.includes(x.type))) {
      const tags = (r.inputs.tags ?? {}) as Record<string, string>;
      for (const k of ["environment", "owner", "cost-center", "managed-by"])
        assert.ok(tags[k], `${r.type} ${r.name} lacks ${k}`);
    }
    for (const r of [
      ...find.all(ours, "aws:dynamodb/table:Table"),
      ...find.all(ours, "aws:sqs/queue:Queue").filter((q) => !q.name.includes("schedule")),
    ]) {
      const tags = r.inputs.tags as Record<string, string>;
      assert.ok(tags["data-domain"] && tags["data-classification"], `${r.name} lacks data tags`);
    }
  });
});
