import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  cloudWatchLogsKeyStatements,
  doc,
  KEY_USE_ACTIONS,
  platformRoleArnPattern,
  PolicyDocument,
  Statement,
} from "../core/iam";
import { baseTags } from "../core/tags";
import { TAG, type PlatformContext } from "../core/types";
import { AlarmSpec, alarmSpecs, MonitoringTargets, OperationsRefs } from "./alarms";
import type { ResolvedMonitoring } from "./config";
import { dashboardBody } from "./dashboard";
import { metricsNamespace } from "./metrics";

export interface MonitoringArgs {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  /** Recipients and thresholds, with profile defaults filled (see `resolveMonitoring`). */
  readonly config: ResolvedMonitoring;
  /** The deploying identity: may use the operations key through Step Functions and SNS only. @default none */
  readonly deployerArn?: pulumi.Input<string>;
  /** Waiting period of the operations key's deletion. @default 30 */
  readonly keyDeletionWindowDays?: number;
  /** Alarms and dashboard can be given here, or later through `watch()` when the watched parts need the topic first. */
  readonly targets?: MonitoringTargets;
}

/** AWS Budgets and Cost Anomaly Detection: the services that publish cost alerts to the alerts topic. */
export const COST_ALERT_SERVICES = ["budgets.amazonaws.com", "costalerts.amazonaws.com"];

/**
 * Policy of the operations key (alerts topic, state machines, their logs). The classification keys cannot serve
 * here: CloudWatch alarms must encrypt into the topic as a service, which those keys rightly never allow.
 */
export function operationsKeyPolicy(i: {
  accountId: string;
  region: string;
  prefix: string;
  deployerArn?: string;
}): PolicyDocument {
  const root = `arn:aws:iam::${i.accountId}:root`;
  const sourceAccount = { StringEquals: { "aws:SourceAccount": i.accountId } };
  // Creating an encrypted state machine makes Step Functions use the key as the caller: the deployer gets that only.
  const deployer: Statement[] = i.deployerArn
    ? [
        {
          Sid: "DeployerThroughServices",
          Effect: "Allow",
          Principal: { AWS: i.deployerArn },
          Action: [...KEY_USE_ACTIONS, "kms:CreateGrant"],
          Resource: "*",
          Condition: {
            StringEquals: { "kms:ViaService": ["states", "sns"].map((s) => `${s}.${i.region}.amazonaws.com`) },
          },
        },
      ]
    : [];
  return doc(
    ...deployer,
    {
      Sid: "KeyAdministration",
      Effect: "Allow",
      Principal: { AWS: root },
      Action: [
        "kms:Create*",
        "kms:Describe*",
        "kms:Enable*",
        "kms:List*",
        "kms:Put*",
        "kms:Update*",
        "kms:Revoke*",
        "kms:Disable*",
        "kms:Get*",
        "kms:Delete*",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
      ],
      Resource: "*",
    },
    {
      Sid: "UseByPlatformRoles",
      Effect: "Allow",
      Principal: { AWS: root },
      Action: KEY_USE_ACTIONS,
      Resource: "*",
      Condition: { ArnLike: { "aws:PrincipalArn": platformRoleArnPattern(i.accountId, i) } },
    },
    {
      Sid: "AlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: sourceAccount,
    },
    {
      // Budgets and Cost Anomaly Detection (CostControls) alert through the encrypted topic as services.
      Sid: "CostAlertsPublish",
      Effect: "Allow",
      Principal: { Service: COST_ALERT_SERVICES },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: sourceAccount,
    },
    {
      Sid: "StateMachineLogDelivery",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: sourceAccount,
    },
    ...cloudWatchLogsKeyStatements(i.region, i.accountId),
  );
}

/** Who may publish to the alerts topic: CloudWatch alarms of this account, platform roles by IAM; TLS only. */
export function alertsTopicPolicy(topicArn: string, accountId: string): PolicyDocument {
  return doc(
    {
      Sid: "AlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
    {
      Sid: "CostAlertsPublish",
      Effect: "Allow",
      Principal: { Service: COST_ALERT_SERVICES },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
    {
      Sid: "AccountPublish",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: "sns:Publish",
      Resource: topicArn,
    },
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  );
}

/**
 * Monitoring of one environment (data-platform:observability:Monitoring): an encrypted alerts topic with the
 * configured subscriptions, alarms on functions, queues, APIs, pipelines and data freshness, and a dashboard.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  /** What state machines and other alerting parts need. */
  readonly operations: OperationsRefs;
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  dashboardName?: pulumi.Output<string>;
  private readonly args: MonitoringArgs;
  private readonly name: string;
  private readonly topic: aws.sns.Topic;
  private watched = false;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:observability:Monitoring", name, {}, opts);
    this.args = args;
    this.name = name;
    const { ctx } = args;
    const tags = baseTags(ctx, "observability");
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `${ctx.prefix}: alerts topic, pipeline state machines and their logs`,
        enableKeyRotation: true,
        deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
        policy: pulumi
          .all([args.accountId, args.deployerArn])
          .apply(([accountId, deployerArn]) =>
            JSON.stringify(operationsKeyPolicy({ accountId, region: ctx.region, prefix: ctx.prefix, deployerArn })),
          ),
        // Operational data only (alerts, run logs without execution data): the pack checks stores against this.
        tags: { ...tags, [TAG.dataClassification]: "internal" },
      },
      { parent: this, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete },
    );
    new aws.kms.Alias(
      `${name}-key`,
      { name: `alias/${ctx.prefix}-operations`, targetKeyId: key.keyId },
      { parent: this },
    );
    this.topic = new aws.sns.Topic(
      `${name}-alerts`,
      { name: `${ctx.prefix}-alerts`, displayName: `${ctx.prefix} alerts`, kmsMasterKeyId: key.arn, tags },
      { parent: this },
    );
    new aws.sns.TopicPolicy(
      `${name}-alerts`,
      {
        arn: this.topic.arn,
        policy: pulumi.all([this.topic.arn, args.accountId]).apply(([t, a]) => JSON.stringify(alertsTopicPolicy(t, a))),
      },
      { parent: this },
    );
    args.config.subscriptions.forEach((s, i) => {
      new aws.sns.TopicSubscription(
        `${name}-alert-${i}`,
        { topic: this.topic.arn, protocol: s.protocol, endpoint: s.endpoint },
        { parent: this },
      );
    });
    this.topicArn = this.topic.arn;
    this.keyArn = key.arn;
    this.operations = { alertsTopicArn: this.topicArn, keyArn: this.keyArn };
    if (args.targets) this.watch(args.targets);
    this.registerOutputs({ topicArn: this.topicArn, keyArn: this.keyArn });
  }

  /** Creates the alarms and the dashboard for these targets. Once per Monitoring: the dashboard shows them all. */
  watch(targets: MonitoringTargets): void {
    if (this.watched) throw new Error("Monitoring.watch() was already called; pass every target in one call");
    this.watched = true;
    const { ctx, config } = this.args;
    const name = this.name;
    const namespace = metricsNamespace(ctx.prefix);
    const tags = baseTags(ctx, "observability");
    const actions = [this.topic.arn];
    for (const spec of alarmSpecs(targets, config, namespace)) {
      this.alarms.push(
        new aws.cloudwatch.MetricAlarm(
          `${name}-${spec.id}`,
          { ...alarmArgs(spec, `${ctx.prefix}-${spec.id}`), alarmActions: actions, okActions: actions, tags },
          { parent: this },
        ),
      );
    }
    if (!config.dashboard) return;
    const body = pulumi
      .all([
        pulumi.all((targets.functions ?? []).map((f) => f.functionName)),
        pulumi.all(
          (targets.apis ?? []).map((a) =>
            pulumi.all([a.apiId]).apply(([apiId]) => ({ label: a.label, apiId, stage: a.stage })),
          ),
        ),
        pulumi.all(
          (targets.stateMachines ?? []).map((s) => pulumi.all([s.arn]).apply(([arn]) => ({ label: s.label, arn }))),
        ),
        pulumi.all((targets.deadLetterQueues ?? []).map((q) => q.queueName)),
        pulumi.all(this.alarms.map((a) => a.arn)),
      ])
      .apply(([functions, apis, stateMachines, deadLetterQueues, alarmArns]) =>
        dashboardBody({
          region: ctx.region,
          title: `${ctx.prefix} data platform`,
          namespace,
          sources: (targets.freshness ?? []).map((f) => f.source),
          functions,
          apis,
          stateMachines,
          deadLetterQueues,
          alarmArns,
          qualityGates: (targets.qualityGates ?? []).map((g) => g.dataset),
        }),
      );
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName: `${ctx.prefix}-data-platform`, dashboardBody: body },
      { parent: this },
    );
    this.dashboardName = dashboard.dashboardName;
  }
}

/** MetricAlarm arguments of a spec. */
/** One alarm per spec, named `<prefix>-<id>`, notifying the alerts topic when it fires and when it recovers. */
export function declareAlarms(
  name: string,
  specs: readonly AlarmSpec[],
  a: { readonly prefix: string; readonly alertsTopicArn: pulumi.Input<string>; readonly tags: Record<string, string> },
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm[] {
  return specs.map(
    (spec) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${spec.id}`,
        {
          ...alarmArgs(spec, `${a.prefix}-${spec.id}`),
          alarmActions: [a.alertsTopicArn],
          okActions: [a.alertsTopicArn],
          tags: a.tags,
        },
        { parent },
      ),
  );
}

export function alarmArgs(spec: AlarmSpec, name: string): aws.cloudwatch.MetricAlarmArgs {
  return {
    name,
    alarmDescription: spec.description,
    comparisonOperator: spec.comparisonOperator,
    threshold: spec.threshold,
    evaluationPeriods: spec.evaluationPeriods,
    treatMissingData: spec.treatMissingData,
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensions: spec.dimensions,
    statistic: spec.statistic,
    period: spec.period,
    metricQueries: spec.metricQueries?.map((q) => ({
      id: q.id,
      expression: q.expression,
      label: q.label,
      returnData: q.returnData,
      metric: q.metric,
    })),
  };
}
