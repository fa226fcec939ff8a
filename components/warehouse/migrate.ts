import type { Script, SqlDialectName } from "./scripts";

/** A row as drivers return it. */
export type Row = Record<string, unknown>;

/**
 * The two things the applier needs from a database connection. The PostgreSQL driver and the Redshift Data API
 * both implement it (handlers/sessions.ts), and the tests run the PostgreSQL one against a real server.
 */
export interface SqlSession {
  /** Runs one statement and returns its rows (none for DDL). */
  query(sql: string): Promise<Row[]>;
  /** Runs the statements in one transaction: all of them take effect, or none. */
  transaction(statements: readonly string[]): Promise<void>;
}

/** What differs between the dialects around the scripts: the ledger's DDL, how to serialise runs, now(). */
export interface Dialect {
  readonly name: SqlDialectName;
  /** Creates the ledger when missing, in one transaction; runs first, on every run. */
  readonly ledger: readonly string[];
  /** First statement of every transaction: two concurrent deploys apply one after the other. */
  readonly lock: string;
  readonly now: string;
}

export const LEDGER_TABLE = "platform_meta.schema_history";

export const DIALECTS: Record<SqlDialectName, Dialect> = {
  postgres: {
    name: "postgres",
    ledger: [
      // Under the lock: two first deploys racing on CREATE SCHEMA IF NOT EXISTS would otherwise collide.
      "SELECT pg_advisory_xact_lock(7265001)",
      "CREATE SCHEMA IF NOT EXISTS platform_meta",
      "REVOKE ALL ON SCHEMA platform_meta FROM PUBLIC",
      `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (script text PRIMARY KEY, checksum char(64) NOT NULL, applied_at timestamptz NOT NULL, applied_by text NOT NULL)`,
    ],
    // An arbitrary constant key: only bootstrap runs take this advisory lock; released at commit.
    lock: "SELECT pg_advisory_xact_lock(7265001)",
    now: "now()",
  },
  redshift: {
    name: "redshift",
    // No lock before the table exists; the bootstrap function's reserved concurrency of 1 serialises first runs.
    ledger: [
      "CREATE SCHEMA IF NOT EXISTS platform_meta",
      "REVOKE ALL ON SCHEMA platform_meta FROM PUBLIC",
      `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (script VARCHAR(128) NOT NULL, checksum CHAR(64) NOT NULL, applied_at TIMESTAMP NOT NULL, applied_by VARCHAR(128) NOT NULL)`,
    ],
    // Redshift has no advisory locks; an exclusive table lock held to commit does the same job.
    lock: `LOCK ${LEDGER_TABLE}`,
    now: "GETDATE()",
  },
};

export interface ApplyResult {
  /** Script ids applied by this run, in order. */
  readonly applied: string[];
  /** Script ids already in the ledger with the same checksum. */
  readonly unchanged: string[];
}

// Ledger values are written as literals (the Redshift Data API's batch call takes no parameters), so only
// these shapes are ever accepted.
const SCRIPT_ID = /^(V\d{3}|R__[a-z0-9_]+\.[a-z0-9_]+)$/;
const CHECKSUM = /^[0-9a-f]{64}$/;

function ledgerWrite(dialect: Dialect, script: Script): string[] {
  if (!SCRIPT_ID.test(script.id) || !CHECKSUM.test(script.checksum))
    throw new Error(`refusing to record malformed script ${script.id}`);
  return [
    // DELETE + INSERT rather than an upsert: Redshift has no ON CONFLICT, and the lock makes it safe.
    `DELETE FROM ${LEDGER_TABLE} WHERE script = '${script.id}'`,
    `INSERT INTO ${LEDGER_TABLE} (script, checksum, applied_at, applied_by) VALUES ('${script.id}', '${script.checksum}', ${dialect.now}, current_user)`,
  ];
}

/** What the ledger says was applied: script id → checksum. */
export async function readLedger(session: SqlSession): Promise<Map<string, string>> {
  const rows = await session.query(`SELECT script, checksum FROM ${LEDGER_TABLE}`);
  return new Map(rows.map((r) => [String(r["script"]).trim(), String(r["checksum"]).trim()]));
}

/**
 * Decides what to run, without running it. Refuses (throws) when a versioned script was edited after it was
 * applied, or when the database has versions this program does not know (it is ahead of the code).
 */
export function pendingScripts(
  scripts: readonly Script[],
  ledger: ReadonlyMap<string, string>,
): { pending: Script[]; unchanged: string[] } {
  const known = new Set(scripts.map((s) => s.id));
  const ahead = [...ledger.keys()].filter((id) => id.startsWith("V") && !known.has(id));
  if (ahead.length > 0)
    throw new Error(
      `the database has versions this program does not know (${ahead.sort().join(", ")}): deploy the newer code instead`,
    );
  const pending: Script[] = [];
  const unchanged: string[] = [];
  for (const s of scripts) {
    const recorded = ledger.get(s.id);
    if (recorded === s.checksum) unchanged.push(s.id);
    else if (recorded !== undefined && s.kind === "versioned") {
      throw new Error(`${s.file} was changed after it was applied; restore it and put the change in a new V### file`);
    } else pending.push(s);
  }
  return { pending, unchanged };
}

/**
 * Applies the scripts in order, each in its own transaction together with its ledger entry, so a failure
 * leaves the ledger telling the truth and the next run resumes where this one stopped. A second run with the
 * same scripts reads the ledger and changes nothing.
 */
export async function applyScripts(
  session: SqlSession,
  dialect: Dialect,
  scripts: readonly Script[],
): Promise<ApplyResult> {
  await session.transaction(dialect.ledger);
  const { pending, unchanged } = pendingScripts(scripts, await readLedger(session));
  const applied: string[] = [];
  for (const script of pending) {
    try {
      await session.transaction([dialect.lock, ...script.statements, ...ledgerWrite(dialect, script)]);
    } catch (e) {
      throw new Error(`${script.file} failed and was rolled back: ${(e as Error).message}`, { cause: e });
    }
    applied.push(script.id);
  }
  return { applied, unchanged };
}
