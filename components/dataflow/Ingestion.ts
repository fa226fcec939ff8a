import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dataTags } from "../core/tags";
import type { Classification, NetworkRefs, PlatformContext, SecurityRefs } from "../core/types";
import type { MonitoringTargets } from "../observability/alarms";
import { Backfill } from "../pipelines/Backfill";
import type { PublishedDatasetSpec } from "../pipelines/config";
import { Pipeline } from "../pipelines/Pipeline";
import { INGESTION_PROFILES } from "../ingestion/config";
import { IngestionSource } from "../ingestion/IngestionSource";
import type { ResolvedIngestion } from "./section";
import { KafkaRefs, LakeRefs, LakeZoneRef, OperationsRefs, WarehouseRefs, zoneFor } from "../ingestion/types";

export interface IngestionArgs {
  readonly ctx: PlatformContext;
  readonly network: NetworkRefs;
  readonly security: SecurityRefs;
  readonly lake: LakeRefs;
  /** Sources and pipelines with defaults filled (`resolveIngestion`), already validated (`validateIngestion`). */
  readonly config: Pick<ResolvedIngestion, "sources" | "pipelines">;
  /** Domains, for the classification of each pipeline. */
  readonly domains: readonly { readonly name: string; readonly classification: Classification }[];
  /** The alerts topic and operations key, from Monitoring. Needed by object-events sources (their backfill) and pipelines. @default none */
  readonly operations?: OperationsRefs;
  /** Needed by object-events sources and pipelines. @default none */
  readonly warehouse?: WarehouseRefs;
  /** Needed by http sources that publish to Kafka. @default none */
  readonly kafka?: KafkaRefs;
  /** @default the profile's: dev 7, staging 30, prod 365 */
  readonly logRetentionDays?: number;
  /** Declared analytics datasets: the pipelines publish them, gated by their quality rules. @default [] */
  readonly datasets?: readonly PublishedDatasetSpec[];
}

/** Backfills and pipelines report to the operations topic: a program that declares them must pass Monitoring's. */
function needOperations(operations: OperationsRefs | undefined, what: string): OperationsRefs {
  if (!operations)
    throw new pulumi.RunError(`Ingestion: ${what} needs \`operations\` (Monitoring's alerts topic and key)`);
  return operations;
}

/**
 * Every source, backfill and pipeline of one environment (data-platform:ingestion:Ingestion), plus what they
 * share: the idempotency table and object-created events from the raw buckets. `targets` is what Monitoring watches.
 */
export class Ingestion extends pulumi.ComponentResource {
  readonly sources: Record<string, IngestionSource> = {};
  readonly backfills: Record<string, Backfill> = {};
  readonly pipelines: Record<string, Pipeline> = {};
  readonly idempotencyTable: aws.dynamodb.Table;
  readonly targets: MonitoringTargets;
  /** http source → URL to POST records to. */
  readonly endpoints: Record<string, pulumi.Output<string>> = {};
  /** object-events source → state machine that backfills it. */
  readonly backfillStateMachines: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: IngestionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:ingestion:Ingestion", name, {}, opts);
    const { ctx, security, config } = args;
    const p = { parent: this };
    const profile = INGESTION_PROFILES[ctx.environment];
    const logRetentionDays = args.logRetentionDays ?? profile.logRetentionDays;

    // Shared by every function's Powertools idempotency; each function may touch only keys prefixed with its name.
    this.idempotencyTable = new aws.dynamodb.Table(
      `${name}-idempotency`,
      {
        name: `${ctx.prefix}-idempotency`,
        billingMode: "PAY_PER_REQUEST",
        hashKey: "id",
        attributes: [{ name: "id", type: "S" }],
        ttl: { attributeName: "expiration", enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: security.keyArns.confidential },
        pointInTimeRecovery: { enabled: profile.pointInTimeRecovery },
        // Items expire, the table must not: losing it mid-run would re-deliver every record in flight.
        deletionProtectionEnabled: ctx.protect,
        tags: dataTags(ctx, "shared", "confidential", {
          component: "ingestion",
          "data-platform:purpose": "idempotency",
        }),
      },
      p,
    );
    const idempotency = {
      tableName: this.idempotencyTable.name,
      tableArn: this.idempotencyTable.arn,
      keyArn: security.keyArns.confidential,
    };

    const byName = new Map(config.sources.map((s) => [s.name, s]));
    // Sources that land raw data first, then the loaders that read it.
    const ordered = [...config.sources].sort(
      (a, b) => Number(a.kind === "object-events") - Number(b.kind === "object-events"),
    );
    const eventBuckets = new Set<LakeZoneRef>();
    for (const src of ordered) {
      const upstream = src.kind === "object-events" ? byName.get(src.from) : undefined;
      const s = new IngestionSource(
        `${name}-${src.name}`,
        {
          ctx,
          network: args.network,
          security,
          lake: args.lake,
          source: src,
          upstream,
          idempotency,
          warehouse: args.warehouse,
          kafka: args.kafka,
          logRetentionDays,
        },
        p,
      );
      this.sources[src.name] = s;
      if (s.endpoint) this.endpoints[src.name] = s.endpoint;
      if (src.kind === "object-events" && upstream) {
        eventBuckets.add(zoneFor(args.lake, "raw", upstream.domain));
        const b = new Backfill(
          `${name}-${src.name}-backfill`,
          {
            ctx,
            source: src.name,
            loaderArn: s.fn.functionArn,
            operations: needOperations(args.operations, `source ${src.name}`),
            permissionsBoundaryArn: security.permissionsBoundaryArn,
            maxConcurrency: src.backfillConcurrency,
            logRetentionDays,
            tags: dataTags(ctx, src.domain, src.classification, {
              component: "pipelines",
              "data-platform:source": src.name,
            }),
          },
          p,
        );
        this.backfills[src.name] = b;
        this.backfillStateMachines[src.name] = b.stateMachineArn;
      }
    }
    // Object-created events reach EventBridge only when the bucket sends them; one notification config per bucket.
    [...eventBuckets].forEach((zone, i) => {
      new aws.s3.BucketNotification(`${name}-raw-events-${i}`, { bucket: zone.bucketName, eventbridge: true }, p);
    });

    for (const pl of config.pipelines) {
      if (!args.warehouse) throw new Error(`pipeline ${pl.name} needs the warehouse`);
      const classification = args.domains.find((d) => d.name === pl.domain)?.classification ?? "confidential";
      this.pipelines[pl.name] = new Pipeline(
        `${name}-${pl.name}-pipeline`,
        {
          ctx,
          network: args.network,
          security,
          lake: args.lake,
          warehouse: args.warehouse,
          operations: needOperations(args.operations, `pipeline ${pl.name}`),
          pipeline: pl,
          classification,
          loaders: pl.loads.map((l) => ({ source: l, functionArn: this.sources[l].fn.functionArn })),
          datasets: args.datasets,
        },
        p,
      );
    }

    const sources = Object.entries(this.sources);
    const pipelines = Object.entries(this.pipelines);
    this.targets = {
      functions: [
        ...sources.map(([n, s]) => ({ label: n, functionName: s.fn.functionName })),
        ...pipelines
          .filter(([, pl]) => pl.runner)
          .map(([n, pl]) => ({ label: `pipeline-${n}-runner`, functionName: pl.runner!.functionName })),
      ],
      deadLetterQueues: [
        ...sources.map(([n, s]) => ({ label: n, queueName: s.targets.deadLetterQueueName })),
        ...pipelines.map(([n, pl]) => ({ label: `pipeline-${n}-schedule`, queueName: pl.scheduleDeadLetterQueueName })),
        ...pipelines
          .filter(([, pl]) => pl.runner)
          .map(([n, pl]) => ({
            label: `pipeline-${n}-runner`,
            queueName: pl.runner!.deadLetterTargetArn.apply((a) => a.split(":").pop()!),
          })),
      ],
      queues: sources.flatMap(([n, s]) => {
        const src = byName.get(n)!;
        return s.targets.queueName
          ? [
              {
                label: n,
                queueName: s.targets.queueName,
                maxAgeSeconds: src.kind === "queue" ? src.maxMessageAgeSeconds : undefined,
              },
            ]
          : [];
      }),
      apis: sources.flatMap(([n, s]) => (s.targets.api ? [{ label: n, ...s.targets.api }] : [])),
      stateMachines: [
        ...pipelines.map(([n, pl]) => ({ label: `pipeline-${n}`, arn: pl.stateMachineArn })),
        ...Object.entries(this.backfills).map(([n, b]) => ({ label: `backfill-${n}`, arn: b.stateMachineArn })),
      ],
      qualityGates: pipelines.flatMap(([, pl]) => pl.qualityGates),
      datasetFreshness: pipelines.flatMap(([, pl]) => pl.freshness),
      freshness: config.sources
        .filter((s) => s.kind !== "object-events")
        .map((s) => ({ source: s.name, minutes: s.freshnessMinutes })),
    };
    this.registerOutputs({
      endpoints: this.endpoints,
      backfillStateMachines: this.backfillStateMachines,
      idempotencyTable: this.idempotencyTable.name,
    });
  }
}
