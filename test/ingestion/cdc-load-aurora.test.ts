import { strict as assert } from "assert";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { Client } from "pg";
import {
  CdcLoadTable,
  copyValue,
  createCdcLoadHandler,
  parquetStdinCopier,
} from "../../components/ingestion/handlers/cdc-load";
import type { Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { KEY_ARN, LocalS3, LocalWarehouse, quietLogger, startLocalWarehouse } from "./support";

// The CDC load on Aurora PostgreSQL, which cannot read Parquet itself: the function reads DMS's real Parquet files
// (written here with hyparquet-writer in DMS's column order: Op, the commit time, the table's columns, the change
// sequence) and streams the rows through COPY … FROM STDIN, then merges and records them as on Redshift.

const PREFIX = "sales/source=billing-db/";
const INVOICES: CdcLoadTable = {
  schema: "public",
  table: "invoices",
  name: "invoices",
  key: ["invoice_id"],
  columns: [
    { name: "invoice_id", type: "bigint" },
    { name: "status", type: "varchar(16)" },
    { name: "amount", type: "numeric(12,2)" },
  ],
};
type Change = [op: string, ts: string, id: bigint, status: string | null, amount: string | null, seq: string];

describe("ingestion: CDC load on Aurora PostgreSQL (Parquet read by the function)", function () {
  this.timeout(60_000);
  let local: LocalWarehouse;
  let s3: LocalS3;
  let admin: Client;
  let warehouse: Warehouse;
  before(async () => {
    local = await startLocalWarehouse(["raw"]);
    ({ s3, admin, warehouse } = local);
  });
  after(() => local.stop());

  const parquet = async (name: string, rows: Change[]) => {
    const col = (i: number) => rows.map((r) => r[i]);
    const body = parquetWriteBuffer({
      columnData: [
        { name: "Op", data: col(0) as string[], type: "STRING" },
        { name: "_commit_ts", data: col(1) as string[], type: "STRING" },
        { name: "invoice_id", data: col(2) as bigint[], type: "INT64" },
        { name: "status", data: col(3) as (string | null)[], type: "STRING" },
        { name: "amount", data: col(4) as (string | null)[], type: "STRING" },
        { name: "ar_h_change_seq", data: col(5) as string[], type: "STRING" },
      ],
    });
    await s3.client.send(
      new PutObjectCommand({ Bucket: "raw", Key: `${PREFIX}public/invoices/${name}`, Body: new Uint8Array(body) }),
    );
  };
  const live = async () =>
    (await admin.query("SELECT invoice_id, status, amount FROM staging.invoices_live ORDER BY 1")).rows.map((r) =>
      Object.values(r),
    );
  const run = () =>
    createCdcLoadHandler({
      config: { source: "billing-db", bucket: "raw", prefix: PREFIX, kmsKeyArn: KEY_ARN, tables: [INVOICES] },
      s3: s3.client,
      warehouse,
      copier: parquetStdinCopier(s3.client, "raw"),
      logger: quietLogger(),
    })();

  it("reads DMS's Parquet files, merges them in commit order and records them; a replayed file changes nothing", async () => {
    const big = 9_007_199_254_740_993n; // beyond 2^53: kept digit for digit
    await parquet("LOAD00000001.parquet", [
      ["I", "2026-01-01 00:00:00.000000", 1n, "open", "10.50", "00000000000000000000000000000000001"],
      ["I", "2026-01-01 00:00:00.000000", big, "open", "99999999.99", "00000000000000000000000000000000002"],
    ]);
    await parquet("2026/01/02/20260102-000001.parquet", [
      ["U", "2026-01-02 10:00:00.000000", 1n, "paid", "10.50", "00000000000000000000000000000000003"],
      ["U", "2026-01-02 11:00:00.000000", big, "void", "99999999.99", "00000000000000000000000000000000004"],
      ["I", "2026-01-02 11:30:00.000000", 4n, "open", "1.00", "00000000000000000000000000000000005"],
      ["D", "2026-01-02 11:45:00.000000", 4n, null, null, "00000000000000000000000000000000006"],
      ["I", "2026-01-02 12:00:00.000000", 3n, 'it\'s "q"\ttab', null, "00000000000000000000000000000000007"],
    ]);
    assert.deepEqual(await run(), [{ target: "invoices", files: 2 }]);
    assert.deepEqual(await live(), [
      ["1", "paid", "10.50"],
      ["3", 'it\'s "q"\ttab', null],
      ["9007199254740993", "void", "99999999.99"],
    ]);
    // An older change arriving late in a new file: the newer state stays.
    await parquet("2026/01/03/20260103-000001.parquet", [
      ["U", "2026-01-01 12:00:00.000000", 1n, "open", "10.50", "00000000000000000000000000000000008"],
    ]);
    assert.deepEqual(await run(), [{ target: "invoices", files: 1 }]);
    assert.deepEqual((await live())[0], ["1", "paid", "10.50"]);
    assert.deepEqual(await run(), [{ target: "invoices", files: 0 }]);
  });

  it("refuses a file whose columns are not DMS's order for the table, loading nothing of it", async () => {
    const body = parquetWriteBuffer({
      columnData: [
        { name: "Op", data: ["I"], type: "STRING" },
        { name: "invoice_id", data: [5n], type: "INT64" },
      ],
    });
    await s3.client.send(
      new PutObjectCommand({
        Bucket: "raw",
        Key: `${PREFIX}public/invoices/2026/01/04/bad.parquet`,
        Body: new Uint8Array(body),
      }),
    );
    await assert.rejects(run(), /cdc load of invoices failed/);
    assert.deepEqual(
      (await live()).map((r) => r[0]),
      ["1", "3", "9007199254740993"],
    );
  });

  it("writes every value in COPY's text format", () => {
    assert.deepEqual(
      [null, undefined, 12n, new Date("2026-01-02T03:04:05.678Z"), "a\tb\\c\nd", new TextEncoder().encode("bin")].map(
        copyValue,
      ),
      ["\\N", "\\N", "12", "2026-01-02T03:04:05.678Z", "a\\tb\\\\c\\nd", "bin"],
    );
  });
});
