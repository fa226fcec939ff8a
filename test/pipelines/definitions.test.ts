import { strict as assert } from "assert";
import { backfillCommand, backfillDefinition, pipelineDefinition } from "../../components/pipelines/definitions";
import type { PlannedResource } from "../../policies/engine/args";
import type { Tree } from "../ingestion/program";
import { by, json, resourcesOf } from "../support/plan";

type State = Tree;
type Machine = { StartAt: string; TimeoutSeconds?: number; States: Record<string, State> };

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:acme-alerts";
const RETRY = { maxAttempts: 3, intervalSeconds: 10, backoffRate: 2 };
const fn = (n: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${n}`;

/** Follows Next from StartAt: the path a successful run takes. */
function happyPath(m: Machine): string[] {
  const path: string[] = [];
  for (let s: string | undefined = m.StartAt; s; s = m.States[s].Next as unknown as string | undefined) path.push(s);
  return path;
}

describe("pipelines: state machine definitions", () => {
  const def = pipelineDefinition({
    name: "sales-daily",
    loaders: [
      { source: "orders", functionArn: fn("orders-loader") },
      { source: "carts", functionArn: fn("carts-loader") },
    ],
    loadWindowDays: 2,
    runnerArn: fn("runner"),
    transform: true,
    publish: true,
    alertsTopicArn: TOPIC,
    stewards: ["minji.kim@acme.example", "o'brien{x}@acme.example"],
    retry: RETRY,
    timeoutSeconds: 3600,
  }) as Machine;

  it("loads every source in parallel, then transforms, then publishes", () => {
    assert.deepEqual(happyPath(def), ["LoadStaging", "Transform", "Publish", "Done"]);
    const branches = def.States.LoadStaging.Branches as unknown as Machine[];
    assert.deepEqual(
      branches.map((b) => b.States[b.StartAt].Parameters.FunctionName),
      [fn("orders-loader"), fn("carts-loader")],
    );
    assert.deepEqual(branches[0].States[branches[0].StartAt].Parameters.Payload, {
      action: "load-window",
      "at.$": "$$.Execution.StartTime",
      days: 2,
    });
    assert.deepEqual(
      [def.States.Transform.Parameters.Payload, def.States.Publish.Parameters.Payload.step],
      [{ step: "transform" }, "publish"],
    );
    assert.equal(def.TimeoutSeconds, 3600);
  });

  it("retries task failures with jittered backoff from config, never retries bad input, and retries Lambda hiccups apart", () => {
    const retry = def.States.Transform.Retry as unknown as State[];
    assert.deepEqual(retry[0], {
      ErrorEquals: ["RangeError", "QualityGateFailed", "ExportTypeError", "InvalidRunnerEvent"],
      MaxAttempts: 0,
    });
    assert.ok((retry[1].ErrorEquals as unknown as string[]).includes("Lambda.TooManyRequestsException"));
    assert.deepEqual(retry[2], {
      ErrorEquals: ["States.TaskFailed", "States.Timeout"],
      IntervalSeconds: 10,
      MaxAttempts: 3,
      BackoffRate: 2,
      JitterStrategy: "FULL",
    });
  });

  it("catches every failure of every step into an alert on the topic, then fails the run", () => {
    for (const step of ["LoadStaging", "Transform"])
      assert.deepEqual(
        def.States[step].Catch,
        [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "NotifyFailure" }],
        step,
      );
    const notify = def.States.NotifyFailure;
    assert.deepEqual(
      [notify.Resource, notify.Parameters.TopicArn, notify.Next],
      ["arn:aws:states:::sns:publish", TOPIC, "Failed"],
    );
    assert.match(String(notify.Parameters["Message.$"]), /\$\$\.Execution\.Id/);
    assert.equal(def.States.Failed.Type, "Fail");
  });

  it("a failed quality gate alerts the stewards with the failing rules, apart from other failures, and is never retried", () => {
    assert.deepEqual(def.States.Publish.Catch, [
      { ErrorEquals: ["QualityGateFailed"], ResultPath: "$.error", Next: "NotifyQualityGate" },
      { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "NotifyFailure" },
    ]);
    const notify = def.States.NotifyQualityGate;
    assert.deepEqual(
      [notify.Resource, notify.Parameters.TopicArn, notify.Next],
      ["arn:aws:states:::sns:publish", TOPIC, "QualityGateStopped"],
    );
    assert.equal(
      notify.Parameters["Message.$"],
      "States.Format('Pipeline sales-daily published nothing: quality rules failed. For minji.kim@acme.example, o\\'brien\\{x\\}@acme.example. Failing rules: {}. Execution: {}', $.error.Cause, $$.Execution.Id)",
    );
    assert.deepEqual(notify.Parameters.MessageAttributes.steward, {
      DataType: "String.Array",
      StringValue: JSON.stringify(["minji.kim@acme.example", "o'brien{x}@acme.example"]),
    });
    assert.deepEqual(
      [def.States.QualityGateStopped.Type, def.States.QualityGateStopped.Error],
      ["Fail", "QualityGateFailed"],
    );
    assert.equal(
      (def.States.Publish.Retry as unknown as State[]).find((r) =>
        (r.ErrorEquals as unknown as string[]).includes("QualityGateFailed"),
      )?.MaxAttempts,
      0,
    );
  });

  it("drops the steps a pipeline does not configure, and refuses a pipeline with nothing to load or no runner", () => {
    const loadOnly = pipelineDefinition({
      name: "p",
      loaders: [{ source: "o", functionArn: fn("o") }],
      loadWindowDays: 1,
      transform: false,
      publish: false,
      alertsTopicArn: TOPIC,
      retry: RETRY,
      timeoutSeconds: 60,
    }) as Machine;
    assert.deepEqual(happyPath(loadOnly), ["LoadStaging", "Done"]);
    assert.throws(
      () =>
        pipelineDefinition({
          name: "p",
          loaders: [],
          loadWindowDays: 1,
          transform: false,
          publish: false,
          alertsTopicArn: TOPIC,
          retry: RETRY,
          timeoutSeconds: 60,
        }),
      /at least one loader/,
    );
    assert.throws(
      () =>
        pipelineDefinition({
          name: "p",
          loaders: [{ source: "o", functionArn: fn("o") }],
          loadWindowDays: 1,
          transform: true,
          publish: false,
          alertsTopicArn: TOPIC,
          retry: RETRY,
          timeoutSeconds: 60,
        }),
      /runner/,
    );
  });

  it("backfills: plans the days, loads them a few at a time through the same loader, alerts on failure", () => {
    const b = backfillDefinition({
      source: "orders",
      loaderArn: fn("orders-loader"),
      maxConcurrency: 4,
      alertsTopicArn: TOPIC,
      retry: RETRY,
    }) as Machine;
    assert.deepEqual(happyPath(b), ["Plan", "LoadDays", "Done"]);
    assert.deepEqual(b.States.Plan.Parameters.Payload, { action: "plan", "from.$": "$.from", "to.$": "$.to" });
    assert.equal(b.States.LoadDays.MaxConcurrency, 4);
    const day = b.States.LoadDays.ItemProcessor.States.LoadDay;
    assert.deepEqual([day.Parameters.FunctionName, day.Parameters.Payload.action], [fn("orders-loader"), "load-day"]);
    for (const s of ["Plan", "LoadDays"]) assert.equal(b.States[s].Catch[0].Next, "NotifyFailure");
  });

  it("prints the exact start command with a unique execution name and the date range as input", () => {
    const cmd = backfillCommand(
      "arn:aws:states:eu-west-1:123456789012:stateMachine:acme-backfill-orders",
      "2024-01-01",
      "2024-01-31",
    );
    assert.equal(
      cmd,
      `aws stepfunctions start-execution --state-machine-arn arn:aws:states:eu-west-1:123456789012:stateMachine:acme-backfill-orders --name backfill-2024-01-01-2024-01-31-$(date +%s) --input '{"from":"2024-01-01","to":"2024-01-31"}'`,
    );
  });
});

describe("pipelines: in the dev stack", function () {
  this.timeout(60_000);
  let dev: PlannedResource[];
  before(async () => (dev = await resourcesOf("dev")));

  it("declares the pipeline over both loaders, a backfill per loader, and a schedule in the configured time zone", () => {
    const machines = by
      .type(dev, "aws:sfn/stateMachine:StateMachine")
      .map((m) => String(m.inputs.name))
      .sort();
    assert.deepEqual(machines, [
      "acme-data-dev-backfill-carts-loader",
      "acme-data-dev-backfill-orders-loader",
      "acme-data-dev-pipeline-sales-daily",
    ]);
    const pipeline = by
      .type(dev, "aws:sfn/stateMachine:StateMachine")
      .find((m) => m.inputs.name === "acme-data-dev-pipeline-sales-daily")!;
    const def = json<Machine>(pipeline.inputs.definition);
    const loaders = (def.States.LoadStaging.Branches as unknown as Machine[]).map(
      (b) => b.States[b.StartAt].Parameters.FunctionName,
    );
    assert.deepEqual(
      loaders,
      ["orders-loader", "carts-loader"].map((s) => fn(`acme-data-dev-${s}-loader`)),
    );
    const schedule = by
      .type(dev, "aws:scheduler/schedule:Schedule")
      .find((s) => s.inputs.name === "acme-data-dev-pipeline-sales-daily")!;
    assert.deepEqual(
      [schedule.inputs.scheduleExpression, schedule.inputs.scheduleExpressionTimezone],
      ["cron(0 3 * * ? *)", "Europe/Paris"],
    );
  });
});
