import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext, Tags } from "../core/types";
import type { OperationsRefs } from "../ingestion/types";
import { backfillCommand, backfillDefinition, RetryPolicy } from "./definitions";
import { platformStateMachine } from "./orchestration";

export interface BackfillArgs {
  readonly ctx: PlatformContext;
  /** The object-events source whose loader replays raw objects. */
  readonly source: string;
  readonly loaderArn: pulumi.Input<string>;
  readonly operations: OperationsRefs;
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  /** Days loaded in parallel. @default 2 */
  readonly maxConcurrency?: number;
  /** @default 3 attempts, 10 s, backoff 2 */
  readonly retry?: RetryPolicy;
  /** @default 30 */
  readonly logRetentionDays?: number;
  readonly tags: Tags;
}

/**
 * The ad hoc path for one source (data-platform:pipelines:Backfill): a state machine started with a date range
 * that replays the source's raw objects into warehouse staging, idempotently. Start it with `command(from, to)`.
 */
export class Backfill extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;
  readonly stateMachineName: pulumi.Output<string>;

  constructor(name: string, args: BackfillArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:pipelines:Backfill", name, {}, opts);
    const retry = args.retry ?? { maxAttempts: 3, intervalSeconds: 10, backoffRate: 2 };
    const definition = pulumi.all([args.loaderArn, args.operations.alertsTopicArn]).apply(([loaderArn, topic]) =>
      backfillDefinition({
        source: args.source,
        loaderArn,
        maxConcurrency: args.maxConcurrency ?? 2,
        alertsTopicArn: topic,
        retry,
      }),
    );
    const machine = platformStateMachine(
      name,
      {
        ctx: args.ctx,
        machineName: `backfill-${args.source}`,
        definition,
        functionArns: [pulumi.output(args.loaderArn)],
        operations: args.operations,
        permissionsBoundaryArn: args.permissionsBoundaryArn,
        logRetentionDays: args.logRetentionDays ?? 30,
        tags: args.tags,
      },
      this,
    );
    this.stateMachineArn = machine.arn;
    this.stateMachineName = machine.name;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn });
  }

  /** The exact CLI command that starts a backfill of `from`..`to` (inclusive, YYYY-MM-DD). */
  command(from: string, to: string): pulumi.Output<string> {
    return this.stateMachineArn.apply((arn) => backfillCommand(arn, from, to));
  }
}
