import { strict as assert } from "assert";
import { CDC_PROFILES } from "../../components/cdc/config";
import { cdcAlarmSpecs, DMS_SERVERLESS_DIMENSION } from "../../components/dataflow/CdcSource";
import { tableMappings } from "../../components/cdc/documents";
import { loadPlatformConfig } from "../../components/config";
import type { PolicyDocument } from "../../components/core/iam";
import { prodRoleDecider } from "../support/iam";
import type { PlannedResource } from "../../policies/engine/args";
import { ACCOUNT_ID, hex } from "../../tools/plan/mocks";
import { configProblems, platformOf } from "../support/config";
import { by, resourcesOf } from "../support/plan";

// The `cdc` source kind: config errors name their path, and the prod stack's replication is private, encrypted,
// TLS to its source, alarmed, and runs as a role that reaches only its own raw prefix and secret.

type Platform = Record<string, unknown> & { sources: Record<string, unknown>[] };
const REGION = "eu-west-1";
const PREFIX = "acme-data-prod";

function prodWith(edit: (p: Platform) => void): string[] {
  const p = platformOf("prod") as Platform;
  edit(p);
  return configProblems(p);
}
const billing = (p: Platform) => p.sources.find((s) => s.name === "billing-db") as Record<string, unknown>;

describe("cdc: config", () => {
  it("resolves the prod source with the profile's capacity, multi-AZ, lag threshold and verify-full TLS", () => {
    const cdc = loadPlatformConfig(platformOf("prod"), REGION).ingestion.cdc;
    assert.equal(cdc.length, 1);
    const [s] = cdc;
    assert.deepEqual(
      [s.sslMode, s.maxCapacityUnits, s.multiAz, s.maxLagSeconds, s.endpoint.port],
      ["verify-full", CDC_PROFILES.prod.maxCapacityUnits, true, CDC_PROFILES.prod.maxLagSeconds, 5432],
    );
    assert.deepEqual(s.tables[0].key, ["invoice_id"]);
    assert.equal(s.tables[0].target, "invoices");
    assert.equal(s.tables[0].columns[0].name, "invoice_id", "columns keep their order");
  });

  it("names the path of every mistake", () => {
    const problems = prodWith((p) => {
      const s = billing(p);
      s.engine = "oracle";
      s.sslMode = "none";
      s.maxCapacityUnits = 3;
      s.credentialsSecretArn = "billing-secret";
    });
    for (const field of ["engine", "sslMode", "maxCapacityUnits", "credentialsSecretArn"])
      assert.ok(
        problems.some((m) => m.startsWith(`platform.sources[7].${field}:`)),
        `${field}: ${problems.join("\n")}`,
      );
  });

  it("refuses a key that is not a column, reserved column names, unportable types and taken staging tables", () => {
    const problems = prodWith((p) => {
      const s = billing(p);
      s.tables = [
        { name: "public.invoices", key: ["id"], columns: { invoice_id: "bigint", _op: "varchar(1)" } },
        { name: "public.orders", key: ["order_id"], columns: { order_id: "bigint" } },
        { name: "billing.invoices", key: ["invoice_id"], columns: { invoice_id: "bigint" } },
      ];
    });
    const at = (i: number, f: string) => problems.filter((m) => m.startsWith(`platform.sources[7].tables[${i}].${f}`));
    assert.match(at(0, "key").join(), /'id' is not one of the columns/);
    assert.match(at(0, "columns._op").join(), /reserved for CDC metadata/);
    assert.match(at(1, "name").join(), /'orders' is already taken by a loader/);
    assert.match(at(2, "name").join(), /'invoices' is already taken by billing-db:public.invoices/);
  });

  it("refuses column types that PostgreSQL and Redshift do not share", () => {
    const problems = prodWith((p) => {
      billing(p).tables = [{ name: "public.docs", key: ["id"], columns: { id: "bigint", doc: "jsonb" } }];
    });
    assert.ok(
      problems.some((m) => /^platform\.sources\[7\]\.tables\[0\]\.columns\.doc: must be smallint/.test(m)),
      problems.join("\n"),
    );
  });

  it("needs the warehouse, and an object-events source cannot load a cdc source", () => {
    const problems = prodWith((p) => {
      (p.warehouse as Record<string, unknown>) = { enabled: false };
      p.sources = p.sources.filter((s) => s.kind !== "object-events");
      p.pipelines = [];
    });
    assert.ok(
      problems.some((m) => /sources\[\d\]\.kind: cdc changes are merged into the warehouse/.test(m)),
      problems.join("\n"),
    );
    const loader = prodWith((p) => {
      (p.sources.find((s) => s.name === "orders-loader") as Record<string, unknown>).from = "billing-db";
    });
    assert.ok(
      loader.some((m) => /from: 'billing-db' is a cdc source/.test(m)),
      loader.join("\n"),
    );
  });
});

describe("cdc: the prod replication", function () {
  this.timeout(120_000);
  let prod: PlannedResource[];
  const one = (type: string) => {
    const found = by.type(prod, type).filter((r) => String(r.name).includes("-cdc-billing-db"));
    assert.equal(found.length, 1, type);
    return found[0];
  };
  before(async () => {
    prod = await resourcesOf("prod");
  });

  it("replicates full load and changes of exactly the configured tables, with the change sequence added", () => {
    const r = one("aws:dms/replicationConfig:ReplicationConfig");
    assert.equal(r.inputs.replicationType, "full-load-and-cdc");
    assert.equal(r.inputs.startReplication, true);
    const mappings = JSON.parse(String(r.inputs.tableMappings));
    assert.deepEqual(mappings, tableMappings(loadPlatformConfig(platformOf("prod"), REGION).ingestion.cdc[0]));
    assert.deepEqual(
      mappings.rules.map((x: Record<string, unknown>) => [x["rule-action"], x["object-locator"]]),
      [
        ["include", { "schema-name": "public", "table-name": "invoices" }],
        ["add-column", { "schema-name": "public", "table-name": "invoices" }],
      ],
    );
  });

  it("runs in the private subnets behind its own group, which only reaches the database and HTTPS", () => {
    const r = one("aws:dms/replicationConfig:ReplicationConfig");
    const subnets = one("aws:dms/replicationSubnetGroup:ReplicationSubnetGroup");
    const sg = one("aws:ec2/securityGroup:SecurityGroup");
    const compute = r.inputs.computeConfig as Record<string, unknown>;
    assert.equal(compute.replicationSubnetGroupId, subnets.inputs.replicationSubnetGroupId);
    // The mocks derive ids from type and name, so the wiring is checked against the exact resources.
    const idOf = (r: PlannedResource, prefix: string) => `${prefix}-${hex(`${r.type}:${r.name}`, 17)}`;
    assert.deepEqual(compute.vpcSecurityGroupIds, [idOf(sg, "sg")]);
    assert.equal(compute.multiAz, true);
    const privateSubnets = by
      .type(prod, "aws:ec2/subnet:Subnet")
      .filter((s) => String(s.name).includes("private"))
      .map((s) => idOf(s, "subnet"));
    assert.equal(privateSubnets.length, 3);
    assert.deepEqual(subnets.inputs.subnetIds, privateSubnets);
    assert.deepEqual(sg.inputs.ingress, []);
    assert.deepEqual(
      (sg.inputs.egress as Record<string, unknown>[]).map((e) => [e.fromPort, e.cidrBlocks]),
      [
        [5432, ["10.40.0.0/16"]],
        [443, ["0.0.0.0/0"]],
      ],
    );
  });

  it("reads its source over verified TLS with the secret's credentials and lands Parquet with the zone's key", () => {
    const source = one("aws:dms/endpoint:Endpoint");
    const target = one("aws:dms/s3Endpoint:S3Endpoint");
    const role = one("aws:iam/role:Role");
    assert.equal(source.inputs.sslMode, "verify-full");
    assert.equal(source.inputs.password, undefined);
    assert.match(String(source.inputs.secretsManagerArn), /secret:acme-data-prod\/billing-replication/);
    assert.equal(target.inputs.bucketFolder, "sales/source=billing-db");
    assert.deepEqual(
      [target.inputs.dataFormat, target.inputs.encryptionMode, target.inputs.includeOpForFullLoad],
      ["parquet", "SSE_KMS", true],
    );
    assert.equal(target.inputs.timestampColumnName, "_commit_ts");
    assert.match(String(target.inputs.serviceAccessRoleArn), new RegExp(`role/${PREFIX}/`));
    assert.ok(role.inputs.permissionsBoundary, "under the permissions boundary");
  });

  it("alarms on lag on both sides, and on silence (a stopped or failed replication)", () => {
    const alarms = by
      .type(prod, "aws:cloudwatch/metricAlarm:MetricAlarm")
      .filter((a) => String(a.name).includes("cdc-billing-db"));
    assert.deepEqual(alarms.map((a) => a.inputs.metricName).sort(), ["CDCLatencySource", "CDCLatencyTarget"]);
    for (const a of alarms) {
      assert.equal(a.inputs.treatMissingData, "breaching");
      assert.equal(a.inputs.threshold, CDC_PROFILES.prod.maxLagSeconds);
      assert.deepEqual(a.inputs.dimensions, { [DMS_SERVERLESS_DIMENSION]: `${PREFIX}-billing-db` });
      assert.equal((a.inputs.alarmActions as string[]).length, 1);
    }
    assert.equal(cdcAlarmSpecs({ name: "x", maxLagSeconds: 60 }, "id").length, 2);
  });

  it("its role writes only its own raw prefix and reads only its own secret (IAM simulation)", async () => {
    const policy = one("aws:iam/rolePolicy:RolePolicy");
    const identity = JSON.parse(String(policy.inputs.policy)) as PolicyDocument;
    const raw = `arn:aws:s3:::${PREFIX}-raw-${ACCOUNT_ID}`;
    const decide = prodRoleDecider(identity, "dms");
    const secret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:acme-data-prod/billing-replication-Ef34Gh`;
    assert.equal(
      await decide("s3:PutObject", `${raw}/sales/source=billing-db/public/invoices/LOAD00000001.parquet`),
      "Allowed",
    );
    assert.equal(
      await decide("s3:DeleteObject", `${raw}/sales/source=billing-db/public/invoices/x.parquet`),
      "Allowed",
    );
    assert.equal(await decide("s3:ListBucket", raw, { "s3:prefix": "sales/source=billing-db/" }), "Allowed");
    assert.equal(await decide("secretsmanager:GetSecretValue", secret), "Allowed");
    assert.notEqual(await decide("s3:PutObject", `${raw}/sales/source=orders-api/dt=2026-01-01/o.json`), "Allowed");
    assert.notEqual(await decide("s3:DeleteObject", `${raw}/marketing/source=web-events/x.json`), "Allowed");
    assert.notEqual(await decide("s3:ListBucket", raw, { "s3:prefix": "sales/" }), "Allowed");
    assert.notEqual(
      await decide(
        "secretsmanager:GetSecretValue",
        `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:other-AbCdEf`,
      ),
      "Allowed",
    );
    assert.notEqual(await decide("s3:GetObject", `arn:aws:s3:::${PREFIX}-curated-${ACCOUNT_ID}/sales/x`), "Allowed");
  });
});
