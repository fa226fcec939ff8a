import { strict as assert } from "assert";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import fc from "fast-check";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { Client } from "pg";
import {
  CdcLoadTable,
  Copier,
  createCdcLoadHandler,
  parquetStdinCopier,
} from "../../components/ingestion/handlers/cdc-load";
import type { Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import { KEY_ARN, LocalS3, LocalWarehouse, quietLogger, startLocalWarehouse } from "../ingestion/support";
import { params } from "./support";

// The scheduled CDC load against a real PostgreSQL and S3 server, reading real Parquet files as DMS writes them:
// whatever the source's rows hold (hostile text, integers beyond 2^53, exact decimals), however the changes are cut
// into files and runs, late and replayed changes, and runs that fail half way, the live table ends equal to the
// source's final state, each file is recorded once, and a failed run leaves nothing recorded.

const PREFIX = "ops/source=erp/";

/** What a PostgreSQL or MySQL text column can hold: any code point but U+0000 and lone surrogates. */
const text = fc
  .oneof(
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.constantFrom("\\N", "\\", "\t", "\n", "\r\n", "'", '"', "a\\tb", "NULL", "", " ", "\u2028", "😀é"),
  )
  .filter((s) => !s.includes("\u0000") && !/[\ud800-\udfff]/u.test(s));

/** numeric(20,2) as its exact text. */
const amount = fc.bigInt({ min: -(10n ** 18n) + 1n, max: 10n ** 18n - 1n }).map((c) => {
  const neg = c < 0n;
  const digits = (neg ? -c : c).toString().padStart(3, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
});

const ids = fc.constantFrom(1n, 2n, 3n, 9_007_199_254_740_993n, -(2n ** 63n), 2n ** 63n - 1n);

interface Change {
  readonly op: "I" | "U" | "D";
  readonly id: bigint;
  readonly status: string | null;
  readonly amount: string | null;
  /** Seconds after the epoch of the history: the commit time. */
  readonly at: number;
}

const change: fc.Arbitrary<Change> = fc.record({
  op: fc.constantFrom("I" as const, "U" as const, "D" as const),
  id: ids,
  status: fc.option(text, { nil: null }),
  amount: fc.option(amount, { nil: null }),
  at: fc.integer({ min: 0, max: 50 }),
});

/** One history: its changes, cut into files, the files cut into runs, and which runs fail half way. */
const history = fc.record({
  changes: fc.array(change, { minLength: 1, maxLength: 24 }),
  fileCuts: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
  runCuts: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 6 }),
  failing: fc.array(fc.boolean(), { maxLength: 6 }),
});

const ts = (at: number) =>
  `2026-01-01 00:${String(Math.floor(at / 60)).padStart(2, "0")}:${String(at % 60).padStart(2, "0")}.000000`;

/** The source's final state: per key, the last change by commit time then DMS's change sequence. */
function finalState(changes: readonly Change[]): Map<bigint, [string | null, string | null]> {
  const last = new Map<bigint, { c: Change; seq: number }>();
  changes.forEach((c, seq) => {
    const prev = last.get(c.id);
    if (!prev || c.at > prev.c.at || (c.at === prev.c.at && seq > prev.seq)) last.set(c.id, { c, seq });
  });
  const out = new Map<bigint, [string | null, string | null]>();
  for (const [id, { c }] of last) if (c.op !== "D") out.set(id, [c.status, c.amount]);
  return out;
}

function cut<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (let k = 0; i < items.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

describe("fuzz: scheduled CDC load (DMS Parquet → changes → MERGE, on PostgreSQL)", function () {
  this.timeout(0);
  let local: LocalWarehouse;
  let s3: LocalS3;
  let admin: Client;
  let warehouse: Warehouse;
  before(async () => {
    local = await startLocalWarehouse(["raw"]);
    ({ s3, admin, warehouse } = local);
  });
  after(() => local.stop());

  it("ends equal to the source's final state, every file recorded once, nothing recorded by a failed run", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        const name = `orders_${++n}`;
        const table: CdcLoadTable = {
          schema: "erp",
          table: name,
          name,
          key: ["id"],
          columns: [
            { name: "id", type: "bigint" },
            { name: "status", type: "varchar(64)" },
            { name: "amount", type: "numeric(20,2)" },
          ],
        };
        const files = cut(
          h.changes.map((c, seq) => ({ c, seq })),
          h.fileCuts,
        );
        const keys = files.map((_, i) => `${PREFIX}erp/${name}/2026/01/01/${String(i).padStart(4, "0")}.parquet`);
        const batches = cut(
          files.map((rows, i) => ({ rows, key: keys[i] })),
          h.runCuts,
        );
        const real = parquetStdinCopier(s3.client, "raw");
        let failNext = false;
        const copier: Copier = async (sql, t, pending, uri) => {
          await real(sql, t, pending, uri);
          if (failNext) throw new Error("connection reset by peer");
        };
        const run = createCdcLoadHandler({
          config: { source: "erp", bucket: "raw", prefix: PREFIX, kmsKeyArn: KEY_ARN, tables: [table] },
          s3: s3.client,
          warehouse,
          copier,
          logger: quietLogger(),
        });
        const ledger = async () =>
          (
            await admin.query<{ file_key: string }>(
              "SELECT file_key FROM staging.cdc_loaded_files WHERE target = $1 ORDER BY 1",
              [name],
            )
          ).rows.map((r) => r.file_key);
        const written: string[] = [];
        for (const [r, batch] of batches.entries()) {
          for (const f of batch) {
            const body = parquetWriteBuffer({
              columnData: [
                { name: "Op", data: f.rows.map((x) => x.c.op), type: "STRING" },
                { name: "_commit_ts", data: f.rows.map((x) => ts(x.c.at)), type: "STRING" },
                { name: "id", data: f.rows.map((x) => x.c.id), type: "INT64" },
                { name: "status", data: f.rows.map((x) => x.c.status), type: "STRING" },
                { name: "amount", data: f.rows.map((x) => x.c.amount), type: "STRING" },
                {
                  name: "ar_h_change_seq",
                  data: f.rows.map((x) => String(x.seq).padStart(35, "0")),
                  type: "STRING",
                },
              ],
            });
            await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: f.key, Body: new Uint8Array(body) }));
            written.push(f.key);
          }
          if (h.failing[r]) {
            const before = await ledger();
            failNext = true;
            await assert.rejects(run(), /cdc load of orders_\d+ failed/);
            failNext = false;
            assert.deepEqual(await ledger(), before, "a failed run records nothing");
          }
          await run();
          assert.deepEqual(await ledger(), [...written].sort(), "every file written so far is recorded, once");
        }
        await run(); // nothing new: changes nothing
        const live = await admin.query<{ id: string; status: string | null; amount: string | null }>(
          `SELECT id::text AS id, status, amount::text AS amount FROM staging."${name}_live" ORDER BY id`,
        );
        const got = new Map(
          live.rows.map((r) => [BigInt(r.id), [r.status, r.amount] as [string | null, string | null]]),
        );
        assert.deepEqual(got, finalState(h.changes));
        await admin.query(`DROP TABLE IF EXISTS staging."${name}", staging."${name}_changes" CASCADE`);
      }),
      params(15014, 10),
    );
  });
});
