import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RESTRICTED_CLEARANCE_TAG } from "../core/iam";
import { dataTags } from "../core/tags";
import type { NetworkRefs, PlatformContext, SecurityRefs } from "../core/types";
import { DEAD_LETTER_TAG, physicalName, PlatformFunction } from "../functions/function";
import type { PlatformFunctionArgs, PolicyStatement } from "../functions/types";
import { metricsNamespace } from "../observability/metrics";
import type { ResolvedSource } from "./config";
import { HANDLERS } from "./entries";
import { copyStagingPrefix, sourceRoot } from "./keys";
import * as iam from "../functions/statements";
import {
  httpApi,
  objectCreatedPattern,
  operationalTable,
  pullSchedule,
  SourceTargets,
  tlsOnlyQueuePolicy,
} from "./triggers";
import { IdempotencyRefs, KafkaRefs, LakeRefs, WarehouseRefs, warehouseEnv, zoneFor } from "./types";

export interface IngestionSourceArgs {
  readonly ctx: PlatformContext;
  readonly network: NetworkRefs;
  readonly security: SecurityRefs;
  readonly lake: LakeRefs;
  /** The source, with profile defaults filled (see `resolveSource`). */
  readonly source: ResolvedSource;
  /** For object-events: the source whose raw objects it loads. */
  readonly upstream?: ResolvedSource;
  readonly idempotency: IdempotencyRefs;
  /** Required by object-events. @default none */
  readonly warehouse?: WarehouseRefs;
  /** Required by http sources with `kafkaTopic`. @default none */
  readonly kafka?: KafkaRefs;
  /** @default 30 (the profile passes 7 / 30 / 365) */
  readonly logRetentionDays?: number;
}

const SUFFIX: Record<ResolvedSource["kind"], string> = {
  http: "http",
  queue: "queue",
  schedule: "pull",
  "db-events": "stream",
  "object-events": "loader",
};

/** The packaged source.json: only what the handler needs, never secrets. */
export function handlerConfig(source: ResolvedSource, root: string, upstreamRoot?: string): Record<string, unknown> {
  const common = {
    name: source.name,
    domain: source.domain,
    root,
    idField: source.idField,
    timeField: source.timeField,
  };
  switch (source.kind) {
    case "http":
      return {
        ...common,
        schema: source.schema,
        maxBodyBytes: source.maxBodyBytes,
        maxRecords: source.maxRecords,
        kafkaTopic: source.kafkaTopic,
      };
    case "queue":
      return { ...common, schema: source.schema };
    case "schedule":
      return {
        ...common,
        schema: source.schema,
        url: source.url,
        watermarkField: source.watermarkField,
        sinceParam: source.sinceParam,
        cursorParam: source.cursorParam,
        itemsField: source.itemsField,
        nextField: source.nextField,
        maxPages: source.maxPages,
      };
    case "db-events":
      return common;
    case "object-events":
      return { name: source.name, root: upstreamRoot, table: source.table, maxBackfillDays: source.maxBackfillDays };
  }
}

/**
 * One configured source (data-platform:ingestion:IngestionSource): its function and the trigger of its kind —
 * an HTTP API, an SQS queue with DLQ, a schedule, an operational DynamoDB table's stream, or the lake's
 * object-created events — wired with least-privilege roles scoped to the source's own raw-zone prefix.
 */
export class IngestionSource extends pulumi.ComponentResource {
  readonly fn: PlatformFunction;
  /** The source's prefix in its raw zone, e.g. `sales/source=orders/`. */
  readonly rawPrefix: string;
  readonly targets: SourceTargets;
  /** http: the URL clients POST records to. */
  readonly endpoint?: pulumi.Output<string>;
  /** queue: the queue producers send to. */
  readonly queue?: aws.sqs.Queue;
  /** db-events: the operational table. */
  readonly table?: aws.dynamodb.Table;
  /** The function's dead-letter (or on-failure) queue. */
  readonly deadLetterQueueArn: pulumi.Output<string>;

  constructor(name: string, args: IngestionSourceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:ingestion:IngestionSource", name, {}, opts);
    const { ctx, security, source: src } = args;
    const p = { parent: this };
    const raw = zoneFor(args.lake, "raw", src.domain);
    this.rawPrefix = sourceRoot(src.domain, src.name, raw.root ?? "");
    const restricted = src.classification === "restricted";
    const keyArn = security.keyArns[src.classification];
    const tags = dataTags(ctx, src.domain, src.classification, {
      component: "ingestion",
      "data-platform:source": src.name,
      "data-platform:source-kind": src.kind,
    });
    const rawAccess = pulumi
      .all([raw.bucketArn, raw.keyArn])
      .apply(([bucketArn, k]) => ({ bucketArn, keyArn: k, prefix: this.rawPrefix, region: ctx.region }));

    // Resources that exist before the function because the function's role or config names them.
    const statements: pulumi.Input<pulumi.Input<PolicyStatement>[]>[] = [];
    const env: Record<string, pulumi.Input<string>> = { METRICS_NAMESPACE: metricsNamespace(ctx.prefix) };
    let deadLetterTargetArn: pulumi.Input<string> | undefined;
    let vpc: PlatformFunctionArgs["vpc"];
    const inVpc = () => ({
      subnetIds: args.network.privateSubnetIds,
      securityGroupIds: [args.network.workloadSecurityGroupIds.ingestion],
    });
    const encryptedQueue = (suffix: string, extra: Partial<aws.sqs.QueueArgs> = {}) =>
      new aws.sqs.Queue(
        `${name}-${suffix}`,
        {
          name: `${ctx.prefix}-${src.name}-${suffix}`.slice(0, 80),
          kmsMasterKeyId: keyArn,
          kmsDataKeyReusePeriodSeconds: 300,
          messageRetentionSeconds: 14 * 24 * 3600,
          tags,
          ...extra,
        },
        { parent: this, retainOnDelete: ctx.retainOnDelete },
      );
    const fnName = `${src.name}-${SUFFIX[src.kind]}`;
    const fnPhysical = physicalName(ctx.prefix, fnName);

    if (src.kind !== "object-events") {
      statements.push(rawAccess.apply((a) => iam.rawWriteStatements(a)));
      env.RAW_BUCKET = raw.bucketName;
      env.RAW_KEY_ARN = raw.keyArn;
    }
    if (src.kind === "http" || src.kind === "queue" || src.kind === "schedule") {
      env.IDEMPOTENCY_TABLE = args.idempotency.tableName;
      statements.push(
        pulumi
          .all([args.idempotency.tableArn, args.idempotency.keyArn])
          .apply(([t, k]) => iam.idempotencyStatements(t, fnPhysical, k, ctx.region)),
      );
    }

    let queue: aws.sqs.Queue | undefined;
    let table: aws.dynamodb.Table | undefined;
    let upstreamRoot: string | undefined;
    switch (src.kind) {
      case "http":
        if (src.kafkaTopic) {
          if (!args.kafka)
            throw new Error(`source ${src.name}: kafkaTopic '${src.kafkaTopic}' needs the platform's Kafka`);
          env.KAFKA_BROKERS = args.kafka.bootstrapBrokers;
          statements.push(args.kafka.produceStatements(src.kafkaTopic));
          vpc = inVpc();
        }
        break;
      case "queue": {
        const dlq = encryptedQueue("dlq", { tags: { ...tags, ...DEAD_LETTER_TAG } });
        queue = encryptedQueue("queue", {
          // AWS guidance: six times the function timeout, so a message is not redelivered while still in flight.
          visibilityTimeoutSeconds: 6 * src.timeoutSeconds,
          messageRetentionSeconds: src.retentionDays * 24 * 3600,
          redrivePolicy: dlq.arn.apply((arn) =>
            JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: src.maxReceiveCount }),
          ),
        });
        new aws.sqs.RedriveAllowPolicy(
          `${name}-dlq-redrive`,
          {
            queueUrl: dlq.url,
            redriveAllowPolicy: queue.arn.apply((arn) =>
              JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] }),
            ),
          },
          p,
        );
        for (const [suffix, q] of [
          ["queue", queue],
          ["dlq", dlq],
        ] as const) {
          new aws.sqs.QueuePolicy(
            `${name}-${suffix}-policy`,
            { queueUrl: q.url, policy: q.arn.apply((arn) => JSON.stringify(tlsOnlyQueuePolicy(arn))) },
            p,
          );
        }
        statements.push(
          pulumi.all([queue.arn, keyArn]).apply(([q, k]) => iam.queueConsumeStatements(q, k, ctx.region)),
        );
        deadLetterTargetArn = dlq.arn;
        this.queue = queue;
        break;
      }
      case "schedule":
        if (src.credentialsSecretArn) {
          env.CREDENTIALS_SECRET_ARN = src.credentialsSecretArn;
          statements.push(iam.secretReadStatements(src.credentialsSecretArn, ctx.region));
        }
        break;
      case "db-events": {
        table = operationalTable(name, ctx, src, keyArn, tags, this);
        const failures = encryptedQueue("failures", { tags: { ...tags, ...DEAD_LETTER_TAG } });
        statements.push(pulumi.all([table.arn, keyArn]).apply(([t, k]) => iam.streamReadStatements(t, k, ctx.region)));
        deadLetterTargetArn = failures.arn;
        this.table = table;
        break;
      }
      case "object-events": {
        const up = args.upstream;
        const wh = args.warehouse;
        if (!up || up.name !== src.from)
          throw new Error(`source ${src.name}: upstream source '${src.from}' was not passed`);
        if (!wh) throw new Error(`source ${src.name}: object-events load into the warehouse, which was not passed`);
        upstreamRoot = sourceRoot(up.domain, up.name, zoneFor(args.lake, "raw", up.domain).root ?? "");
        const upRaw = zoneFor(args.lake, "raw", up.domain);
        const root = upstreamRoot;
        statements.push(
          pulumi
            .all([upRaw.bucketArn, upRaw.keyArn])
            .apply(([b, k]) => iam.prefixReadStatements({ bucketArn: b, keyArn: k, prefix: root, region: ctx.region })),
        );
        statements.push(
          pulumi.all([wh.secretArn, wh.secretKeyArn]).apply(([s, k]) => iam.secretReadStatements(s, ctx.region, k)),
        );
        Object.assign(env, warehouseEnv(wh, "loader"), { RAW_BUCKET: upRaw.bucketName });
        if (wh.engine === "redshift" && wh.copyRoleArn) {
          // Redshift loads by COPY from a staging object the loader writes under the loaded source's prefix.
          const prefix = copyStagingPrefix(root);
          statements.push(
            pulumi
              .all([upRaw.bucketArn, upRaw.keyArn])
              .apply(([b, k]) => iam.copyStagingStatements({ bucketArn: b, keyArn: k, prefix, region: ctx.region })),
          );
          Object.assign(env, { WAREHOUSE_COPY_ROLE_ARN: wh.copyRoleArn, RAW_KEY_ARN: upRaw.keyArn });
        }
        vpc = inVpc();
        break;
      }
    }

    this.fn = new PlatformFunction(
      `${name}-fn`,
      {
        ctx,
        entry:
          src.kind === "http" && src.kafkaTopic
            ? HANDLERS["http-kafka"]
            : HANDLERS[src.kind === "object-events" ? "loader" : src.kind],
        functionName: fnName,
        description: `${src.kind} source ${src.name} (${src.domain})`,
        tags,
        roleTags: restricted ? { [RESTRICTED_CLEARANCE_TAG]: "restricted" } : undefined,
        statements: pulumi.all(statements).apply((lists) => lists.flat()),
        permissionsBoundaryArn: security.permissionsBoundaryArn,
        kmsKeyArn: keyArn,
        logKmsKeyArn: restricted ? security.keyArns.confidential : undefined,
        environment: env,
        files: { "source.json": JSON.stringify(handlerConfig(src, this.rawPrefix, upstreamRoot)) },
        memoryMb: src.memoryMb,
        timeoutSeconds: src.timeoutSeconds,
        reservedConcurrency: src.reservedConcurrency,
        logRetentionDays: args.logRetentionDays,
        vpc,
        deadLetterTargetArn,
      },
      p,
    );
    const fn = this.fn;
    this.deadLetterQueueArn = fn.deadLetterTargetArn;

    let api: SourceTargets["api"];
    switch (src.kind) {
      case "http":
        ({ endpoint: this.endpoint, api } = httpApi(
          name,
          ctx,
          src,
          fn,
          tags,
          args.logRetentionDays ?? 30,
          restricted ? security.keyArns.confidential : keyArn,
          this,
        ));
        break;
      case "queue":
        new aws.lambda.EventSourceMapping(
          `${name}-mapping`,
          {
            eventSourceArn: queue!.arn,
            functionName: fn.functionArn,
            batchSize: src.batchSize,
            maximumBatchingWindowInSeconds: src.batchWindowSeconds,
            functionResponseTypes: ["ReportBatchItemFailures"],
            // Never more pollers than the function may run: excess would only be throttled back onto the queue.
            scalingConfig: { maximumConcurrency: Math.max(2, src.reservedConcurrency) },
            tags,
          },
          p,
        );
        break;
      case "schedule":
        pullSchedule(name, ctx, src, fn, tags, keyArn, security.permissionsBoundaryArn, this);
        break;
      case "db-events":
        new aws.lambda.EventSourceMapping(
          `${name}-mapping`,
          {
            eventSourceArn: table!.streamArn,
            functionName: fn.functionArn,
            startingPosition: src.startingPosition,
            batchSize: src.batchSize,
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: src.maximumRetryAttempts,
            functionResponseTypes: ["ReportBatchItemFailures"],
            destinationConfig: { onFailure: { destinationArn: fn.deadLetterTargetArn } },
            tags,
          },
          p,
        );
        break;
      case "object-events": {
        const upRaw = zoneFor(args.lake, "raw", args.upstream!.domain);
        const rule = new aws.cloudwatch.EventRule(
          `${name}-objects`,
          {
            description: `New raw objects of ${src.from} → ${fnPhysical}`,
            eventPattern: pulumi
              .output(upRaw.bucketName)
              .apply((bucket) => JSON.stringify(objectCreatedPattern(bucket, `${upstreamRoot}dt=`))),
            tags,
          },
          p,
        );
        new aws.cloudwatch.EventTarget(
          `${name}-objects`,
          {
            rule: rule.name,
            arn: fn.functionArn,
            // Keep trying for a day (throttling, a paused warehouse); the function's DLQ catches what still fails.
            retryPolicy: { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 },
          },
          p,
        );
        new aws.lambda.Permission(
          `${name}-objects`,
          {
            action: "lambda:InvokeFunction",
            function: fn.functionName,
            principal: "events.amazonaws.com",
            sourceArn: rule.arn,
          },
          p,
        );
        break;
      }
    }

    this.targets = {
      functionName: fn.functionName,
      deadLetterQueueName: fn.deadLetterTargetArn.apply((a) => a.split(":").pop()!),
      queueName: queue?.name,
      api,
    };
    this.registerOutputs({
      functionName: fn.functionName,
      rawPrefix: this.rawPrefix,
      endpoint: this.endpoint,
      queueUrl: queue?.url,
      tableName: table?.name,
      deadLetterQueueArn: this.deadLetterQueueArn,
    });
  }

  /** Statements that let another role send to this queue source (producers). */
  producerStatements(region: string): pulumi.Output<PolicyStatement[]> {
    if (!this.queue) throw new Error("producerStatements: not a queue source");
    return pulumi
      .all([this.queue.arn, this.queue.kmsMasterKeyId])
      .apply(([q, k]) => iam.queueSendStatements(q, k!, region, "ProduceToSource"));
  }

  /** Statements that let an application role read and write this db-events source's operational table. */
  tableWriterStatements(): pulumi.Output<PolicyStatement[]> {
    if (!this.table) throw new Error("tableWriterStatements: not a db-events source");
    return this.table.arn.apply((t) => [
      {
        Sid: "OperationalTable",
        Effect: "Allow" as const,
        Action: [
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:Query",
          "dynamodb:BatchGetItem",
          "dynamodb:BatchWriteItem",
          "dynamodb:ConditionCheckItem",
        ],
        Resource: [t, `${t}/index/*`],
      },
    ]);
  }
}

// Built in triggers.ts; exported here as well, where users found them.
export { ACCESS_LOG_FORMAT, objectCreatedPattern, tlsOnlyQueuePolicy } from "./triggers";
export type { SourceTargets };
