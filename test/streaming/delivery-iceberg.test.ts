import { strict as assert } from "assert";
import type { PolicyDocument } from "../../components/core/iam";
import { DELIVERY_TABLE_PERMISSIONS } from "../../components/dataflow/TopicDelivery";
import { DELIVERY_PROFILES } from "../../components/streaming/delivery";
import type { PlannedResource } from "../../policies/engine/args";
import { FIREHOSE_TYPE } from "../../policies/rules/firehose";
import { ACCOUNT_ID } from "../../tools/plan/mocks";
import { configProblems, platformOf } from "../support/config";
import { prodRoleDecider } from "../support/iam";
import { by, resourcesOf } from "../support/plan";

// Topic → Iceberg table with Firehose: the delivery names an Iceberg dataset of its topic's domain; the stream
// commits to that table through the Glue catalog (Lake Formation grant on that table only), keeps the rows it cannot
// deliver under the topic's `_errors/` prefix of the raw zone, alarms on the table's own freshness and failed rows,
// and its role reaches its topic, its table and its error prefix, nothing else.

type Platform = Record<string, unknown> & {
  streaming: { topics: Record<string, unknown>[] };
  domains: { name: string; datasets?: Record<string, unknown>[] }[];
};

describe("streaming: delivery into an Iceberg table, config", () => {
  it("takes an Iceberg dataset of the topic's domain and refuses anything else, naming the path", () => {
    const at = "platform.streaming.topics[2].delivery.table";
    const withTable = (table: string) => {
      const p = platformOf("prod") as Platform;
      const click = p.streaming.topics.findIndex((t) => t.name === "marketing.clickstream");
      assert.equal(click, 2);
      p.streaming.topics[click].delivery = { table };
      return p;
    };
    assert.deepEqual(configProblems(withTable("clickstream")), []);
    assert.deepEqual(configProblems(withTable("nope")), [
      `${at}: 'nope' is not a dataset of domain 'marketing' (domains[].datasets)`,
    ]);
    // Another domain's table is not the topic's to write.
    assert.deepEqual(configProblems(withTable("orders_live")), [
      `${at}: 'orders_live' is not a dataset of domain 'marketing' (domains[].datasets)`,
    ]);
    const json = withTable("clickstream");
    const ds = json.domains.find((d) => d.name === "marketing")!.datasets!.find((d) => d.name === "clickstream")!;
    ds.format = "json";
    delete ds.partitioning;
    assert.deepEqual(configProblems(json), [
      `${at}: 'clickstream' must be an Iceberg dataset in the curated or analytics zone`,
    ]);
  });
});

describe("streaming: the prod delivery of marketing.clickstream into its Iceberg table", function () {
  this.timeout(120_000);
  let prod: PlannedResource[];
  const stream = () =>
    by.name(prod, FIREHOSE_TYPE, "acme-data-delivery-marketing.clickstream-stream").inputs as Record<
      string,
      Record<string, unknown>
    >;
  before(async () => {
    prod = await resourcesOf("prod");
  });

  it("commits to the table through the Glue catalog, append only, buffered per profile, errors kept in the raw zone", () => {
    const s = stream();
    assert.equal(s.destination as unknown as string, "iceberg");
    assert.equal(s.extendedS3Configuration, undefined);
    assert.equal(s.mskSourceConfiguration.topicName, "marketing.clickstream");
    const ice = s.icebergConfiguration as Record<string, unknown> & {
      destinationTableConfigurations: Record<string, unknown>[];
      s3Configuration: Record<string, unknown>;
    };
    assert.equal(ice.catalogArn, `arn:aws:glue:eu-west-1:${ACCOUNT_ID}:catalog`);
    assert.equal(ice.appendOnly, true);
    assert.deepEqual(
      [ice.bufferingInterval, ice.bufferingSize],
      [DELIVERY_PROFILES.prod.bufferSeconds, DELIVERY_PROFILES.prod.bufferMb],
    );
    const errors =
      "marketing/topic=marketing.clickstream/_errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/";
    assert.deepEqual(ice.destinationTableConfigurations, [
      { databaseName: "acme_data_prod_marketing_curated", tableName: "clickstream", s3ErrorOutputPrefix: errors },
    ]);
    assert.equal(ice.s3BackupMode, "FailedDataOnly");
    assert.equal(ice.s3Configuration.errorOutputPrefix, errors);
    assert.match(String(ice.s3Configuration.bucketArn), /acme-data-prod-raw/);
    assert.match(String(ice.s3Configuration.kmsKeyArn), /^arn:aws:kms:/);
    assert.equal((ice.cloudwatchLoggingOptions as Record<string, unknown>).enabled, true);
    // The table is the catalog's Iceberg dataset, created before the stream; no raw table over an empty prefix.
    const table = by.name(
      prod,
      "aws:glue/catalogTable:CatalogTable",
      "acme-data-catalog-marketing-curated-clickstream",
    );
    assert.equal(table.inputs.tableType, "EXTERNAL_TABLE");
    assert.ok(
      by.type(prod, "aws:glue/catalogTable:CatalogTable").every((t) => t.inputs.name !== "topic_marketing_clickstream"),
    );
    const res = by.name(prod, FIREHOSE_TYPE, "acme-data-delivery-marketing.clickstream-stream");
    assert.ok(res.dependencies.includes(table.urn), "the stream waits for its table");
  });

  it("is granted its one table by name in Lake Formation, without grant option", () => {
    const grant = by.name(
      prod,
      "aws:lakeformation/permissions:Permissions",
      "acme-data-delivery-marketing.clickstream-table",
    ).inputs as Record<string, unknown>;
    assert.deepEqual(grant.permissions, [...DELIVERY_TABLE_PERMISSIONS]);
    assert.deepEqual(grant.table, { databaseName: "acme_data_prod_marketing_curated", name: "clickstream" });
    assert.equal(grant.permissionsWithGrantOptions, undefined);
  });

  it("alarms on the table's own freshness and on rows the table did not take", () => {
    const alarms = by
      .type(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
      .filter((a) => String(a.name).includes("delivery-marketing-clickstream"));
    assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), [
      "DeliveryToIceberg.DataFreshness",
      "DeliveryToIceberg.FailedRowCount",
    ]);
    const failed = alarms.find((a) => a.inputs.metricName === "DeliveryToIceberg.FailedRowCount")!.inputs;
    assert.deepEqual(
      [failed.statistic, failed.comparisonOperator, failed.threshold],
      ["Sum", "GreaterThanThreshold", 0],
    );
  });

  it("its role reads only its topic, writes only its table and its error prefix (IAM simulation)", async () => {
    const identity = JSON.parse(
      String(
        by.name(prod, "aws:iam/rolePolicy:RolePolicy", "acme-data-delivery-marketing.clickstream-role-policy").inputs
          .policy,
      ),
    ) as PolicyDocument;
    const cluster = String(identity.Statement.find((s) => s.Sid === "Brokers")?.Resource ?? "");
    const topicArn = (t: string) => cluster.replace(":cluster/", ":topic/") + `/${t}`;
    const curated = `arn:aws:s3:::acme-data-prod-curated-${ACCOUNT_ID}`;
    const raw = `arn:aws:s3:::acme-data-prod-raw-${ACCOUNT_ID}`;
    const glue = `arn:aws:glue:eu-west-1:${ACCOUNT_ID}`;
    const decide = prodRoleDecider(identity, "delivery");
    assert.equal(await decide("kafka-cluster:ReadData", topicArn("marketing.clickstream")), "Allowed");
    assert.notEqual(await decide("kafka-cluster:ReadData", topicArn("sales.orders")), "Allowed");
    assert.equal(
      await decide("s3:PutObject", `${curated}/marketing/clickstream/data/ts_day=2026-01-01/f.parquet`),
      "Allowed",
    );
    assert.equal(
      await decide("s3:PutObject", `${curated}/marketing/clickstream/metadata/00001.metadata.json`),
      "Allowed",
    );
    assert.notEqual(await decide("s3:PutObject", `${curated}/marketing/contacts/data/f.parquet`), "Allowed");
    assert.notEqual(await decide("s3:PutObject", `${curated}/sales/orders_live/data/f.parquet`), "Allowed");
    assert.equal(
      await decide("s3:PutObject", `${raw}/marketing/topic=marketing.clickstream/_errors/IcebergFailed/x.gz`),
      "Allowed",
    );
    assert.notEqual(await decide("s3:PutObject", `${raw}/marketing/source=web-events/dt=2026-01-01/x.json`), "Allowed");
    assert.equal(
      await decide("glue:UpdateTable", `${glue}:table/acme_data_prod_marketing_curated/clickstream`),
      "Allowed",
    );
    assert.notEqual(
      await decide("glue:UpdateTable", `${glue}:table/acme_data_prod_marketing_curated/contacts`),
      "Allowed",
    );
    assert.notEqual(
      await decide("glue:UpdateTable", `${glue}:table/acme_data_prod_sales_curated/orders_live`),
      "Allowed",
    );
  });
});
