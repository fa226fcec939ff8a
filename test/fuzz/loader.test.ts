// Fuzz: the object loader against a real local S3 server and a real PostgreSQL. Whatever the objects of a day hold,
// load-day completes: each record is loaded once with its exact value (jsonb compares numbers exactly) or lands in
// load_rejects with a reason; a second run loads nothing more.
import { strict as assert } from "assert";
import fc from "fast-check";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { Client } from "pg";
import { createLoader } from "../../components/ingestion/handlers/loader";
import { stringifyJson, unstorable } from "../../components/ingestion/records/json";
import { stagingDdl, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { capturedMetrics, LocalS3, LocalWarehouse, quietLogger, startLocalWarehouse } from "../ingestion/support";
import { json, Json, params } from "./support";

const ROOT = "sales/source=fuzz/";

describe("fuzz: object loader", function () {
  this.timeout(0);
  let local: LocalWarehouse;
  let s3: LocalS3;
  let admin: Client;
  let warehouse: Warehouse;
  before(async () => {
    local = await startLocalWarehouse(["raw"]);
    ({ s3, admin, warehouse } = local);
    for (const ddl of stagingDdl("fuzz", "postgres")) await local.admin.query(ddl);
  });
  after(() => local.stop());

  it("load-day never blocks: every record loaded exactly once with its exact value, or rejected with a reason", async () => {
    let day = 0;
    const record = fc.dictionary(fc.string({ maxLength: 6 }), json(3), { maxKeys: 4 });
    const object = fc.oneof(
      fc
        .array(record, { minLength: 1, maxLength: 3 })
        .map((rs) => ({ text: rs.map((r) => stringifyJson(r)).join("\n"), rs })),
      record.map((r) => ({ text: stringifyJson(r), rs: [r] })),
      fc.string({ maxLength: 20 }).map((t) => ({ text: `{"broken": ${t}`, rs: undefined })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(object, { minLength: 1, maxLength: 3 }), async (objects) => {
        const d = new Date(Date.UTC(2020, 0, 1) + day++ * 86_400_000).toISOString().slice(0, 10);
        await Promise.all(
          objects.map((o, i) =>
            s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: `${ROOT}dt=${d}/o${i}.json`, Body: o.text })),
          ),
        );
        const loader = createLoader({
          config: { name: "fuzz", root: ROOT, table: "fuzz" },
          bucket: "raw",
          s3: s3.client,
          warehouse,
          logger: quietLogger(),
          metrics: capturedMetrics("fuzz").metrics,
        });
        const r = (await loader.handler({ action: "load-day", day: d })) as {
          loaded: number;
          rows: number;
          rejected: number;
        };
        assert.equal(r.loaded, objects.length, "every object completes");
        const again = (await loader.handler({ action: "load-day", day: d })) as { loaded: number; rows: number };
        assert.equal(again.rows, 0, "a second run loads nothing more");
        const loadable = (rs: Json[]) => rs.filter((x) => unstorable(x, "record", { warehouse: true }).length === 0);
        for (const [i, o] of objects.entries()) {
          const key = `${ROOT}dt=${d}/o${i}.json`;
          const rows = (await admin.query("SELECT record_index FROM staging.fuzz WHERE object_key = $1", [key])).rows;
          const rejects = (await admin.query("SELECT reason FROM staging.load_rejects WHERE object_key = $1", [key]))
            .rows;
          for (const x of rejects) assert.ok(String(x.reason).length > 0);
          if (o.rs === undefined) continue;
          const good = loadable(o.rs);
          assert.equal(rows.length + rejects.length, o.rs.length, "each record loaded or rejected");
          assert.equal(rows.length, good.length);
          for (const g of good) {
            const hit = await admin.query(
              "SELECT count(*)::int AS n FROM staging.fuzz WHERE object_key = $1 AND record::jsonb = $2::jsonb",
              [key, stringifyJson(g)],
            );
            assert.ok(hit.rows[0].n >= 1, `exact value loaded: ${stringifyJson(g).slice(0, 200)}`);
          }
        }
      }),
      params(15004, 15),
    );
  });
});
