import { Readable } from "stream";
import { pipeline } from "stream/promises";
import { CustomTypesConfig, Pool, PoolClient, types as pgTypes } from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import { intEnv, optionalEnv, requireEnv } from "./env";
import { SecretReader, secretReader } from "./secrets";
import { type Engine, ident } from "../../records/staging";

// The staging contract is plain SQL text the program uses too; the loader and tests take it from here.
export { ident, qualified, stagingDdl } from "../../records/staging";
export type { Engine } from "../../records/staging";

export interface WarehouseSettings {
  readonly engine: Engine;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** Verify the server certificate (the Lambda runtime's CA bundle includes Amazon RDS and Redshift CAs). */
  readonly tls: boolean;
  /**
   * PostgreSQL group role each transaction acts as (`SET LOCAL ROLE`), so the tables the login creates belong to
   * the group and the group's default privileges apply. Redshift's scoped grants cover new tables without it.
   * @default none
   */
  readonly group?: string;
}

/** A statement with its own result parsers (pg's QueryConfig `types`), e.g. {@link EXACT_TYPES}. */
export interface Statement {
  readonly text: string;
  readonly types: CustomTypesConfig;
}

export interface Sql {
  query<R = Record<string, unknown>>(
    text: string | Statement,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
  /**
   * PostgreSQL `COPY … FROM STDIN`: streams `chunks` (rows in the statement's format: text, see {@link copyText}, or
   * binary) within the transaction and returns the number of rows copied. Not available on Redshift, which copies
   * from S3.
   */
  copyFrom(
    statement: string,
    chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  ): Promise<number>;
}

// pg's default parsers keep int8 and numeric as their text (exact), but run json and jsonb through JSON.parse, which
// rounds integers beyond 2^53 and long decimals. An export keeps json and jsonb as the text the warehouse sent.
const JSON_OIDS = new Set([114 /* json */, 3802 /* jsonb */]);

/** Result parsers for exports: nothing rounded (json and jsonb stay text, int8 and numeric stay text as by default). */
export const EXACT_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    format !== "binary" && JSON_OIDS.has(oid)
      ? (text: string) => text
      : pgTypes.getTypeParser(oid, format)) as CustomTypesConfig["getTypeParser"],
};

const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A value as one field of COPY's text format: backslash, newline, carriage return and tab escaped. */
export const copyText = (value: string): string =>
  /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]) : value;

export interface Warehouse {
  readonly engine: Engine;
  /** Runs `fn` in one transaction; any throw rolls everything back. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A single-connection pool per warm container: loads are serialized per function by reserved concurrency anyway,
 * and the warehouse's connection budget is shared with BI. Credentials come from the secret at connect time, so
 * a rotated password is picked up by the next connection.
 */
export function pgWarehouse(settings: WarehouseSettings, credentials: SecretReader): Warehouse {
  let pool: Pool | undefined;
  const connect = async (): Promise<PoolClient> => {
    if (!pool) {
      const { username } = await credentials();
      pool = new Pool({
        host: settings.host,
        port: settings.port,
        database: settings.database,
        user: username,
        password: async () => (await credentials()).password,
        ssl: settings.tls ? { rejectUnauthorized: true } : false,
        max: 1,
        idleTimeoutMillis: 60_000,
        connectionTimeoutMillis: 10_000,
        statement_timeout: 10 * 60_000,
      });
      // An idle connection closed by the server (failover, restart) must not crash the container: drop it,
      // and the next transaction opens a fresh one.
      pool.on("error", () => undefined);
    }
    return pool.connect();
  };
  return {
    engine: settings.engine,
    async transaction(fn) {
      const client = await connect();
      try {
        await client.query("BEGIN");
        if (settings.group && settings.engine === "postgres")
          await client.query(`SET LOCAL ROLE ${ident(settings.group)}`);
        const result = await fn({
          query: (text, values) =>
            (typeof text === "string" ? client.query(text, values) : client.query({ ...text, values })) as never,
          async copyFrom(statement, chunks) {
            if (settings.engine !== "postgres")
              throw new Error("COPY … FROM STDIN is PostgreSQL's; Redshift copies from S3");
            const stream = client.query(copyFromStdin(statement));
            await pipeline(Readable.from(chunks), stream);
            return stream.rowCount;
          },
        });
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool?.end();
      pool = undefined;
    },
  };
}

/**
 * The staging rows of an object in COPY's text format, a few thousand rows per chunk: COPY streams them in one
 * statement (no statement size limit, no per-row parameters), an order of magnitude faster than INSERT.
 */
export function* copyRows(
  source: string,
  key: string,
  records: readonly string[],
  rowsPerChunk = 2000,
): Generator<string> {
  const prefix = `${copyText(source)}\t${copyText(key)}\t`;
  let chunk = "";
  for (let i = 0; i < records.length; i++) {
    chunk += `${prefix}${i}\t${copyText(records[i])}\n`;
    if ((i + 1) % rowsPerChunk === 0) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/** Multi-row INSERTs of 500 records: Redshift's path (the benchmark compares PostgreSQL's COPY with it). */
export async function insertRows(
  sql: Sql,
  engine: Engine,
  source: string,
  key: string,
  table: string,
  records: readonly string[],
  /** record_index of the first record (the refusal search inserts one record at its own index). */
  offset = 0,
): Promise<void> {
  // PostgreSQL types each parameter as its column (json, or jsonb in tables created before json): no cast.
  const json = engine === "redshift" ? (n: number) => `JSON_PARSE($${n})` : (n: number) => `$${n}`;
  const CHUNK = 500;
  for (let start = 0; start < records.length; start += CHUNK) {
    const chunk = records.slice(start, start + CHUNK);
    const values: unknown[] = [];
    const rows = chunk.map((r, i) => {
      values.push(source, key, offset + start + i, r);
      const b = i * 4;
      return `($${b + 1}, $${b + 2}, $${b + 3}, ${json(b + 4)})`;
    });
    await sql.query(
      `INSERT INTO staging.${ident(table)} (source, object_key, record_index, record) VALUES ${rows.join(", ")}`,
      values,
    );
  }
}

/** The warehouse the function's environment names (`WAREHOUSE_*`); the login is read from the secret at run time. */
export function warehouseFromEnv(): Warehouse {
  return pgWarehouse(
    {
      engine: requireEnv("WAREHOUSE_ENGINE") as Engine,
      host: requireEnv("WAREHOUSE_HOST"),
      port: intEnv("WAREHOUSE_PORT", 5432),
      database: requireEnv("WAREHOUSE_DATABASE"),
      tls: optionalEnv("WAREHOUSE_TLS") !== "disable",
      group: optionalEnv("WAREHOUSE_GROUP"),
    },
    secretReader(requireEnv("WAREHOUSE_SECRET_ARN")),
  );
}
