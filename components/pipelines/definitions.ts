// Amazon States Language definitions, built by plain functions of ARNs so tests can check states, retries and
// catch wiring without an AWS account.

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly intervalSeconds: number;
  readonly backoffRate: number;
}

type State = Record<string, unknown>;

/** Lambda service hiccups: always worth retrying quickly, whatever the step. */
export const LAMBDA_TRANSIENT = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];
/** Errors that no retry can fix (bad input): fail at once. */
export const NOT_RETRYABLE = ["RangeError", "QualityGateFailed", "ExportTypeError", "InvalidRunnerEvent"];

/** The runner's error when a dataset about to be published breaks its quality rules (nothing was written). */
export const QUALITY_GATE_ERROR = "QualityGateFailed";

/** Text inside an intrinsic function's literal: States.Format treats quotes, braces and backslashes specially. */
const literal = (s: string) => s.replace(/[\\'{}]/g, (c) => `\\${c}`);

/**
 * Publishes a stopped publish to the alerts topic, naming the failing rules and the stewards (also as a message
 * attribute, so a subscription filter policy can route it to them), then fails the execution.
 */
function qualityGateStates(name: string, topicArn: string, stewards: readonly string[]): Record<string, State> {
  const who = stewards.length > 0 ? stewards.join(", ") : "the domain's steward";
  return {
    NotifyQualityGate: {
      Type: "Task",
      Resource: "arn:aws:states:::sns:publish",
      Parameters: {
        TopicArn: topicArn,
        Subject: `Quality gate stopped pipeline ${name}`.slice(0, 99),
        "Message.$": `States.Format('Pipeline ${name} published nothing: quality rules failed. For ${literal(who)}. Failing rules: {}. Execution: {}', $.error.Cause, $$.Execution.Id)`,
        MessageAttributes: {
          kind: { DataType: "String", StringValue: "quality-gate" },
          steward: { DataType: "String.Array", StringValue: JSON.stringify(stewards) },
        },
      },
      Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      Next: "QualityGateStopped",
    },
    QualityGateStopped: {
      Type: "Fail",
      Error: QUALITY_GATE_ERROR,
      Cause: `A published dataset of ${name} broke its quality rules; see the alert`,
    },
  };
}

export function retriers(policy: RetryPolicy): State[] {
  return [
    { ErrorEquals: NOT_RETRYABLE, MaxAttempts: 0 },
    { ErrorEquals: LAMBDA_TRANSIENT, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL" },
    {
      ErrorEquals: ["States.TaskFailed", "States.Timeout"],
      IntervalSeconds: policy.intervalSeconds,
      MaxAttempts: policy.maxAttempts,
      BackoffRate: policy.backoffRate,
      JitterStrategy: "FULL",
    },
  ];
}

function invoke(functionArn: string, payload: Record<string, unknown>, policy: RetryPolicy, extra: State): State {
  return {
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: functionArn, Payload: payload },
    ResultSelector: { "result.$": "$.Payload" },
    Retry: retriers(policy),
    ...extra,
  };
}

const CATCH_ALL = (next: string) => [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: next }];

/** Publishes the failure to the alerts topic, then fails the execution (so the failed-executions alarm fires too). */
function alertStates(kind: string, name: string, topicArn: string): Record<string, State> {
  return {
    NotifyFailure: {
      Type: "Task",
      Resource: "arn:aws:states:::sns:publish",
      Parameters: {
        TopicArn: topicArn,
        Subject: `${kind} ${name} failed`.slice(0, 99),
        "Message.$": `States.Format('${kind} ${name} failed. Execution: {}. Error: {}', $$.Execution.Id, States.JsonToString($.error))`,
      },
      Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      Next: "Failed",
    },
    Failed: { Type: "Fail", Error: `${kind}Failed`, Cause: `See the alert and the execution history of ${name}` },
  };
}

export interface PipelineDefinitionInput {
  readonly name: string;
  /** Loader function per object-events source, loaded in parallel first. */
  readonly loaders: readonly { readonly source: string; readonly functionArn: string }[];
  readonly loadWindowDays: number;
  /** The warehouse step runner; absent when the pipeline only loads. */
  readonly runnerArn?: string;
  readonly transform: boolean;
  readonly publish: boolean;
  readonly alertsTopicArn: string;
  /** Stewards of the datasets the publish step gates, named in a quality alert. @default [] */
  readonly stewards?: readonly string[];
  readonly retry: RetryPolicy;
  readonly timeoutSeconds: number;
}

/** raw → staging (every loader, in parallel) → marts transform → analytics publish, with retries and an alerting catch. */
export function pipelineDefinition(i: PipelineDefinitionInput): object {
  if (i.loaders.length === 0) throw new Error(`pipeline ${i.name}: at least one loader is required`);
  if ((i.transform || i.publish) && !i.runnerArn)
    throw new Error(`pipeline ${i.name}: transform/publish need the runner function`);
  const steps: [string, State][] = [];
  steps.push([
    "LoadStaging",
    {
      Type: "Parallel",
      Comment: "Catch up the recent days of every source into warehouse staging; loads are idempotent per object",
      Branches: i.loaders.map((l) => ({
        StartAt: `Load ${l.source}`,
        States: {
          [`Load ${l.source}`]: invoke(
            l.functionArn,
            { action: "load-window", "at.$": "$$.Execution.StartTime", days: i.loadWindowDays },
            i.retry,
            { End: true },
          ),
        },
      })),
      ResultPath: "$.loads",
      Catch: CATCH_ALL("NotifyFailure"),
    },
  ]);
  if (i.transform)
    steps.push([
      "Transform",
      invoke(i.runnerArn!, { step: "transform" }, i.retry, {
        ResultPath: "$.transform",
        Catch: CATCH_ALL("NotifyFailure"),
      }),
    ]);
  if (i.publish)
    steps.push([
      "Publish",
      invoke(i.runnerArn!, { step: "publish", "at.$": "$$.Execution.StartTime" }, i.retry, {
        ResultPath: "$.publish",
        Catch: [
          { ErrorEquals: [QUALITY_GATE_ERROR], ResultPath: "$.error", Next: "NotifyQualityGate" },
          ...CATCH_ALL("NotifyFailure"),
        ],
      }),
    ]);
  const states: Record<string, State> = {};
  steps.forEach(([n, s], k) => (states[n] = { ...s, Next: k + 1 < steps.length ? steps[k + 1][0] : "Done" }));
  return {
    Comment: `Pipeline ${i.name}`,
    StartAt: steps[0][0],
    TimeoutSeconds: i.timeoutSeconds,
    States: {
      ...states,
      Done: { Type: "Succeed" },
      ...alertStates("Pipeline", i.name, i.alertsTopicArn),
      ...(i.publish ? qualityGateStates(i.name, i.alertsTopicArn, i.stewards ?? []) : {}),
    },
  };
}

export interface BackfillDefinitionInput {
  readonly source: string;
  readonly loaderArn: string;
  readonly maxConcurrency: number;
  readonly alertsTopicArn: string;
  readonly retry: RetryPolicy;
}

/**
 * Backfill / initial load: input `{"from":"YYYY-MM-DD","to":"YYYY-MM-DD"}`. The loader plans the days (and refuses
 * bad ranges), then loads each day's raw objects, a few days at a time; already loaded objects are skipped.
 */
export function backfillDefinition(i: BackfillDefinitionInput): object {
  return {
    Comment: `Backfill of ${i.source}: replays raw objects into warehouse staging`,
    StartAt: "Plan",
    States: {
      Plan: invoke(i.loaderArn, { action: "plan", "from.$": "$.from", "to.$": "$.to" }, i.retry, {
        ResultSelector: { "days.$": "$.Payload.days" },
        ResultPath: "$.plan",
        Catch: CATCH_ALL("NotifyFailure"),
        Next: "LoadDays",
      }),
      LoadDays: {
        Type: "Map",
        ItemsPath: "$.plan.days",
        ItemSelector: { "day.$": "$$.Map.Item.Value" },
        MaxConcurrency: i.maxConcurrency,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "LoadDay",
          States: { LoadDay: invoke(i.loaderArn, { action: "load-day", "day.$": "$.day" }, i.retry, { End: true }) },
        },
        ResultPath: "$.days",
        Catch: CATCH_ALL("NotifyFailure"),
        Next: "Done",
      },
      Done: { Type: "Succeed" },
      ...alertStates("Backfill", i.source, i.alertsTopicArn),
    },
  };
}

/** The command a user runs to start a backfill (documented in the README). */
export function backfillCommand(stateMachineArn: string, from: string, to: string): string {
  return `aws stepfunctions start-execution --state-machine-arn ${stateMachineArn} --name backfill-${from}-${to}-$(date +%s) --input '${JSON.stringify({ from, to })}'`;
}
