import { strict as assert } from "node:assert";
import { loadPlatformConfig } from "../../components/config";
import { configProblems, platformOf } from "../support/config";

type Obj = Record<string, unknown>;
const domains = (p: Obj) => p.domains as Obj[];
const datasetsOf = (p: Obj, i: number) => domains(p)[i].datasets as Obj[];

describe("datasets: config", () => {
  it("the committed stacks declare a curated and a published analytics dataset for every domain with sources", () => {
    for (const stack of ["dev", "staging", "prod"] as const) {
      const cfg = loadPlatformConfig(platformOf(stack), "eu-west-1");
      const withSources = new Set(cfg.ingestion.sources.map((s) => s.domain));
      for (const domain of withSources) {
        const ds = cfg.datasets.filter((d) => d.domain === domain);
        assert.ok(
          ds.some((d) => d.zone === "curated"),
          `${stack}: ${domain} has no curated dataset`,
        );
        assert.ok(
          ds.some((d) => d.zone === "analytics"),
          `${stack}: ${domain} has no analytics dataset`,
        );
      }
    }
  });

  it("resolves owner, steward, classification, format and column classifications from the domain", () => {
    const cfg = loadPlatformConfig(platformOf("dev"), "eu-west-1");
    const orders = cfg.datasets.find((d) => d.name === "orders")!;
    assert.equal(orders.owner, "head-of-sales-ops@acme.example");
    assert.equal(orders.steward, "minji.kim@acme.example");
    assert.equal(orders.classification, "confidential");
    assert.equal(orders.format, "iceberg");
    const email = orders.columns.find((c) => c.name === "customer_email")!;
    assert.deepEqual([email.classification, email.classified], ["restricted", true]);
    const id = orders.columns.find((c) => c.name === "order_id")!;
    assert.deepEqual([id.classification, id.classified], ["confidential", false]);
    const revenue = cfg.datasets.find((d) => d.name === "daily_revenue")!;
    assert.deepEqual(revenue.publishedBy, ["sales-daily"]);
    assert.equal(revenue.format, "parquet");
  });

  it("lists every problem by its path, and declares nothing", () => {
    const p = platformOf("dev");
    const ds = datasetsOf(p, 0);
    const orders = ds[0] as Obj;
    const cols = orders.columns as Obj[];
    cols[1].type = "varchar(10)"; // not a Glue type
    cols[2].classification = "internal"; // weaker than the confidential domain
    cols.push({ name: "order_id", type: "string" }); // duplicate
    cols.push({ name: "lines", type: "array<string>" }); // nested in an Iceberg table
    orders.partitioning = [{ column: "nope", transform: "day" }];
    orders.quality = {
      unique: ["missing"],
      rowCount: { min: 10, max: 1 },
      freshnessColumn: "currency",
      allowedValues: { currency: ['EU"R'] }, // DQDL cannot quote it
    };
    ds.push({ ...orders, columns: [{ name: "x", type: "string" }], partitioning: undefined, quality: undefined });
    (ds[1] as Obj).format = "iceberg"; // published by the warehouse export
    ds.push({ name: "bad", zone: "lake", columns: [], freshnessHours: 169 });
    const problems = configProblems(p);
    const expected = [
      "platform.domains[0].datasets[3].zone: must be one of raw | curated | analytics",
      "platform.domains[0].datasets[3].columns: must declare at least one column",
      "platform.domains[0].datasets[3].freshnessHours: must be at most 168 (a week: the longest a CloudWatch alarm watches)",
    ];
    for (const e of expected) assert.ok(problems.includes(e), `missing: ${e}\n${problems.join("\n")}`);

    // Schema-valid again: the cross-checks report every remaining problem at once.
    ds.pop();
    const more = configProblems(p);
    const at = (f: string) => more.find((m) => m.startsWith(`platform.domains[0].datasets[${f}`));
    assert.match(at("0].columns[1].type")!, /is not a Glue type: unknown type 'varchar'/);
    assert.match(at("0].columns[2].classification")!, /weaker than the domain's 'confidential'/);
    assert.match(at("0].columns[6].name")!, /duplicate column 'order_id'/);
    assert.match(at("0].columns[7].type")!, /Iceberg datasets take primitive columns/);
    assert.match(at("0].partitioning[0].column")!, /names no column of the dataset \('nope'\)/);
    assert.match(at("0].quality.unique[0]")!, /names no column/);
    assert.match(at("0].quality.rowCount")!, /min \(10\) is above max \(1\)/);
    assert.match(at("0].quality.freshnessColumn")!, /'currency' is not a timestamp or date column/);
    assert.match(at("0].quality.allowedValues.currency[0]")!, /must not contain double quotes/);
    assert.match(at("2].name")!, /duplicate dataset 'orders' in the curated zone/);
    assert.ok(
      more.includes(
        "platform.pipelines[0].publish[0].dataset: 'daily_revenue' is published by the warehouse export, which writes Parquet files (it cannot commit Iceberg snapshots): declare it with format: parquet",
      ),
      more.join("\n"),
    );
  });

  it("a published mart must be a declared analytics dataset of the pipeline's domain", () => {
    const p = platformOf("dev");
    datasetsOf(p, 0).splice(1, 1);
    assert.deepEqual(configProblems(p), [
      "platform.pipelines[0].publish[0].dataset: 'daily_revenue' is not an analytics dataset of domain 'sales': declare it under domains[0].datasets",
    ]);
  });

  it("a published mart takes only columns the Parquet export writes (scalars and decimals)", () => {
    const p = platformOf("dev");
    ((datasetsOf(p, 0)[1] as Obj).columns as Obj[]).push({ name: "tags", type: "array<string>" });
    assert.deepEqual(configProblems(p), [
      "platform.pipelines[0].publish[0].dataset: 'daily_revenue' column 'tags' (domains[0].datasets columns[4]) is array<string>; the warehouse export writes scalar and decimal columns only",
    ]);
  });

  it("a raw dataset cannot take the name of a source's derived raw table", () => {
    const p = platformOf("dev");
    datasetsOf(p, 0).push({ name: "orders_api", zone: "raw", columns: [{ name: "a", type: "string" }] });
    assert.deepEqual(configProblems(p), [
      "platform.domains[0].datasets[2].name: is the raw table of source 'orders-api', which the platform derives itself",
    ]);
  });
});
