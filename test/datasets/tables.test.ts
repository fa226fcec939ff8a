import { strict as assert } from "node:assert";
import { MAINTENANCE } from "../../components/datasets/iceberg";
import { resourcesOf } from "../support/plan";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const T = {
  table: "aws:glue/catalogTable:CatalogTable",
  optimizer: "aws:glue/catalogTableOptimizer:CatalogTableOptimizer",
  tags: "aws:lakeformation/resourceLfTags:ResourceLfTags",
  filter: "aws:lakeformation/dataCellsFilter:DataCellsFilter",
  grant: "aws:lakeformation/permissions:Permissions",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

const PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

describe("datasets: declared tables", () => {
  it("curated and analytics datasets are Iceberg tables created from the declared schema and partition spec", async () => {
    const rs = await resourcesOf("prod");
    const orders = rs.find((r) => r.type === T.table && r.name.endsWith("-sales-curated-orders"))!;
    const i = orders.inputs as Obj;
    assert.equal(i.databaseName, "acme_data_prod_sales_curated");
    const input = i.openTableFormatInput.icebergInput;
    assert.equal(input.metadataOperation, "CREATE");
    const t = input.icebergTableInput;
    assert.match(t.location, /^s3:\/\/acme-data-prod-curated-\d{12}\/sales\/orders\/$/);
    assert.deepEqual(
      t.schema.fields.map((f: Obj) => `${f.id}:${f.name}:${f.type}`),
      [
        "1:order_id:string",
        "2:customer_id:string",
        "3:customer_email:string",
        "4:amount:decimal(12,2)",
        "5:currency:string",
        "6:created_at:timestamptz",
      ],
    );
    assert.deepEqual(t.partitionSpec.fields, [
      { name: "created_at_day", sourceId: 6, transform: "day", fieldId: 1000 },
    ]);
    assert.equal(i.parameters["data-steward"], "minji.kim@acme.example");
    assert.equal(orders.protect, true);
  });

  it("a dataset published by the warehouse export is a day-partitioned Parquet table where the runner writes", async () => {
    const rs = await resourcesOf("dev");
    const t = rs.find((r) => r.type === T.table && r.name.endsWith("-sales-analytics-daily_revenue"))!.inputs as Obj;
    assert.match(t.storageDescriptor.location, /^s3:\/\/acme-data-dev-analytics-\d{12}\/sales\/daily_revenue\/$/);
    assert.equal(t.parameters["storage.location.template"], `${t.storageDescriptor.location}dt=\${dt}/`);
    assert.equal(t.parameters["data-platform:published-by"], "sales-daily");
    assert.equal(t.storageDescriptor.serDeInfo.serializationLibrary, PARQUET_SERDE);
    assert.deepEqual(
      t.storageDescriptor.columns.map((c: Obj) => `${c.name} ${c.type}`),
      ["day date", "currency string", "orders bigint", "revenue double"],
    );
  });

  for (const stack of ["dev", "prod"] as const) {
    it(`${stack}: Iceberg tables are maintained per profile`, async () => {
      const rs = await resourcesOf(stack);
      const m = MAINTENANCE[stack];
      const icebergTables = rs.filter((r) => r.type === T.table && (r.inputs as Obj).openTableFormatInput);
      // prod also declares orders_live (its streaming application's table) and clickstream (its Firehose delivery's).
      assert.equal(icebergTables.length, stack === "prod" ? 5 : 3);
      for (const t of icebergTables) {
        const opts = rs.filter((r) => r.type === T.optimizer && (r.inputs as Obj).tableName === (t.inputs as Obj).name);
        const types = opts.map((o) => (o.inputs as Obj).type).sort();
        assert.deepEqual(
          types,
          m.compaction ? ["compaction", "orphan_file_deletion", "retention"] : ["orphan_file_deletion", "retention"],
        );
        const retention = opts.find((o) => (o.inputs as Obj).type === "retention")!.inputs as Obj;
        assert.equal(
          retention.configuration.retentionConfiguration.icebergConfiguration.snapshotRetentionPeriodInDays,
          m.snapshotRetentionDays,
        );
        assert.ok(opts.every((o) => (o.inputs as Obj).configuration.enabled === true));
      }
    });
  }

  it("alarms when an Iceberg dataset receives no data within its freshness expectation, on S3 writes to its data files", async () => {
    const rs = await resourcesOf("prod");
    const metrics = rs.filter((r) => r.type === "aws:s3/bucketMetric:BucketMetric").map((r) => r.inputs as Obj);
    const alarms = rs
      .filter(
        (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && /-(curated|analytics)-.*-freshness$/.test(r.name),
      )
      .map((r) => r.inputs as Obj);
    // The five Iceberg datasets of prod declare freshnessHours: orders 26, orders_live 1, contacts 48, attribution 48,
    // clickstream 1.
    assert.deepEqual(alarms.map((a) => [a.name, a.dimensions.FilterId, a.evaluationPeriods]).sort(), [
      [
        "acme-data-prod-marketing-analytics-campaign-attribution-freshness",
        "dataset-marketing-analytics-campaign_attribution",
        48,
      ],
      ["acme-data-prod-marketing-curated-clickstream-freshness", "dataset-marketing-curated-clickstream", 1],
      ["acme-data-prod-marketing-curated-contacts-freshness", "dataset-marketing-curated-contacts", 48],
      ["acme-data-prod-sales-curated-orders-freshness", "dataset-sales-curated-orders", 26],
      ["acme-data-prod-sales-curated-orders-live-freshness", "dataset-sales-curated-orders_live", 1],
    ]);
    const tables = rs
      .filter((r) => r.type === T.table && (r.inputs as Obj).openTableFormatInput)
      .map((r) => r.inputs as Obj);
    for (const a of alarms) {
      assert.deepEqual(
        [a.namespace, a.metricName, a.statistic, a.period, a.threshold, a.comparisonOperator, a.treatMissingData],
        ["AWS/S3", "PutRequests", "Sum", 3600, 1, "LessThanThreshold", "breaching"],
      );
      assert.equal(a.alarmActions.length, 1, "notifies the alerts topic");
      // The filter counts writes under the table's own data/ prefix, in the table's bucket.
      const m = metrics.find((x) => x.name === a.dimensions.FilterId)!;
      assert.equal(m.bucket, a.dimensions.BucketName);
      const location = `s3://${m.bucket}/${m.filter.prefix.replace(/data\/$/, "")}`;
      assert.ok(
        tables.some(
          (t) =>
            t.storageDescriptor?.location === location ||
            t.openTableFormatInput.icebergInput.icebergTableInput?.location === location,
        ),
        `${m.filter.prefix} is an Iceberg table's data prefix`,
      );
    }
  });

  it("prod keeps snapshots longer than dev and staging", () => {
    assert.ok(MAINTENANCE.prod.snapshotRetentionDays > MAINTENANCE.staging.snapshotRetentionDays);
    assert.ok(MAINTENANCE.staging.snapshotRetentionDays > MAINTENANCE.dev.snapshotRetentionDays);
  });

  it("classified columns carry their classification LF-tag; row filters are data-cells filters", async () => {
    const rs = await resourcesOf("prod");
    const tags = rs.filter((r) => r.type === T.tags && (r.inputs as Obj).tableWithColumns).map((r) => r.inputs as Obj);
    const email = tags.find((t) => t.tableWithColumns.name === "orders")!;
    assert.deepEqual(email.tableWithColumns.columnNames, ["customer_email"]);
    assert.deepEqual(email.lfTags, [{ key: "acme-data-prod:classification", value: "restricted" }]);
    assert.ok(
      tags.some((t) => t.tableWithColumns.name === "contacts" && t.tableWithColumns.columnNames[0] === "email"),
    );
    const filter = rs.find((r) => r.type === T.filter)!.inputs as Obj;
    assert.equal(filter.tableData.name, "orders_eur");
    assert.equal(filter.tableData.rowFilter.filterExpression, "currency = 'EUR'");
    assert.deepEqual(filter.tableData.columnWildcard, { excludedColumnNames: ["customer_email"] });
  });

  it("the optimizer role reaches only the Iceberg datasets' files, and is granted per domain without grant option", async () => {
    const rs = await resourcesOf("prod");
    const policy = JSON.parse(
      (rs.find((r) => r.type === T.rolePolicy && r.name.includes("catalog-optimizer"))!.inputs as Obj).policy,
    );
    const files = policy.Statement.find((s: Obj) => s.Sid === "TableFiles");
    assert.deepEqual(
      files.Resource.map((r: string) => r.replace(/^arn:aws:s3:::acme-data-prod-/, "").replace(/-\d{12}/, "")),
      [
        "curated/sales/orders/*",
        "curated/sales/orders_live/*",
        "curated/marketing/contacts/*",
        "analytics/marketing/campaign_attribution/*",
        "curated/marketing/clickstream/*",
      ],
    );
    const grants = rs.filter((r) => r.type === T.grant && r.name.includes("catalog-optimizer"));
    assert.equal(grants.length, 2);
    for (const g of grants) assert.equal((g.inputs as Obj).permissionsWithGrantOptions, undefined);
  });
});
