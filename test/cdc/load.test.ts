import { strict as assert } from "assert";
import type { PolicyDocument } from "../../components/core/iam";
import { CDC_LOAD_SCHEDULE } from "../../components/cdc/load";
import type { PlannedResource } from "../../policies/engine/args";
import { ACCOUNT_ID } from "../../tools/plan/mocks";
import { prodRoleDecider } from "../support/iam";
import { by, planFile, resourcesOf, stackVariant } from "../support/plan";

// The scheduled warehouse side of the prod `billing-db` cdc source: a function in the VPC on the profile's schedule
// that signs in as the ingestion login, and a copy role Redshift assumes (associated with its namespace) that reads
// only the cdc sources' prefixes.

const RAW = `arn:aws:s3:::acme-data-prod-raw-${ACCOUNT_ID}`;
const policyOf = (rs: readonly PlannedResource[], name: string) =>
  JSON.parse(String(by.name(rs, "aws:iam/rolePolicy:RolePolicy", name).inputs.policy)) as PolicyDocument;

describe("cdc: the prod load of billing-db into warehouse staging", function () {
  this.timeout(120_000);
  let prod: PlannedResource[];
  before(async () => (prod = await resourcesOf("prod")));

  it("runs on the profile's schedule in the VPC, as the ingestion login, with the copy role and the source's tables", () => {
    const schedule = by.name(prod, "aws:scheduler/schedule:Schedule", "acme-data-cdc-load-billing-db-schedule").inputs;
    assert.equal(schedule.scheduleExpression, CDC_LOAD_SCHEDULE.prod);
    assert.equal(CDC_LOAD_SCHEDULE.dev, "rate(1 hour)", "dev merges hourly: the fewest warehouse wake-ups");
    const fn = by.name(prod, "aws:lambda/function:Function", "acme-data-cdc-load-billing-db-fn-fn").inputs as Record<
      string,
      Record<string, unknown>
    >;
    const env = (fn.environment as { variables: Record<string, string> }).variables;
    assert.equal(env.WAREHOUSE_ENGINE, "redshift");
    assert.match(env.WAREHOUSE_SECRET_ARN, /ingestion_loader/);
    assert.match(env.WAREHOUSE_COPY_ROLE_ARN, /acme-data-warehouse-copy/);
    assert.equal(env.RAW_BUCKET, `acme-data-prod-raw-${ACCOUNT_ID}`);
    assert.ok((fn.vpcConfig.subnetIds as string[]).length >= 2, "in the private subnets");
    const namespace = by.type(prod, "aws:redshiftserverless/namespace:Namespace")[0].inputs;
    assert.deepEqual(namespace.iamRoles, [env.WAREHOUSE_COPY_ROLE_ARN]);
  });

  it("the COPY role reads the cdc prefix and no other source's records; the function writes only its manifests (IAM simulation)", async () => {
    const copy = prodRoleDecider(policyOf(prod, "acme-data-warehouse-copy-policy"), "warehouse-copy");
    const parquet = `${RAW}/sales/source=billing-db/public/invoices/2026/01/02/20260102-1.parquet`;
    assert.equal(await copy("s3:GetObject", parquet), "Allowed");
    assert.notEqual(await copy("s3:GetObject", `${RAW}/sales/source=orders-api/dt=2026-01-02/o.json`), "Allowed");
    assert.notEqual(await copy("s3:PutObject", parquet), "Allowed");
    const trust = JSON.parse(
      String(by.name(prod, "aws:iam/role:Role", "acme-data-warehouse-copy").inputs.assumeRolePolicy),
    ) as PolicyDocument;
    assert.deepEqual(trust.Statement[0].Principal, {
      Service: ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"],
    });

    const load = prodRoleDecider(policyOf(prod, "acme-data-cdc-load-billing-db-fn-role-policy"), "cdc-load");
    assert.equal(await load("s3:GetObject", parquet), "Allowed");
    assert.equal(
      await load("s3:PutObject", `${RAW}/sales/source=billing-db/_manifests/invoices/20260102.json`),
      "Allowed",
    );
    assert.notEqual(await load("s3:PutObject", parquet), "Allowed", "never writes DMS's files");
  });

  it("is watched: its errors and its schedule's dead-letter queue alarm", () => {
    const alarms = by
      .type(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
      .map((a) => String(a.name))
      .filter((n) => n.includes("cdc-load-billing-db"));
    assert.ok(alarms.some((n) => n.endsWith("-errors")));
    assert.ok(alarms.some((n) => n.endsWith("-dlq-depth")));
  });
});

describe("cdc: the load on an Aurora PostgreSQL warehouse (dev with a cdc source)", function () {
  this.timeout(180_000);
  it("is scheduled too, without a COPY role: the function reads the Parquet files and streams them in", async () => {
    const file = stackVariant("dev", "dev", (p) => {
      (p.sources as Record<string, unknown>[]).push({
        name: "billing-db",
        kind: "cdc",
        domain: "sales",
        description: "Invoices of the billing system",
        engine: "postgres",
        endpoint: { host: "billing-db.internal.acme.example", cidr: "10.40.0.0/16" },
        database: "billing",
        credentialsSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-data-dev/billing-Ab12Cd",
        tables: [
          { name: "public.invoices", key: ["invoice_id"], columns: { invoice_id: "bigint", status: "varchar(16)" } },
        ],
      });
    });
    const result = await planFile(file);
    assert.equal(result.code, 0, JSON.stringify(result.document?.policies.filter((v) => v.level === "mandatory")));
    const rs = result.resources!;
    assert.equal(by.type(rs, "aws:redshiftserverless/namespace:Namespace").length, 0, "dev's warehouse is Aurora");
    const schedule = by.name(rs, "aws:scheduler/schedule:Schedule", "acme-data-cdc-load-billing-db-schedule").inputs;
    assert.equal(schedule.scheduleExpression, CDC_LOAD_SCHEDULE.dev);
    const fn = by.name(rs, "aws:lambda/function:Function", "acme-data-cdc-load-billing-db-fn-fn").inputs as Record<
      string,
      Record<string, unknown>
    >;
    const env = (fn.environment as { variables: Record<string, string> }).variables;
    assert.equal(env.WAREHOUSE_ENGINE, "postgres");
    assert.equal(env.WAREHOUSE_COPY_ROLE_ARN, undefined);
    assert.ok(!rs.some((r) => r.type === "aws:iam/role:Role" && /-warehouse-copy$/.test(r.name)));
    const load = prodRoleDecider(policyOf(rs, "acme-data-cdc-load-billing-db-fn-role-policy"), "cdc-load");
    const devRaw = `arn:aws:s3:::acme-data-dev-raw-${ACCOUNT_ID}`;
    assert.equal(
      await load("s3:GetObject", `${devRaw}/sales/source=billing-db/public/invoices/LOAD00000001.parquet`),
      "Allowed",
    );
    assert.notEqual(await load("s3:GetObject", `${devRaw}/sales/source=orders-api/dt=2026-01-02/o.json`), "Allowed");
  });
});
