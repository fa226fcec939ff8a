import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementCommandOutput,
  type Field,
} from "@aws-sdk/client-redshift-data";
import type { ClientBase } from "pg";
import type { Row, SqlSession } from "../migrate";

/** A PostgreSQL connection as a session: BEGIN/COMMIT around batches, ROLLBACK on any error. */
export function pgSession(client: Pick<ClientBase, "query">): SqlSession {
  return {
    async query(sql) {
      return (await client.query(sql)).rows as Row[];
    },
    async transaction(statements) {
      await client.query("BEGIN");
      try {
        for (const s of statements) await client.query(s);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw e;
      }
    },
  };
}

/** The subset of the Redshift Data API client the session uses (tests pass a recording fake). */
export interface RedshiftDataSender {
  send(
    command:
      ExecuteStatementCommand | BatchExecuteStatementCommand | DescribeStatementCommand | GetStatementResultCommand,
  ): Promise<unknown>;
}

export interface RedshiftTarget {
  readonly workgroupName: string;
  readonly database: string;
  /** Admin credentials; the Data API reads them itself, the function never sees the password. */
  readonly secretArn: string;
}

export interface PollOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** The Data API runs at most this many statements in one batch (one transaction). */
export const REDSHIFT_BATCH_LIMIT = 40;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fieldValue(f: Field): unknown {
  if (f.isNull) return null;
  return f.stringValue ?? f.longValue ?? f.doubleValue ?? f.booleanValue ?? f.blobValue;
}

/**
 * The Redshift Data API as a session. Statements are asynchronous there: submit, poll until finished, then read
 * the result. A batch runs as one transaction, which is exactly what `transaction` promises.
 */
export function redshiftDataSession(
  client: RedshiftDataSender,
  target: RedshiftTarget,
  poll: PollOptions = { intervalMs: 500, timeoutMs: 120_000 },
): SqlSession {
  const base = { WorkgroupName: target.workgroupName, Database: target.database, SecretArn: target.secretArn };
  const wait = async (id: string): Promise<DescribeStatementCommandOutput> => {
    const deadline = Date.now() + poll.timeoutMs;
    for (;;) {
      const d = (await client.send(new DescribeStatementCommand({ Id: id }))) as DescribeStatementCommandOutput;
      if (d.Status === "FINISHED") return d;
      if (d.Status === "FAILED" || d.Status === "ABORTED")
        throw new Error(`statement ${d.Status.toLowerCase()}: ${d.Error ?? "no error text"}`);
      if (Date.now() > deadline) throw new Error(`statement ${id} still ${d.Status} after ${poll.timeoutMs} ms`);
      await sleep(poll.intervalMs);
    }
  };
  return {
    async query(sql) {
      const { Id } = (await client.send(new ExecuteStatementCommand({ ...base, Sql: sql }))) as { Id?: string };
      const done = await wait(Id!);
      if (!done.HasResultSet) return [];
      const rows: Row[] = [];
      let token: string | undefined;
      do {
        const page = (await client.send(new GetStatementResultCommand({ Id: Id!, NextToken: token }))) as {
          Records?: Field[][];
          ColumnMetadata?: { name?: string }[];
          NextToken?: string;
        };
        const names = (page.ColumnMetadata ?? []).map((c) => c.name ?? "");
        for (const record of page.Records ?? [])
          rows.push(Object.fromEntries(record.map((f, i) => [names[i], fieldValue(f)])));
        token = page.NextToken;
      } while (token);
      return rows;
    },
    async transaction(statements) {
      if (statements.length > REDSHIFT_BATCH_LIMIT)
        throw new Error(
          `${statements.length} statements exceed the Data API's batch limit of ${REDSHIFT_BATCH_LIMIT}; split the script`,
        );
      const { Id } = (await client.send(new BatchExecuteStatementCommand({ ...base, Sqls: [...statements] }))) as {
        Id?: string;
      };
      await wait(Id!);
    },
  };
}
