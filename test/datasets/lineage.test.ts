import { strict as assert } from "node:assert";
import { datasetLineage, lineageMermaid } from "../../components/datasets/lineage";
import { markdownReport } from "../../tools/plan/report";
import { planStack } from "../support/plan";

describe("datasets: lineage and the report's Datasets section", () => {
  const lineage = datasetLineage({
    datasets: [
      { domain: "sales", name: "orders", zone: "curated", publishedBy: [] },
      { domain: "sales", name: "daily_revenue", zone: "analytics", publishedBy: ["sales-daily"] },
    ],
    sources: [
      { name: "orders-api", domain: "sales", kind: "http" },
      { name: "orders-loader", domain: "sales", kind: "object-events", from: "orders-api", table: "orders" },
    ],
    pipelines: [
      {
        name: "sales-daily",
        domain: "sales",
        loads: ["orders-loader"],
        transform: { procedure: "marts_sales.refresh" },
        publish: [{ table: "marts_sales.daily_revenue", dataset: "daily_revenue" }],
      },
    ],
    sparkJobs: [{ name: "orders-daily", domain: "sales", reads: ["raw"], writes: ["curated"] }],
  });
  const label = (id: string) => lineage.nodes.find((n) => n.id === id)?.label ?? id;
  const edges = lineage.edges.map((e) => `${label(e.from)} -> ${label(e.to)}`);

  it("follows a record from its source to the published table, and each Spark job's reads and writes", () => {
    assert.deepEqual(edges, [
      "orders-api (http) -> sales_raw.orders_api",
      "sales_raw.orders_api -> loader orders-loader",
      "loader orders-loader -> staging.orders",
      "staging.orders -> sales-daily: CALL marts_sales.refresh",
      "sales-daily: CALL marts_sales.refresh -> marts_sales.daily_revenue",
      "marts_sales.daily_revenue -> sales_analytics.daily_revenue",
      "sales_raw.orders_api -> Spark job orders-daily",
      "Spark job orders-daily -> sales_curated.orders",
    ]);
    assert.ok(!edges.includes("Spark job orders-daily -> sales_analytics.daily_revenue"), "the pipeline writes it");
    const chart = lineageMermaid(lineage);
    assert.match(chart, /^flowchart LR\n/);
    assert.match(chart, /t_sales_raw_orders_api\[\("sales_raw\.orders_api"\)\]/);
    assert.match(
      chart,
      /w_marts_sales_daily_revenue -->\|"sales-daily: publish \(Parquet, quality gate\)"\| t_sales_analytics_daily_revenue/,
    );
  });

  it("the dev report lists every table with its governance, classified columns, rules, and draws the lineage", async () => {
    const result = await planStack("dev");
    assert.ok(result.lineage, "the program exports its lineage");
    const report = markdownReport(result.document!, result.resources!, undefined, result.lineage);
    const section = report.slice(report.indexOf("## Datasets"), report.indexOf("## Policy verdicts"));
    const row = (table: string) => section.split("\n").find((l) => l.includes(`\`${table}\``)) ?? "";
    const orders = row("acme_data_dev_sales_curated.orders");
    for (const part of [
      "| sales | curated |",
      "head-of-sales-ops@acme.example",
      "minji.kim@acme.example",
      "| confidential |",
      "`s3://acme-data-dev-curated-123456789012/sales/orders/`",
      "| iceberg |",
      "**customer_email** string (restricted)",
      '`IsUnique "order_id"`',
      '`DataFreshness "created_at" <= 26 hours`',
      "| 26 h |",
    ])
      assert.ok(orders.includes(part), `${part} missing from ${orders}`);
    const revenue = row("acme_data_dev_sales_analytics.daily_revenue");
    assert.ok(revenue.includes("| parquet (by dt) |"), revenue);
    assert.ok(revenue.includes("`RowCount >= 1`<br>`RowCount <= 100000`"), revenue);
    assert.ok(row("acme_data_dev_sales_raw.orders_api").includes("| json (by dt) |"));
    assert.match(section, /### Lineage[\s\S]*```mermaid\nflowchart LR/);
    for (const e of [
      "s_orders_api -->",
      't_sales_raw_orders_api -->|"new objects"| l_orders_loader',
      'j_campaign_attribution -->|"writes (Iceberg)"| t_marketing_analytics_campaign_attribution',
    ])
      assert.ok(section.includes(e), `lineage lacks ${e}`);
  });
});
