import { strict as assert } from "node:assert";
import { streamTables } from "../../components/platform/catalog";
import { loadPlatformConfig } from "../../components/config";
import { rawTableSpec } from "../../components/datasets/raw";
import { glueDatabaseName } from "../../components/lake/DataLake";
import { platformOf } from "../support/config";
import { resourcesOf } from "../support/plan";

type Obj = Record<string, unknown>;
const TABLE = "aws:glue/catalogTable:CatalogTable";

describe("datasets: raw tables", () => {
  it("a source's raw table reads its own prefix, partitioned by projected dt", () => {
    const spec = rawTableSpec(
      {
        name: "orders-api",
        kind: "http",
        domain: "sales",
        schema: {
          type: "object",
          properties: { orderId: { type: "string" }, at: { type: "string", format: "date-time" } },
        },
      },
      { bucketName: "lake-raw" },
      { classification: "confidential", owner: "o@x.example", steward: "s@x.example" },
    );
    assert.equal(spec.name, "orders_api");
    assert.equal(spec.location, "s3://lake-raw/sales/source=orders-api/");
    assert.equal(spec.parameters["storage.location.template"], "s3://lake-raw/sales/source=orders-api/dt=${dt}/");
    assert.equal(spec.parameters["projection.enabled"], "true");
    assert.equal(spec.parameters["projection.dt.type"], "date");
    assert.equal(spec.parameters["projection.dt.format"], "yyyy-MM-dd");
    assert.deepEqual(
      spec.columns.map((c) => c.name),
      ["orderid", "at"],
    );
    // The JSON key keeps its case; the column is lower-case, so the SerDe maps one onto the other.
    assert.equal(spec.serdeParameters["mapping.orderid"], "orderId");
    assert.equal(spec.parameters["data-domain"], "sales");
    assert.equal(spec.parameters["data-classification"], "confidential");
  });

  it("db-events sources get the change envelope, keyed by the table's key schema", () => {
    const spec = rawTableSpec(
      {
        name: "carts",
        kind: "db-events",
        domain: "sales",
        table: { partitionKey: { name: "cart_id", type: "S" }, sortKey: { name: "line", type: "N" } },
      },
      { bucketName: "b", root: "raw/" },
      { classification: "restricted", owner: "o@x.example", steward: "s@x.example" },
    );
    assert.equal(spec.location, "s3://b/raw/sales/source=carts/");
    const types = Object.fromEntries(spec.columns.map((c) => [c.name, c.type]));
    assert.equal(types.keys, "struct<cart_id:string,line:double>");
    assert.equal(types.approximatecreationtime, "timestamp");
    assert.equal(spec.serdeParameters["mapping.newimage"], "newImage");
  });

  for (const stack of ["dev", "staging", "prod"] as const) {
    it(`${stack}: every raw-landing source has a table in its domain's raw database, over its own prefix`, async () => {
      const cfg = loadPlatformConfig(platformOf(stack), "eu-west-1");
      const tables = (await resourcesOf(stack)).filter((r) => r.type === TABLE && r.name.includes("-raw-"));
      const landing = cfg.ingestion.sources.filter((s) => s.kind !== "object-events");
      assert.ok(landing.length >= 4);
      // Delivered topics and stream processors land records too: one table each (test/streaming covers them).
      const streams = streamTables(cfg);
      assert.ok(streams.length >= 1, `${stack} lands at least one topic`);
      assert.equal(tables.length, landing.length + streams.length);
      for (const s of landing) {
        const t = tables.find((r) => r.name.endsWith(`-raw-${s.name}`));
        assert.ok(t, `${stack}: no raw table for ${s.name}`);
        const inputs = t!.inputs as Obj;
        assert.equal(inputs.databaseName, glueDatabaseName(cfg.name + "-" + cfg.environment, s.domain, "raw"));
        const sd = inputs.storageDescriptor as Obj;
        assert.match(sd.location as string, new RegExp(`^s3://[a-z0-9-]+/(raw/)?${s.domain}/source=${s.name}/$`));
        const params = inputs.parameters as Record<string, string>;
        assert.equal(params["storage.location.template"], `${sd.location}dt=\${dt}/`);
        assert.equal(params["data-domain"], s.domain);
        assert.equal(t!.protect ?? false, stack === "prod");
      }
    });
  }
});
