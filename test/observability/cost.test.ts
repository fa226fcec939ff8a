import { strict as assert } from "node:assert";
import { loadPlatformConfig } from "../../components/config";
import { COST_ALLOCATION_TAGS } from "../../components/cost/CostControls";
import { alertsTopicPolicy, operationsKeyPolicy } from "../../components/observability/Monitoring";
import type { PlannedResource } from "../../policies/engine/args";
import { evaluate } from "../../policies/engine/evaluate";
import { COST_TYPES, costRules } from "../../policies/rules/cost";
import { planned } from "../support/policy";
import { configProblems, platformOf } from "../support/config";
import { resourcesOf } from "../support/plan";

type Tag = { tags: { key: string; values: string[]; matchOptions: string[] } };

let prod: PlannedResource[] = [];
const prodResources = () => prod;

describe("cost controls", () => {
  before(async function () {
    this.timeout(300_000);
    prod = await resourcesOf("prod");
  });
  const of = (type: string) => prod.filter((r) => r.type === type);

  it("budgets the environment and each domain by their cost-allocation tags, alerting the alerts topic", () => {
    const budgets = of("aws:budgets/budget:Budget");
    const cfg = loadPlatformConfig(platformOf("prod"), "eu-west-1");
    assert.equal(budgets.length, 1 + cfg.domains.length);
    const topic = of("aws:sns/topic:Topic").find((t) => t.inputs.name === "acme-data-prod-alerts")!;
    for (const b of budgets) {
      assert.equal(b.inputs.budgetType, "COST");
      assert.equal(b.inputs.timeUnit, "MONTHLY");
      assert.equal(b.inputs.limitUnit, "USD");
      const notifications = b.inputs.notifications as {
        notificationType: string;
        threshold: number;
        subscriberSnsTopicArns: string[];
      }[];
      assert.deepEqual(
        notifications.map((n) => [n.notificationType, n.threshold]),
        [
          ["ACTUAL", 80],
          ["FORECASTED", 100],
        ],
      );
      for (const n of notifications)
        assert.deepEqual(n.subscriberSnsTopicArns, [`arn:aws:sns:eu-west-1:123456789012:${topic.inputs.name}`]);
      // Wired to the topic resource itself, not to an ARN typed twice.
      assert.ok(b.propertyDependencies?.notifications?.includes(topic.urn), b.name);
      const ands = (b.inputs.filterExpression as { ands: Tag[] }).ands.map((a) => [a.tags.key, a.tags.values]);
      assert.deepEqual(ands.slice(0, 2), [
        ["platform", ["acme-data"]],
        ["environment", ["prod"]],
      ]);
    }
    const env = budgets.find((b) => b.inputs.name === "acme-data-prod-monthly")!;
    assert.equal(env.inputs.limitAmount, cfg.cost.monthlyBudgetUsd.toFixed(2));
    const sales = budgets.find((b) => b.inputs.name === "acme-data-prod-sales-monthly")!;
    assert.deepEqual((sales.inputs.filterExpression as { ands: Tag[] }).ands[2].tags, {
      key: "data-domain",
      values: ["sales"],
      matchOptions: ["EQUALS"],
    });
    assert.equal(sales.inputs.limitAmount, cfg.cost.domainBudgetsUsd.sales.toFixed(2));
  });

  it("watches the environment's spend for anomalies and sends those above the threshold to the topic at once", () => {
    const [monitor] = of("aws:costexplorer/anomalyMonitor:AnomalyMonitor");
    const [sub] = of("aws:costexplorer/anomalySubscription:AnomalySubscription");
    assert.equal(monitor.inputs.monitorType, "CUSTOM");
    assert.deepEqual(JSON.parse(monitor.inputs.monitorSpecification as string), {
      Tags: { Key: "environment", Values: ["prod"], MatchOptions: ["EQUALS"] },
    });
    assert.equal(sub.inputs.frequency, "IMMEDIATE");
    assert.deepEqual(sub.propertyDependencies?.monitorArnLists, [monitor.urn]);
    assert.match((sub.inputs.monitorArnLists as string[])[0], /^arn:aws:ce::123456789012:anomalymonitor\//);
    assert.deepEqual(sub.inputs.subscribers, [
      { type: "SNS", address: "arn:aws:sns:eu-west-1:123456789012:acme-data-prod-alerts" },
    ]);
    assert.deepEqual((sub.inputs.thresholdExpression as { dimension: unknown }).dimension, {
      key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
      matchOptions: ["GREATER_THAN_OR_EQUAL"],
      values: ["250"],
    });
  });

  it("lets Budgets and Cost Anomaly Detection publish to the encrypted topic for this account only", () => {
    const topic = alertsTopicPolicy("arn:aws:sns:eu-west-1:123456789012:t", "123456789012");
    const key = operationsKeyPolicy({ accountId: "123456789012", region: "eu-west-1", prefix: "p" });
    for (const policy of [topic, key]) {
      const s = policy.Statement.find((x) => x.Sid === "CostAlertsPublish")!;
      assert.deepEqual(s.Principal, { Service: ["budgets.amazonaws.com", "costalerts.amazonaws.com"] });
      assert.deepEqual(s.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    }
  });

  it("lists the cost-allocation tags to activate in the README", async () => {
    const readme = (await import("node:fs")).readFileSync(`${__dirname}/../../README.md`, "utf8");
    const section = readme.slice(readme.indexOf("## Cost"));
    for (const tag of COST_ALLOCATION_TAGS) assert.match(section, new RegExp(`\`${tag}\``), tag);
  });
});

describe("cost config", () => {
  it("fills budgets and volumes from the profile; each domain gets an even share", () => {
    const dev = loadPlatformConfig(platformOf("dev"), "eu-west-1");
    assert.equal(dev.cost.monthlyBudgetUsd, 1500);
    assert.deepEqual(dev.cost.domainBudgetsUsd, { sales: 500, marketing: 500, people: 500 });
    assert.ok(dev.cost.volumes.every((v) => v.recordsPerMonth === 100_000 && v.assumed === "default"));
    const raw = platformOf("dev");
    raw.cost = {
      monthlyBudgetUsd: 900,
      domainBudgetsUsd: { sales: 600 },
      volumes: { payments: { recordsPerMonth: 5 } },
    };
    const cfg = loadPlatformConfig(raw, "eu-west-1");
    assert.deepEqual(cfg.cost.domainBudgetsUsd, { sales: 600, marketing: 300, people: 300 });
    assert.deepEqual(
      cfg.cost.volumes.find((v) => v.source === "payments"),
      { source: "payments", kind: "queue", domain: "sales", recordsPerMonth: 5, averageRecordKb: 1, assumed: "config" },
    );
  });

  it("names unknown domains and sources, domain budgets above the total, and bad amounts", () => {
    const raw = platformOf("dev");
    raw.cost = {
      monthlyBudgetUsd: 100,
      domainBudgetsUsd: { sales: 80, finance: 30 },
      volumes: { "order-api": { recordsPerMonth: 1 } },
    };
    assert.deepEqual(configProblems(raw), [
      "platform.cost.domainBudgetsUsd.finance: is not a declared domain (domains: sales, marketing, people)",
      "platform.cost.volumes.order-api: is not a declared source (sources: orders-api, web-events, payments, crm-contacts, carts, orders-loader, carts-loader)",
      "platform.cost.domainBudgetsUsd: add up to 110 USD, more than cost.monthlyBudgetUsd (100)",
    ]);
    raw.cost = { monthlyBudgetUsd: -5, volumes: { payments: { recordsPerMonth: 1.5 } } };
    assert.deepEqual(
      configProblems(raw).map((p) => p.split(":")[0]),
      ["platform.cost.monthlyBudgetUsd", "platform.cost.volumes.payments.recordsPerMonth"],
    );
  });
});

describe("cost-alerts-reach-someone", () => {
  const rule = costRules[0];
  const monitor = () => planned(COST_TYPES.monitor, { monitorType: "CUSTOM" }, { name: "monitor" });
  const platform = (
    edit: (rs: { budget: Record<string, unknown>; sub: Record<string, unknown> }) => void = () => {},
  ) => {
    const m = monitor();
    const budget: Record<string, unknown> = {
      notifications: [{ notificationType: "ACTUAL", subscriberSnsTopicArns: ["arn:aws:sns:eu-west-1:1:alerts"] }],
    };
    const sub: Record<string, unknown> = {
      frequency: "IMMEDIATE",
      subscribers: [{ type: "SNS", address: "arn:aws:sns:eu-west-1:1:alerts" }],
    };
    edit({ budget, sub });
    return [
      m,
      planned(COST_TYPES.budget, budget, { name: "budget" }),
      planned(COST_TYPES.subscription, sub, { name: "sub", dependencies: [m.urn] }),
    ];
  };
  const judge = async (resources: PlannedResource[]) =>
    (await evaluate([rule], resources, { [rule.name]: "mandatory" })).violations.map((v) => [
      v.urn?.split("::").pop(),
      v.message,
    ]);

  it("passes budgets that notify and monitors with subscribed alerts, as the committed stacks have them", async () => {
    assert.deepEqual(await judge(platform()), []);
    assert.deepEqual(await judge(prodResources()), []);
  });

  it("flags a budget that notifies nobody", async () => {
    assert.deepEqual((await judge(platform(({ budget }) => (budget.notifications = []))))[0], [
      "budget",
      "Budget 'budget' notifies nobody: add a notification to the alerts topic, or exceeding it goes unseen",
    ]);
  });

  it("flags a subscription without subscribers, and one sending to SNS daily", async () => {
    assert.match((await judge(platform(({ sub }) => (sub.subscribers = []))))[0][1]!, /has no subscriber/);
    assert.deepEqual(await judge(platform(({ sub }) => (sub.frequency = "DAILY"))), [
      [
        "sub",
        "AnomalySubscription 'sub' sends to an SNS topic at frequency DAILY: AWS delivers to SNS only IMMEDIATE alerts",
      ],
    ]);
  });

  it("flags a monitor no subscription alerts from", async () => {
    const resources = platform().map((r) => (r.name === "sub" ? { ...r, dependencies: [] } : r));
    assert.deepEqual(await judge(resources), [
      [
        "monitor",
        "AnomalyMonitor 'monitor' has no anomaly subscription: its anomalies are only visible in the console",
      ],
    ]);
  });
});
