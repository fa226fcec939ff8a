import * as fs from "node:fs";
import * as path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { GlueType, parseType } from "../../components/datasets/types";
import type { LocalS3 } from "../../tools/local-servers";

// A real SQL engine over lake objects, offline: DuckDB reads the JSON lines and Parquet files the handlers and the
// pipeline write, with exactly a Glue table's declared columns. The type mapping is documented in docs/datasets.md.

/** The DuckDB type a Glue column is read as. `timestamp` is read as TIMESTAMPTZ from JSON, so that an offset in
 * the text counts (as the Hive JSON SerDe's `ZZ` format does); Parquet stores UTC instants and reads as TIMESTAMP. */
export function duckdbType(glue: string | GlueType, source: "json" | "parquet" = "parquet"): string {
  const t = typeof glue === "string" ? parseType(glue) : glue;
  if (typeof t === "string") throw new Error(t);
  switch (t.kind) {
    case "decimal":
      return `DECIMAL(${t.precision},${t.scale})`;
    case "array":
      return `${duckdbType(t.element, source)}[]`;
    case "struct":
      return `STRUCT(${t.fields.map((f) => `${f.name} ${duckdbType(f.type, source)}`).join(", ")})`;
    case "scalar":
      return {
        string: "VARCHAR",
        boolean: "BOOLEAN",
        int: "INTEGER",
        bigint: "BIGINT",
        float: "FLOAT",
        double: "DOUBLE",
        date: "DATE",
        timestamp: source === "json" ? "TIMESTAMP WITH TIME ZONE" : "TIMESTAMP",
        binary: "BLOB",
      }[t.name];
  }
}

/** Copies every object under `prefix` to `dir`, keeping its key as the path (so `dt=` folders stay partitions). */
export async function download(s3: LocalS3, bucket: string, prefix: string, dir: string): Promise<string[]> {
  const keys = await s3.keys(bucket, prefix);
  for (const key of keys) {
    const body = await (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!;
    const file = path.join(dir, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await body.transformToByteArray());
  }
  return keys;
}

export async function duckdb(): Promise<DuckDBConnection> {
  const connection = await (await DuckDBInstance.create(":memory:")).connect();
  await connection.run("SET TimeZone = 'UTC'");
  return connection;
}

export async function rows(c: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** Column name → DuckDB type of a query's result (DESCRIBE). */
export async function describe(c: DuckDBConnection, sql: string): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await rows(c, `DESCRIBE ${sql}`)).map((r) => [String(r.column_name), String(r.column_type)]),
  );
}

/** A SQL string literal. */
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
