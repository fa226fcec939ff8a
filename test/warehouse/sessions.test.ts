import { strict as assert } from "assert";
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
} from "@aws-sdk/client-redshift-data";
import {
  REDSHIFT_BATCH_LIMIT,
  redshiftDataSession,
  RedshiftDataSender,
} from "../../components/warehouse/handlers/sessions";
import { applyScripts, DIALECTS, LEDGER_TABLE } from "../../components/warehouse/migrate";
import { renderScripts } from "../../components/warehouse/scripts";

type Command =
  ExecuteStatementCommand | BatchExecuteStatementCommand | DescribeStatementCommand | GetStatementResultCommand;

/**
 * Stands in for the Redshift Data API service: records what the session submits and answers in the API's
 * shapes. `ledger` is what a SELECT on the ledger returns; `fail` makes a batch containing that text fail.
 */
function fakeDataApi(opts: { ledger?: [string, string][]; fail?: string; pendingPolls?: number } = {}) {
  const submitted: { kind: "execute" | "batch"; sql: string[]; input: Record<string, unknown> }[] = [];
  const status = new Map<string, { failed: boolean; polls: number; hasResult: boolean }>();
  let n = 0;
  const sender: RedshiftDataSender = {
    async send(command: Command) {
      if (command instanceof ExecuteStatementCommand || command instanceof BatchExecuteStatementCommand) {
        const id = `stmt-${++n}`;
        const sql = command instanceof ExecuteStatementCommand ? [command.input.Sql!] : command.input.Sqls!;
        submitted.push({
          kind: command instanceof ExecuteStatementCommand ? "execute" : "batch",
          sql,
          input: { ...command.input },
        });
        status.set(id, {
          failed: opts.fail !== undefined && sql.some((s) => s.includes(opts.fail!)),
          polls: opts.pendingPolls ?? 0,
          hasResult: sql[0].startsWith("SELECT"),
        });
        return { Id: id };
      }
      if (command instanceof DescribeStatementCommand) {
        const s = status.get(command.input.Id!)!;
        if (s.polls-- > 0) return { Id: command.input.Id, Status: "STARTED" };
        return s.failed
          ? { Status: "FAILED", Error: "ERROR: permission denied for relation x" }
          : { Status: "FINISHED", HasResultSet: s.hasResult };
      }
      const rows = opts.ledger ?? [];
      return {
        ColumnMetadata: [{ name: "script" }, { name: "checksum" }],
        Records: rows.map(([script, checksum]) => [{ stringValue: script }, { stringValue: checksum }]),
      };
    },
  };
  return { sender, submitted };
}

const target = {
  workgroupName: "wg",
  database: "analytics",
  secretArn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:admin",
};
const fast = { intervalMs: 1, timeoutMs: 1000 };

describe("Redshift Data API session", () => {
  const scripts = renderScripts("redshift", ["sales"]);

  it("applies each script as one batch (one transaction) led by the ledger lock and closed by the ledger write", async () => {
    const api = fakeDataApi({ pendingPolls: 2 });
    const result = await applyScripts(redshiftDataSession(api.sender, target, fast), DIALECTS.redshift, scripts);
    assert.deepEqual(result.applied, ["V001", "V002", "R__marts.sales"]);
    const batches = api.submitted.filter((s) => s.kind === "batch");
    // First the ledger DDL (no LOCK: the table may not exist yet), then one batch per script.
    assert.equal(batches.length, 1 + scripts.length);
    assert.ok(!batches[0].sql.some((q) => q.startsWith("LOCK")));
    for (const [i, script] of scripts.entries()) {
      const sql = batches[i + 1].sql;
      assert.equal(sql[0], `LOCK ${LEDGER_TABLE}`);
      assert.deepEqual(sql.slice(1, -2), script.statements);
      assert.match(
        sql.at(-1)!,
        new RegExp(
          `^INSERT INTO ${LEDGER_TABLE} .*'${script.id}', '${script.checksum}', GETDATE\\(\\), current_user\\)$`,
        ),
      );
    }
    // Credentials come from the secret by ARN: the function never handles the password.
    for (const s of api.submitted)
      assert.deepEqual(
        { w: s.input.WorkgroupName, d: s.input.Database, a: s.input.SecretArn },
        { w: "wg", d: "analytics", a: target.secretArn },
      );
  });

  it("reads the ledger through GetStatementResult and skips what is recorded", async () => {
    const api = fakeDataApi({ ledger: scripts.map((s) => [s.id, s.checksum]) });
    const result = await applyScripts(redshiftDataSession(api.sender, target, fast), DIALECTS.redshift, scripts);
    assert.deepEqual(result, { applied: [], unchanged: ["V001", "V002", "R__marts.sales"] });
    assert.equal(api.submitted.filter((s) => s.kind === "batch").length, 1, "only the ledger DDL batch ran");
  });

  it("surfaces the database's error and stops at the failing script", async () => {
    const api = fakeDataApi({ fail: "CREATE SCHEMA IF NOT EXISTS staging" });
    await assert.rejects(
      applyScripts(redshiftDataSession(api.sender, target, fast), DIALECTS.redshift, scripts),
      /V001__roles_and_staging\.sql failed and was rolled back: statement failed: ERROR: permission denied/,
    );
    assert.ok(!api.submitted.some((s) => s.sql.some((q) => q.includes("marts_sales"))), "later scripts did not run");
  });

  it("refuses a batch over the Data API's limit instead of sending it", async () => {
    const api = fakeDataApi();
    await assert.rejects(
      redshiftDataSession(api.sender, target, fast).transaction(
        Array.from({ length: REDSHIFT_BATCH_LIMIT + 1 }, () => "SELECT 1"),
      ),
      /41 statements exceed the Data API's batch limit of 40/,
    );
    assert.deepEqual(api.submitted, []);
  });

  it("gives up on a statement that never finishes", async () => {
    const api = fakeDataApi({ pendingPolls: 1000 });
    await assert.rejects(
      redshiftDataSession(api.sender, target, { intervalMs: 1, timeoutMs: 20 }).query("SELECT 1"),
      /still STARTED after 20 ms/,
    );
  });
});
