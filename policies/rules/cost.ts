import type { PolicyResource } from "@pulumi/policy";
import { PlatformRule, SECURITY, stackRule } from "./define";

export const COST_TYPES = {
  budget: "aws:budgets/budget:Budget",
  monitor: "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
  subscription: "aws:costexplorer/anomalySubscription:AnomalySubscription",
} as const;

const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;

/** What a cost control reports that nobody would hear of, or `undefined` when someone is told. */
function silence(r: PolicyResource, all: readonly PolicyResource[]): string | undefined {
  if (r.type === COST_TYPES.budget) {
    const told = list(r.props.notifications).some(
      (n) => nonEmpty(n.subscriberSnsTopicArns) || nonEmpty(n.subscriberEmailAddresses),
    );
    return told ? undefined : "notifies nobody: add a notification to the alerts topic, or exceeding it goes unseen";
  }
  if (r.type === COST_TYPES.subscription) {
    const subscribers = list(r.props.subscribers);
    if (subscribers.length === 0) return "has no subscriber: anomalies it matches reach nobody";
    if (subscribers.some((s) => s.type === "SNS") && r.props.frequency !== "IMMEDIATE")
      return `sends to an SNS topic at frequency ${String(r.props.frequency)}: AWS delivers to SNS only IMMEDIATE alerts`;
    return undefined;
  }
  // A monitor without a subscription that depends on it detects anomalies nobody is told about.
  const covered = all.some((s) => s.type === COST_TYPES.subscription && s.dependencies.some((d) => d.urn === r.urn));
  return covered ? undefined : "has no anomaly subscription: its anomalies are only visible in the console";
}

export const costRules: readonly PlatformRule[] = [
  stackRule({
    name: "cost-alerts-reach-someone",
    description:
      "Every AWS Budget notifies a topic or an address, every Cost Anomaly Detection monitor has a subscription, and every subscription has subscribers (SNS ones at IMMEDIATE frequency, the only one AWS delivers to SNS).",
    group: "cost",
    remediation:
      "Use CostControls, which notifies the alerts topic from every budget and subscribes the topic to its monitor; or add the notification or subscription by hand.",
    resourceTypes: Object.values(COST_TYPES),
    enforcement: SECURITY,
    validate: (resources, report) => {
      for (const r of resources) {
        if (!(Object.values(COST_TYPES) as string[]).includes(r.type)) continue;
        const problem = silence(r, resources);
        if (problem) report(`${r.type.split(":").pop()} '${r.name}' ${problem}`, r.urn);
      }
    },
  }),
];
