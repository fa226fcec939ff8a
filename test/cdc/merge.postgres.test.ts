import { strict as assert } from "assert";
import fc from "fast-check";
import type { Client } from "pg";
import { CdcTable, cdcTableStatements, MergeEngine, mergeStatements } from "../../components/cdc/merge";
import { startPostgres, SUPERUSER, TestPostgres } from "../warehouse/support/postgres";

// The CDC merge on a real PostgreSQL. A random history of inserts, updates and deletes runs on a real source table;
// its change log (as DMS writes it: operation, commit time, change sequence) is cut into batches that arrive with
// their rows shuffled and earlier batches replayed. Whatever the order of arrival, the merged table's live rows
// must equal the source table's final rows.

const TABLE: CdcTable = {
  name: "accounts",
  key: ["tenant", "id"],
  columns: [
    { name: "tenant", type: "varchar(8)" },
    { name: "id", type: "integer" },
    { name: "owner", type: "varchar(20)" },
    { name: "balance", type: "numeric(12,2)" },
  ],
};

interface Step {
  readonly tenant: string;
  readonly id: number;
  readonly remove: boolean;
  readonly owner: string | null;
  readonly balance: number;
  /** Commits in the same transaction as the step before (same commit time). */
  readonly sameTransaction: boolean;
}
interface Change {
  readonly op: "I" | "U" | "D";
  readonly ts: string;
  readonly seq: string;
  readonly row: readonly [string, number, string | null, string | null];
}

const step = fc.record({
  tenant: fc.constantFrom("a", "b"),
  id: fc.integer({ min: 1, max: 4 }),
  remove: fc.boolean(),
  owner: fc.option(fc.constantFrom("kim", "lee", "park", "o'hara"), { nil: null }),
  balance: fc.integer({ min: -100_000, max: 100_000 }),
  sameTransaction: fc.boolean(),
});

/** Applies the steps to the source table and returns the change log DMS would capture. */
async function runOnSource(db: Client, steps: readonly Step[]): Promise<Change[]> {
  const changes: Change[] = [];
  let clock = Date.UTC(2026, 0, 1);
  for (const [i, s] of steps.entries()) {
    if (!s.sameTransaction) clock += 1000;
    const ts = new Date(clock).toISOString().replace("T", " ").replace("Z", "");
    const seq = String(i + 1).padStart(35, "0");
    const balance = (s.balance / 100).toFixed(2);
    const exists = (await db.query("SELECT 1 FROM source WHERE tenant = $1 AND id = $2", [s.tenant, s.id])).rowCount;
    if (s.remove) {
      if (!exists) continue;
      await db.query("DELETE FROM source WHERE tenant = $1 AND id = $2", [s.tenant, s.id]);
      // Without full supplemental logging a delete carries the key only.
      changes.push({ op: "D", ts, seq, row: [s.tenant, s.id, null, null] });
    } else if (exists) {
      await db.query("UPDATE source SET owner = $3, balance = $4 WHERE tenant = $1 AND id = $2", [
        s.tenant,
        s.id,
        s.owner,
        balance,
      ]);
      changes.push({ op: "U", ts, seq, row: [s.tenant, s.id, s.owner, balance] });
    } else {
      await db.query("INSERT INTO source VALUES ($1, $2, $3, $4)", [s.tenant, s.id, s.owner, balance]);
      changes.push({ op: "I", ts, seq, row: [s.tenant, s.id, s.owner, balance] });
    }
  }
  return changes;
}

async function loadAndMerge(db: Client, engine: MergeEngine, batch: readonly Change[]): Promise<void> {
  await db.query("BEGIN");
  try {
    for (const c of batch)
      await db.query("INSERT INTO staging.accounts_changes VALUES ($1, $2, $3, $4, $5, $6, $7)", [
        c.op,
        c.ts,
        c.seq,
        ...c.row,
      ]);
    for (const sql of mergeStatements(engine, TABLE)) await db.query(sql);
    await db.query("COMMIT");
  } catch (e) {
    await db.query("ROLLBACK");
    throw e;
  }
}

const rows = async (db: Client, from: string) =>
  (await db.query(`SELECT tenant, id, owner, balance::text FROM ${from} ORDER BY tenant, id`)).rows;

describe("CDC merge into warehouse staging on a real PostgreSQL", function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  let db: Client;

  before(async () => {
    pg = await startPostgres();
    db = await pg.connect(SUPERUSER.user, SUPERUSER.password, "postgres");
    await db.query("CREATE SCHEMA staging");
  });
  after(async () => {
    if (pg) await pg.stop();
  });

  async function reset(): Promise<void> {
    await db.query("DROP VIEW IF EXISTS staging.accounts_live");
    await db.query("DROP TABLE IF EXISTS staging.accounts, staging.accounts_changes, source");
    await db.query(
      "CREATE TABLE source (tenant varchar(8), id integer, owner varchar(20), balance numeric(12,2), PRIMARY KEY (tenant, id))",
    );
    for (const sql of cdcTableStatements(TABLE)) await db.query(sql);
  }

  for (const engine of ["postgres", "redshift"] as const) {
    it(`${engine} form: any batching, shuffling and replay ends in the source's final state`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { minLength: 1, maxLength: 30 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.array(fc.option(fc.nat(), { nil: undefined, freq: 2 }), { maxLength: 12 }),
          fc.nat(),
          async (steps, cuts, replays, shuffleSeed) => {
            await reset();
            const log = await runOnSource(db, steps);
            const bounds = [...new Set(cuts.map((c) => (log.length ? c % log.length : 0)))].sort((a, b) => a - b);
            const batches = [0, ...bounds, log.length]
              .slice(1)
              .map((end, i, arr) => log.slice(i === 0 ? 0 : arr[i - 1], end))
              .filter((b) => b.length > 0);
            // Rows of a batch arrive in any order: a rotation chosen by the seed, then reversed halves.
            const shuffled = (b: readonly Change[]) => {
              const r = shuffleSeed % b.length;
              return [...b.slice(r), ...b.slice(0, r)].reverse();
            };
            for (const [i, batch] of batches.entries()) {
              await loadAndMerge(db, engine, shuffled(batch));
              // An earlier (or the same) batch delivered again.
              const replay = replays[i];
              if (replay !== undefined) await loadAndMerge(db, engine, batches[replay % (i + 1)]);
            }
            assert.deepEqual(await rows(db, "staging.accounts_live"), await rows(db, "source"));
            const left = await db.query("SELECT count(*)::int AS n FROM staging.accounts_changes");
            assert.equal(left.rows[0].n, 0, "a merged batch leaves the changes table empty");
          },
        ),
        { seed: 1313, numRuns: 30 },
      );
    });
  }

  it("keeps a deleted key as a tombstone with its data cleared, so a late insert does not bring it back", async () => {
    await reset();
    const insert: Change = { op: "I", ts: "2026-01-01 00:00:01", seq: "1", row: ["a", 1, "kim", "5.00"] };
    const remove: Change = { op: "D", ts: "2026-01-01 00:00:02", seq: "2", row: ["a", 1, null, null] };
    await loadAndMerge(db, "postgres", [insert, remove]);
    await loadAndMerge(db, "postgres", [insert]);
    const { rows: stored } = await db.query(
      "SELECT owner, balance, _deleted, _change_seq FROM staging.accounts WHERE tenant = 'a' AND id = 1",
    );
    assert.deepEqual(stored, [{ owner: null, balance: null, _deleted: true, _change_seq: "2" }]);
    assert.deepEqual(await rows(db, "staging.accounts_live"), []);
  });

  it("orders changes of one transaction by change sequence, not by arrival", async () => {
    await reset();
    const ts = "2026-01-01 00:00:01";
    await loadAndMerge(db, "redshift", [
      { op: "U", ts, seq: "0003", row: ["b", 2, "third", "3.00"] },
      { op: "I", ts, seq: "0001", row: ["b", 2, "first", "1.00"] },
      { op: "U", ts, seq: "0002", row: ["b", 2, "second", "2.00"] },
    ]);
    assert.deepEqual(await rows(db, "staging.accounts_live"), [
      { tenant: "b", id: 2, owner: "third", balance: "3.00" },
    ]);
  });
});

describe("CDC merge statements", () => {
  it("refuse identifiers and types that are not plain", () => {
    assert.throws(
      () => mergeStatements("postgres", { ...TABLE, name: 'x"; DROP TABLE y; --' }),
      /invalid SQL identifier/,
    );
    assert.throws(
      () => cdcTableStatements({ ...TABLE, columns: [...TABLE.columns, { name: "j", type: "jsonb" }] }),
      /unsupported type jsonb/,
    );
    assert.throws(() => mergeStatements("postgres", { ...TABLE, key: ["nope"] }), /key column nope/);
  });

  it("redshift form uses MERGE with a table source and unconditional clauses", () => {
    const sql = mergeStatements("redshift", TABLE);
    const merge = sql.find((s) => s.startsWith("MERGE"))!;
    assert.match(merge, /USING "accounts_cdc_batch" AS s/);
    assert.doesNotMatch(merge, /WHEN MATCHED AND/);
    assert.match(merge, /WHEN MATCHED THEN UPDATE SET .* WHEN NOT MATCHED THEN INSERT/);
  });
});
