import { strict as assert } from "node:assert";
import type { ResolvedCost } from "../../components/cost/config";
import { readPolicyConfig } from "../../policies/config";
import { allRules } from "../../policies/rules";
import { budgetVerdicts, environmentBudget } from "../../tools/plan/budget";
import { estimateCost } from "../../tools/plan/cost";
import { costChange, costChangeSection, costSection } from "../../tools/plan/cost-report";
import { replay } from "../../tools/plan/document";
import { plan } from "../../tools/plan/plan";
import { PRICE_TABLES } from "../../tools/plan/prices";
import { owningComponent } from "../../tools/plan/report";
import { planStack, stackVariant } from "../support/plan";
import { planned } from "../support/policy";

const res = (type: string, name: string, inputs: Record<string, unknown>) => planned(type, inputs, { name });

const small = () => [
  res("aws:ec2/natGateway:NatGateway", "nat", {}),
  res("aws:eks/cluster:Cluster", "k8s", {}),
  res("aws:eks/nodeGroup:NodeGroup", "system", { instanceTypes: ["m6i.xlarge"], scalingConfig: { desiredSize: 2 } }),
  res("aws:eks/nodeGroup:NodeGroup", "spot", { instanceTypes: ["m6i.xlarge"], scalingConfig: { desiredSize: 0 } }),
  res("aws:kms/key:Key", "key", { tags: { "data-domain": "sales" } }),
  res("aws:msk/cluster:Cluster", "kafka", {
    numberOfBrokerNodes: 2,
    brokerNodeGroupInfo: { instanceType: "kafka.t3.small", storageInfo: { ebsStorageInfo: { volumeSize: 20 } } },
  }),
  res("aws:rds/clusterInstance:ClusterInstance", "db", { instanceClass: "db.r6g.large" }),
  res("aws:glue/catalogTableOptimizer:CatalogTableOptimizer", "compaction", {}),
];

const assumptions = (over: Partial<ResolvedCost> = {}): ResolvedCost => ({
  monthlyBudgetUsd: 1000,
  domainBudgetsUsd: {},
  anomalyAlertUsd: 50,
  warehouseHoursPerDay: 2,
  athenaScannedTbPerMonth: 0.5,
  volumes: [],
  ...over,
});

describe("cost estimate", () => {
  it("prices a small platform by hand: NAT, EKS, nodes, a key, MSK brokers and storage; an unknown class is listed", () => {
    const c = estimateCost(small(), "eu-west-1", owningComponent);
    // 0.048 × 730 = 35.04; 0.10 × 730 = 73; 2 × 0.214 × 730 = 312.44; 1 key = 1;
    // MSK: 2 × 0.0496 × 730 = 72.42 brokers + 2 × 20 GB × 0.11 = 4.40 storage → 76.82.
    assert.equal(c.monthlyTotal, 498.3);
    assert.equal(c.idleTotal, 498.3);
    assert.equal(c.usageTotal, 0);
    assert.deepEqual(c.byDomain, { shared: 497.3, sales: 1 });
    const kafka = c.lines.find((l) => l.urn.endsWith("::kafka"))!;
    assert.deepEqual(
      kafka.items.map((x) => [x.key, x.monthly]),
      [
        ["msk:kafka.t3.small", 72.42],
        ["msk:storage-gb", 4.4],
      ],
    );
    assert.deepEqual(
      c.unpriced.map((u) => u.key),
      ["rds:db.r6g.large", "glue:optimizer-dpu-hour"],
    );
    const text = costSection(c, 1000).join("\n");
    assert.match(
      text,
      /\*\*\$498\.30\*\* \(\$498\.30 while idle, \$0\.00 from the volume assumptions\), budget \$1000\.00 \(50 %\)/,
    );
    assert.match(text, /\| `system` \(NodeGroup\) \| \(stack\) \| \$312\.44 \|/);
    assert.match(text, /Unpriced .*`rds:db\.r6g\.large` ×1, `glue:optimizer-dpu-hour` ×1/);
  });

  it("prices Redshift Serverless base capacity over the hours it is expected to run", () => {
    const wg = res("aws:redshiftserverless/workgroup:Workgroup", "wg", { baseCapacity: 8 });
    // 8 RPU × 2 h × 730/24 days = 486.67 RPU-hours × 0.40 = 194.67.
    assert.equal(estimateCost([wg], "eu-west-1", owningComponent, assumptions()).monthlyTotal, 194.67);
    // Without assumptions: all day, every day.
    assert.equal(estimateCost([wg], "eu-west-1", owningComponent).monthlyTotal, 2336);
  });

  it("prices usage from the stated volume per source, attributed to the source's domain", () => {
    const resources = [
      res("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "delivery", {
        mskSourceConfiguration: { topicName: "sales.orders" },
      }),
      res("aws:athena/workgroup:Workgroup", "analysts", {}),
    ];
    const c = estimateCost(
      resources,
      "eu-west-1",
      owningComponent,
      assumptions({
        volumes: [
          {
            source: "orders-api",
            kind: "http",
            domain: "sales",
            kafkaTopic: "sales.orders",
            recordsPerMonth: 1_000_000,
            averageRecordKb: 2,
            assumed: "config",
          },
          {
            source: "payments",
            kind: "queue",
            domain: "marketing",
            recordsPerMonth: 100_000,
            averageRecordKb: 1,
            assumed: "default",
          },
          { source: "db", kind: "cdc", domain: "sales", recordsPerMonth: 5, averageRecordKb: 1, assumed: "default" },
        ],
      }),
    );
    const line = (urn: string) => c.lines.find((l) => l.urn === urn)!;
    // orders-api, 1e6 records of 2 KB (1.91 GB): 1 M Lambda requests 0.20, 25 000 Arm GB-s 0.33, 1 M HTTP API requests
    // 1.11, 1000 × 1000 PUTs 5.00, 1.91 GB stored 0.04, 1.91 GB through Firehose 0.06.
    assert.deepEqual(
      line("usage:source:orders-api").items.map((x) => [x.key, x.monthly]),
      [
        ["lambda:million-requests", 0.2],
        ["lambda:arm-gb-second", 0.33],
        ["apigateway:http-million-requests", 1.11],
        ["s3:thousand-puts", 5],
        ["s3:storage-gb", 0.04],
        ["firehose:ingested-gb", 0.06],
      ],
    );
    assert.equal(line("usage:source:orders-api").monthly, 6.74);
    // payments, 1e5 records in batches of 10: 0.12 M SQS requests 0.05, 10 PUT thousands 0.05, the rest below a cent.
    assert.equal(line("usage:source:payments").monthly, 0.1);
    assert.equal(line("usage:athena").monthly, 2.5);
    assert.match(line("usage:source:orders-api").assumption!, /1000000 records of 2 KB a month \(cost\.volumes\)/);
    assert.equal(c.usageTotal, 9.34);
    assert.deepEqual(c.byDomain, { sales: 6.74, marketing: 0.1, shared: 2.5 });
    // DMS capacity has no price in the table: listed, not guessed.
    assert.deepEqual(c.unpriced, [{ key: "dms:serverless-dcu-hour", urn: "usage:source:db" }]);
  });

  it("says so when the region has no price table, pricing nothing", () => {
    const c = estimateCost([res("aws:ec2/natGateway:NatGateway", "nat", {})], "ap-south-2", owningComponent);
    assert.equal(c.monthlyTotal, 0);
    assert.deepEqual(c.unpriced, [{ key: "vpc:nat-gateway", urn: "urn:pulumi:test::data-platform::NatGateway::nat" }]);
  });

  it("names a source page for every price", () => {
    for (const [key, p] of Object.entries(PRICE_TABLES["eu-west-1"].prices))
      assert.match(p.source, /^https:\/\/aws\.amazon\.com\/[a-z0-9/-]+\/$/, key);
  });

  it("gives the change per resource against a base estimate", () => {
    const base = estimateCost(small(), "eu-west-1", owningComponent);
    const head = estimateCost(
      small()
        .filter((r) => r.name !== "nat")
        .map((r) => (r.name === "system" ? { ...r, inputs: { ...r.inputs, scalingConfig: { desiredSize: 3 } } } : r)),
      "eu-west-1",
      owningComponent,
    );
    const change = costChange("main", base, head);
    assert.deepEqual(
      change.resources.map((r) => [r.urn.split("::").pop(), r.base, r.head, r.change]),
      [
        // Largest change first. 3 nodes × 0.214 × 730 = 468.66.
        ["system", 312.44, 468.66, 156.22],
        ["nat", 35.04, 0, -35.04],
      ],
    );
    assert.equal(change.change, 121.18);
    const text = costChangeSection(change, 1).join("\n");
    assert.match(text, /Against `main`: \$498\.30 → \$619\.48 a month \(\+\$121\.18\)\./);
    assert.match(text, /\| `system` \| NodeGroup \| \$312\.44 \| \$468\.66 \| \+\$156\.22 \|/);
    assert.match(costChangeSection(change).join("\n"), /\| `nat` \| NatGateway \| \$35\.04 \| \$0\.00 \| −\$35\.04 \|/);
    assert.match(text, /\| … 1 more in plan\.json/);
  });

  it("comes with every plan, dev well below prod, each within its budget", async function () {
    this.timeout(300_000);
    const dev = (await planStack("dev")).document!;
    const prod = (await planStack("prod")).document!;
    assert.ok(
      dev.cost!.monthlyTotal > 0 && dev.cost!.monthlyTotal * 2 < prod.cost!.monthlyTotal,
      `${dev.cost!.monthlyTotal} vs ${prod.cost!.monthlyTotal}`,
    );
    assert.equal(prod.cost!.region, "eu-west-1");
    for (const doc of [dev, prod]) {
      const budget = environmentBudget(doc.resources)!;
      assert.ok(doc.cost!.monthlyTotal < budget.usd, `${doc.stack}: ${doc.cost!.monthlyTotal} vs ${budget.usd}`);
      assert.ok(doc.cost!.usageTotal > 0, `${doc.stack} prices its sources' usage`);
      assert.equal(doc.policies.filter((v) => v.policy === "cost-within-budget").length, 0);
      // Function time is priced at the Arm rate: every function the plan creates must run on arm64.
      const functions = doc.resources.filter((r) => r.type === "aws:lambda/function:Function");
      assert.ok(functions.length > 0);
      for (const f of functions) assert.deepEqual(f.inputs.architectures, ["arm64"], f.urn);
    }
  });
});

describe("cost-within-budget", () => {
  const budget = (limit: string, domain?: string) =>
    res("aws:budgets/budget:Budget", domain ? `budget-${domain}` : "budget", {
      limitAmount: limit,
      tags: domain ? { "data-domain": domain } : { environment: "dev" },
    });
  const estimate = estimateCost(small(), "eu-west-1", owningComponent); // 498.30

  it("passes an estimate within the environment's budget (domain budgets are not the environment's)", () => {
    const resources = [budget("100.00", "sales"), budget("500.00")];
    assert.equal(environmentBudget(resources)!.usd, 500);
    assert.deepEqual(budgetVerdicts(estimate, resources, readPolicyConfig("dev")), { violations: [], waivers: [] });
  });

  it("is mandatory in dev and advisory in staging and prod when the estimate exceeds it", () => {
    const resources = [budget("400.00")];
    const dev = budgetVerdicts(estimate, resources, readPolicyConfig("dev")).violations;
    assert.equal(dev.length, 1);
    assert.equal(dev[0].level, "mandatory");
    assert.equal(dev[0].urn, resources[0].urn);
    assert.match(
      dev[0].message,
      /\$498\.30 a month exceeds the budget of \$400\.00 by \$98\.30\. Largest drivers: system \$312\.44/,
    );
    for (const env of ["staging", "prod"] as const)
      assert.deepEqual(
        budgetVerdicts(estimate, resources, readPolicyConfig(env)).violations.map((v) => v.level),
        ["advisory"],
        env,
      );
  });

  it("lets a waiver through, and says nothing when disabled", () => {
    const resources = [budget("400.00")];
    const waived = budgetVerdicts(estimate, resources, {
      "cost-within-budget": {
        enforcementLevel: "mandatory",
        waivers: [{ resource: "budget", reason: "load test month, approved by the owner" }],
      },
    });
    assert.deepEqual(waived.violations, []);
    assert.equal(waived.waivers[0].reason, "load test month, approved by the owner");
    assert.deepEqual(budgetVerdicts(estimate, resources, { "cost-within-budget": "disabled" }).violations, []);
  });

  it("fails the dev plan over its configured budget, naming the budget and the drivers; plan.json replays to it", async function () {
    this.timeout(300_000);
    const file = stackVariant("dev", "dev", (p) => {
      p.cost = { monthlyBudgetUsd: 200 };
    });
    const result = await plan({ stackFile: file, rules: allRules });
    assert.equal(result.code, 1);
    const v = result.document!.policies.filter((x) => x.policy === "cost-within-budget");
    assert.equal(v.length, 1);
    assert.equal(v[0].level, "mandatory");
    assert.match(v[0].urn!, /::acme-data-cost-budget$/);
    assert.match(
      v[0].message,
      /exceeds the budget of \$200\.00 by \$[\d.]+\. Largest drivers: acme-data-k8s-system \$312\.44, /,
    );
    const replayed = await replay(JSON.parse(JSON.stringify(result.document)), allRules);
    assert.deepEqual(replayed.violations, result.document!.policies);
  });
});
