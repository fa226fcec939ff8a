import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { baseTags } from "../core/tags";
import { TAG, type PlatformContext, type Tags } from "../core/types";
import type { ResolvedCost } from "./config";

/**
 * Tags that must be activated as cost-allocation tags in the billing console (Billing → Cost allocation tags) before
 * the budgets and the anomaly monitor can see spend by them. AWS offers a tag there only once a tagged resource
 * exists, and counts spend only from activation on.
 */
export const COST_ALLOCATION_TAGS: readonly string[] = [
  TAG.platform,
  TAG.environment,
  TAG.dataDomain,
  TAG.costCenter,
  "component",
];

export interface CostControlsArgs {
  readonly ctx: PlatformContext;
  /** The platform's short name: the `platform` tag every resource carries. */
  readonly platform: string;
  readonly accountId: pulumi.Input<string>;
  readonly config: ResolvedCost;
  /** The alerts topic (Monitoring): its policy lets Budgets and Cost Anomaly Detection publish. */
  readonly alertsTopicArn: pulumi.Input<string>;
}

type TagFilter = { tags: { key: string; values: string[]; matchOptions: string[] } };
const tagIs = (key: string, value: string): TagFilter => ({ tags: { key, values: [value], matchOptions: ["EQUALS"] } });

/**
 * One monthly cost budget: spend carrying the platform's and environment's tags (and a domain's, for a domain
 * budget), alerting the topic at 80 % of actual spend and when the forecast passes 100 %.
 */
export function budgetArgs(i: {
  name: string;
  platform: string;
  environment: string;
  domain?: string;
  limitUsd: number;
  topicArn: pulumi.Input<string>;
  tags: Tags;
}): aws.budgets.BudgetArgs {
  const notify = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
    comparisonOperator: "GREATER_THAN",
    notificationType,
    threshold,
    thresholdType: "PERCENTAGE",
    subscriberSnsTopicArns: [i.topicArn],
  });
  return {
    name: i.name,
    budgetType: "COST",
    timeUnit: "MONTHLY",
    limitAmount: i.limitUsd.toFixed(2),
    limitUnit: "USD",
    filterExpression: {
      ands: [
        tagIs(TAG.platform, i.platform),
        tagIs(TAG.environment, i.environment),
        ...(i.domain ? [tagIs(TAG.dataDomain, i.domain)] : []),
      ],
    },
    notifications: [notify("ACTUAL", 80), notify("FORECASTED", 100)],
    tags: i.tags,
  };
}

/** The anomaly monitor watches spend tagged with the environment (one account per environment is assumed). */
export function anomalyMonitorSpecification(environment: string): string {
  return JSON.stringify({ Tags: { Key: TAG.environment, Values: [environment], MatchOptions: ["EQUALS"] } });
}

/**
 * Cost controls of one environment (data-platform:cost:CostControls): a monthly AWS Budget for the environment and
 * one per domain through the cost-allocation tags, and a Cost Anomaly Detection monitor whose alerts above the
 * configured impact go to the alerts topic at once.
 */
export class CostControls extends pulumi.ComponentResource {
  readonly budgetNames: pulumi.Output<string>[] = [];
  readonly anomalyMonitorArn: pulumi.Output<string>;

  constructor(name: string, args: CostControlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:cost:CostControls", name, {}, opts);
    const { ctx, config } = args;
    const tags = baseTags(ctx, "cost");
    const common = { platform: args.platform, environment: ctx.environment, topicArn: args.alertsTopicArn };
    const budgets = [
      new aws.budgets.Budget(
        `${name}-budget`,
        budgetArgs({ ...common, name: `${ctx.prefix}-monthly`, limitUsd: config.monthlyBudgetUsd, tags }),
        { parent: this },
      ),
      ...Object.entries(config.domainBudgetsUsd).map(
        ([domain, limitUsd]) =>
          new aws.budgets.Budget(
            `${name}-budget-${domain}`,
            budgetArgs({
              ...common,
              name: `${ctx.prefix}-${domain}-monthly`,
              domain,
              limitUsd,
              tags: { ...tags, [TAG.dataDomain]: domain },
            }),
            { parent: this },
          ),
      ),
    ];
    this.budgetNames.push(...budgets.map((b) => b.name));
    const monitor = new aws.costexplorer.AnomalyMonitor(
      `${name}-anomalies`,
      {
        name: `${ctx.prefix}-spend`,
        monitorType: "CUSTOM",
        monitorSpecification: anomalyMonitorSpecification(ctx.environment),
        tags,
      },
      { parent: this },
    );
    new aws.costexplorer.AnomalySubscription(
      `${name}-anomalies`,
      {
        name: `${ctx.prefix}-spend-alerts`,
        accountId: args.accountId,
        // SNS subscribers take immediate alerts only.
        frequency: "IMMEDIATE",
        monitorArnLists: [monitor.arn],
        subscribers: [{ type: "SNS", address: args.alertsTopicArn }],
        thresholdExpression: {
          dimension: {
            key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            matchOptions: ["GREATER_THAN_OR_EQUAL"],
            values: [String(config.anomalyAlertUsd)],
          },
        },
        tags,
      },
      { parent: this },
    );
    this.anomalyMonitorArn = monitor.arn;
    this.registerOutputs({ budgetNames: this.budgetNames, anomalyMonitorArn: this.anomalyMonitorArn });
  }
}
