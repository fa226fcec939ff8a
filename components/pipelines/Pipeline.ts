import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { dataTags } from "../core/tags";
import type { Classification, NetworkRefs, PlatformContext, SecurityRefs } from "../core/types";
import { PlatformFunction } from "../functions/function";
import { prefixWriteStatements, secretReadStatements } from "../functions/statements";
import { LakeRefs, OperationsRefs, WarehouseRefs, warehouseEnv, warehouseSecretArn, zoneFor } from "../ingestion/types";
import { metricsNamespace } from "../observability/metrics";
import type { PublishedDatasetSpec, ResolvedPipeline } from "./config";
import { pipelineDefinition } from "./definitions";
import { machineSchedule, platformStateMachine } from "./orchestration";

export interface PipelineArgs {
  readonly ctx: PlatformContext;
  readonly network: NetworkRefs;
  readonly security: SecurityRefs;
  readonly lake: LakeRefs;
  readonly warehouse: WarehouseRefs;
  readonly operations: OperationsRefs;
  /** The pipeline, with defaults filled (see `resolvePipeline`). */
  readonly pipeline: ResolvedPipeline;
  /** Classification of the pipeline's domain: the key for its runner and schedule DLQ. */
  readonly classification: Classification;
  /** Loader functions of the object-events sources named in `pipeline.loads`. */
  readonly loaders: readonly { readonly source: string; readonly functionArn: pulumi.Input<string> }[];
  /** The declared analytics datasets `pipeline.publish` names: their columns, quality rules and steward. @default [] */
  readonly datasets?: readonly PublishedDatasetSpec[];
}

/** The runner's packaged config: each published mart with its dataset's columns, rules and steward. */
export function runnerConfig(pl: ResolvedPipeline, root: string, datasets: readonly PublishedDatasetSpec[]) {
  return {
    pipeline: pl.name,
    domain: pl.domain,
    root,
    procedure: pl.transform?.procedure,
    datasets: pl.publish.map((x) => {
      const d = datasets.find((ds) => ds.domain === pl.domain && ds.name === x.dataset);
      if (!d) throw new Error(`pipeline ${pl.name}: publishes '${x.dataset}', which is no declared dataset`);
      return { table: x.table, dataset: x.dataset, columns: d.columns, quality: d.quality, steward: d.steward };
    }),
  };
}

/**
 * An automated pipeline (data-platform:pipelines:Pipeline): a Step Functions state machine that loads recent raw
 * objects into staging, runs the marts transform and publishes marts to the analytics zone, on a schedule, with
 * retries and backoff and a catch that alerts.
 */
export class Pipeline extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;
  readonly stateMachineName: pulumi.Output<string>;
  readonly scheduleDeadLetterQueueName: pulumi.Output<string>;
  readonly runner?: PlatformFunction;
  /** Published datasets (`<domain>.<name>`) whose quality rules gate the publish, with their steward. */
  readonly qualityGates: readonly { readonly dataset: string; readonly steward: string }[];
  /** Published datasets (`<domain>.<name>`) with a freshness expectation: alarmed when no publish comes in time. */
  readonly freshness: readonly { readonly dataset: string; readonly hours: number }[];

  constructor(name: string, args: PipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:pipelines:Pipeline", name, {}, opts);
    const { ctx, pipeline: pl, security } = args;
    const tags = dataTags(ctx, pl.domain, args.classification, {
      component: "pipelines",
      "data-platform:pipeline": pl.name,
    });
    const keyArn = security.keyArns[args.classification];
    const needsRunner = pl.transform !== undefined || pl.publish.length > 0;

    this.qualityGates = runnerConfig(pl, "", args.datasets ?? [])
      .datasets.filter((d) => d.quality.length > 0)
      .map((d) => ({ dataset: `${pl.domain}.${d.dataset}`, steward: d.steward }));
    this.freshness = pl.publish.flatMap((x) => {
      const hours = args.datasets?.find((d) => d.domain === pl.domain && d.name === x.dataset)?.freshnessHours;
      return hours === undefined ? [] : [{ dataset: `${pl.domain}.${x.dataset}`, hours }];
    });
    if (needsRunner) {
      const analytics = zoneFor(args.lake, "analytics", pl.domain);
      const prefix = `${analytics.root ?? ""}${pl.domain}/`;
      const wh = args.warehouse;
      this.runner = new PlatformFunction(
        `${name}-runner`,
        {
          ctx,
          entry: path.join(__dirname, "handlers", "runner.ts"),
          functionName: `${pl.name}-runner`,
          description: `Warehouse steps of pipeline ${pl.name}`,
          tags,
          statements: pulumi
            .all([analytics.bucketArn, analytics.keyArn, warehouseSecretArn(wh, "transformer"), wh.secretKeyArn])
            .apply(([b, k, s, sk]) => [
              ...prefixWriteStatements({ bucketArn: b, keyArn: k, prefix, region: ctx.region }),
              ...secretReadStatements(s, ctx.region, sk),
            ]),
          permissionsBoundaryArn: security.permissionsBoundaryArn,
          kmsKeyArn: args.classification === "restricted" ? security.keyArns.confidential : keyArn,
          environment: {
            ...warehouseEnv(wh, "transformer"),
            METRICS_NAMESPACE: metricsNamespace(ctx.prefix),
            ANALYTICS_BUCKET: analytics.bucketName,
            ANALYTICS_KEY_ARN: analytics.keyArn,
          },
          files: {
            "pipeline.json": JSON.stringify(runnerConfig(pl, analytics.root ?? "", args.datasets ?? [])),
          },
          timeoutSeconds: 900,
          memoryMb: 512,
          reservedConcurrency: 1,
          logRetentionDays: pl.logRetentionDays,
          vpc: {
            subnetIds: args.network.privateSubnetIds,
            securityGroupIds: [args.network.workloadSecurityGroupIds.ingestion],
          },
        },
        { parent: this },
      );
    }

    const loaderArns = args.loaders.map((l) => pulumi.output(l.functionArn));
    const functionArns = [...loaderArns, ...(this.runner ? [this.runner.functionArn] : [])];
    const definition = pulumi
      .all([pulumi.all(loaderArns), this.runner?.functionArn, args.operations.alertsTopicArn])
      .apply(([arns, runnerArn, topic]) =>
        pipelineDefinition({
          name: pl.name,
          loaders: args.loaders.map((l, k) => ({ source: l.source, functionArn: arns[k] })),
          loadWindowDays: pl.loadWindowDays,
          runnerArn,
          transform: pl.transform !== undefined,
          publish: pl.publish.length > 0,
          alertsTopicArn: topic,
          stewards: [...new Set(this.qualityGates.map((g) => g.steward))],
          retry: pl.retry,
          timeoutSeconds: pl.timeoutMinutes * 60,
        }),
      );
    const machine = platformStateMachine(
      name,
      {
        ctx,
        machineName: `pipeline-${pl.name}`,
        definition,
        functionArns,
        operations: args.operations,
        permissionsBoundaryArn: security.permissionsBoundaryArn,
        logRetentionDays: pl.logRetentionDays,
        tags,
      },
      this,
    );
    const { deadLetterQueue } = machineSchedule(
      name,
      {
        ctx,
        machine,
        expression: pl.schedule,
        timezone: pl.timezone,
        keyArn: args.operations.keyArn,
        permissionsBoundaryArn: security.permissionsBoundaryArn,
        tags,
        description: `Runs pipeline ${pl.name}`,
      },
      this,
    );

    this.stateMachineArn = machine.arn;
    this.stateMachineName = machine.name;
    this.scheduleDeadLetterQueueName = deadLetterQueue.name;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn, runner: this.runner?.functionName });
  }
}
