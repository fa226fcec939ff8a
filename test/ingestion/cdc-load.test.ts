import { strict as assert } from "assert";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { Client } from "pg";
import { copyStatement, fileColumns, LakeFile, pendingFiles } from "../../components/cdc/load";
import {
  CdcLoadConfig,
  CdcLoadTable,
  Copier,
  createCdcLoadHandler,
  redshiftCopier,
} from "../../components/ingestion/handlers/cdc-load";
import { copyText, pgWarehouse, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { KEY_ARN, LocalPostgres, LocalS3, quietLogger, startPostgres, startS3 } from "./support";

// The scheduled CDC load on a real PostgreSQL and a real S3-compatible server: new DMS files of each table are copied
// into the changes table, merged and recorded in one transaction; a failure leaves nothing recorded and the next run
// takes the same files; a run with nothing new changes nothing. PostgreSQL cannot read Parquet, so the files here
// hold the same rows as JSON lines and the test's copier streams them with COPY … FROM STDIN; on Redshift the copier
// is the COPY … FORMAT AS PARQUET statement asserted below.

const PREFIX = "sales/source=billing-db/";
const INVOICES: CdcLoadTable = {
  schema: "public",
  table: "invoices",
  name: "invoices",
  key: ["invoice_id"],
  columns: [
    { name: "invoice_id", type: "bigint" },
    { name: "status", type: "varchar(16)" },
  ],
};
const CUSTOMERS: CdcLoadTable = {
  schema: "public",
  table: "customers",
  name: "customers",
  key: ["id"],
  columns: [
    { name: "id", type: "integer" },
    { name: "name", type: "varchar(20)" },
  ],
};
const config = (tables: CdcLoadTable[]): CdcLoadConfig => ({
  source: "billing-db",
  bucket: "raw",
  prefix: PREFIX,
  kmsKeyArn: KEY_ARN,
  tables,
});
type Row = [op: string, ts: string, ...values: (string | number | null)[]];

describe("ingestion: scheduled CDC load", function () {
  this.timeout(60_000);
  let s3: LocalS3;
  let pg: LocalPostgres;
  let admin: Client;
  const warehouses: Warehouse[] = [];
  const warehouse = () => {
    const w = pgWarehouse(
      { engine: "postgres", host: "127.0.0.1", port: pg.port, database: "postgres", tls: false },
      async () => ({
        username: "postgres",
        password: pg.password,
      }),
    );
    warehouses.push(w);
    return w;
  };
  before(async () => {
    [s3, pg] = await Promise.all([startS3(["raw"]), startPostgres()]);
    admin = pg.client();
    await admin.connect();
    await admin.query("CREATE SCHEMA staging");
  });
  after(async () => {
    await Promise.all(warehouses.map((w) => w.close()));
    await admin.end();
    await Promise.all([s3.stop(), pg.stop()]);
  });

  /** A DMS file of one table: rows as op, commit time, the table's columns, change sequence. */
  const file = async (t: CdcLoadTable, name: string, rows: Row[]) => {
    const key = `${PREFIX}${t.schema}/${t.table}/${name}`;
    await s3.client.send(
      new PutObjectCommand({ Bucket: "raw", Key: key, Body: rows.map((r) => JSON.stringify(r)).join("\n") }),
    );
    return key;
  };
  /** Streams the files' rows into the changes table, in the column order DMS writes. */
  const jsonLinesCopier: Copier = async (sql, t, files) => {
    const chunks: string[] = [];
    for (const f of files) {
      const body = await (
        await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: f.key }))
      ).Body!.transformToString();
      for (const line of body.split("\n").filter(Boolean)) {
        const [op, ts, ...values] = JSON.parse(line) as Row;
        const seq = f.key.split("/").pop()!.replace(".parquet", "") + String(chunks.length).padStart(6, "0");
        chunks.push([op, ts, ...values, seq].map((v) => (v === null ? "\\N" : copyText(String(v)))).join("\t") + "\n");
      }
    }
    const columns = fileColumns(t)
      .map((c) => `"${c}"`)
      .join(", ");
    await sql.copyFrom(`COPY "staging"."${t.name}_changes" (${columns}) FROM STDIN`, chunks);
  };
  const live = async (t: CdcLoadTable) =>
    (await admin.query(`SELECT * FROM staging.${t.name}_live ORDER BY 1`)).rows.map((r) => Object.values(r));
  const ledger = async () =>
    (await admin.query("SELECT target, file_key FROM staging.cdc_loaded_files ORDER BY 1, 2")).rows.map(
      (r) => `${r.target}:${String(r.file_key).slice(PREFIX.length)}`,
    );

  it("copies new files, merges them and records them in one run; a run with nothing new changes nothing", async () => {
    await file(INVOICES, "LOAD00000001.parquet", [
      ["I", "2026-01-01 00:00:00", 1, "open"],
      ["I", "2026-01-01 00:00:00", 2, "open"],
    ]);
    await file(INVOICES, "2026/01/02/20260102-000001.parquet", [
      ["U", "2026-01-02 10:00:00", 1, "paid"],
      ["D", "2026-01-02 11:00:00", 2, null],
      ["I", "2026-01-02 12:00:00", 3, "open"],
    ]);
    await s3.client.send(
      new PutObjectCommand({ Bucket: "raw", Key: `${PREFIX}public/invoices/empty.parquet`, Body: new Uint8Array(0) }),
    );
    const run = createCdcLoadHandler({
      config: config([INVOICES]),
      s3: s3.client,
      warehouse: warehouse(),
      copier: jsonLinesCopier,
      logger: quietLogger(),
      now: () => new Date("2026-01-02T12:05:00Z"),
    });
    assert.deepEqual(await run(), [{ target: "invoices", files: 2 }]);
    assert.deepEqual(await live(INVOICES), [
      ["1", "paid"],
      ["3", "open"],
    ]);
    assert.deepEqual(await ledger(), [
      "invoices:public/invoices/2026/01/02/20260102-000001.parquet",
      "invoices:public/invoices/LOAD00000001.parquet",
    ]);
    assert.equal((await admin.query("SELECT count(*)::int AS n FROM staging.invoices_changes")).rows[0].n, 0);
    // The manifest Redshift would read: every file mandatory, with its length.
    const manifests = await s3.keys("raw", `${PREFIX}_manifests/invoices/`);
    assert.equal(manifests.length, 1);
    const manifest = JSON.parse(
      await (
        await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: manifests[0] }))
      ).Body!.transformToString(),
    );
    assert.deepEqual(
      manifest.entries.map((e: { url: string; mandatory: boolean }) => [e.url.split("/").pop(), e.mandatory]),
      [
        ["20260102-000001.parquet", true],
        ["LOAD00000001.parquet", true],
      ],
    );
    assert.ok(manifest.entries.every((e: { meta: { content_length: number } }) => e.meta.content_length > 0));

    assert.deepEqual(await run(), [{ target: "invoices", files: 0 }]);
    assert.equal((await s3.keys("raw", `${PREFIX}_manifests/`)).length, 1, "nothing new: no manifest, no COPY");
    assert.equal((await ledger()).length, 2);
  });

  it("a failing table rolls back whole (nothing recorded), the others load, and the next run takes its files again", async () => {
    await file(CUSTOMERS, "LOAD00000001.parquet", [["I", "2026-01-01 00:00:00", 7, "kim"]]);
    await file(INVOICES, "2026/01/03/20260103-000001.parquet", [
      ["U", "2026-01-03 09:00:00", 3, "paid"],
      // A replay of an older change: the merge keeps the newer state.
      ["U", "2026-01-01 12:00:00", 1, "open"],
    ]);
    const failing: Copier = async (sql, t, files, uri) => {
      await jsonLinesCopier(sql, t, files, uri);
      if (t.name === "invoices") throw new Error("S3ServiceException: Access Denied");
    };
    const run = (copier: Copier) =>
      createCdcLoadHandler({
        config: config([INVOICES, CUSTOMERS]),
        s3: s3.client,
        warehouse: warehouse(),
        copier,
        logger: quietLogger(),
      })();
    await assert.rejects(run(failing), /cdc load of invoices failed/);
    assert.deepEqual(await live(INVOICES), [
      ["1", "paid"],
      ["3", "open"],
    ]);
    assert.deepEqual(await live(CUSTOMERS), [[7, "kim"]]);
    assert.ok(!(await ledger()).some((k) => k.includes("20260103")), "the failed batch is not recorded");

    assert.deepEqual(await run(jsonLinesCopier), [
      { target: "invoices", files: 1 },
      { target: "customers", files: 0 },
    ]);
    assert.deepEqual(await live(INVOICES), [
      ["1", "paid"],
      ["3", "paid"],
    ]);
  });

  it("on Redshift, copies the manifest's Parquet files through the copy role, columns in DMS's order", async () => {
    const statements: string[] = [];
    await redshiftCopier("arn:aws:iam::123456789012:role/acme-data-prod/warehouse-copy")(
      { query: async (text: string) => (statements.push(text), { rows: [], rowCount: 0 }) } as never,
      INVOICES,
      [],
      "s3://raw/sales/source=billing-db/_manifests/invoices/1.json",
    );
    assert.deepEqual(statements, [
      `COPY "staging"."invoices_changes" ("_op", "_commit_ts", "invoice_id", "status", "_change_seq") FROM 's3://raw/sales/source=billing-db/_manifests/invoices/1.json' IAM_ROLE 'arn:aws:iam::123456789012:role/acme-data-prod/warehouse-copy' FORMAT AS PARQUET MANIFEST`,
    ]);
    assert.throws(() => copyStatement(INVOICES, "s3://raw/x'; DROP TABLE y; --", "arn"), /refusing to quote/);
    const files: LakeFile[] = [
      { key: "p/b.parquet", size: 3 },
      { key: "p/a.parquet", size: 2 },
      { key: "p/a.parquet.tmp", size: 2 },
      { key: "p/c.parquet", size: 0 },
    ];
    assert.deepEqual(
      pendingFiles(files, new Set(["p/b.parquet"])).map((f) => f.key),
      ["p/a.parquet"],
    );
  });
});
