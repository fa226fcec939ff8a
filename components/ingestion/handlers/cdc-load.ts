// CDC load: on a schedule, DMS's new Parquet files of each table → `staging.<table>_changes` → MERGE into
// `staging.<table>` → the files recorded as loaded, in one warehouse transaction per table. Anything failing rolls the
// whole table back (nothing recorded), and the next run takes the same files again; a table that fails does not stop
// the others. Redshift copies the files itself (COPY … FORMAT AS PARQUET from a manifest, through the warehouse's
// copy role); the copier is the only engine-specific step.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { parquetRead } from "hyparquet";
import type { Logger } from "@aws-lambda-powertools/logger";
import {
  copyManifest,
  copyStatement,
  fileColumns,
  LakeFile,
  LEDGER,
  loadPlan,
  manifestKey,
  pendingFiles,
  tablePrefix,
} from "../../cdc/load";
import type { CdcLoadTable, PackagedCdcLoadConfig } from "../../cdc/load";
import type { MergeEngine } from "../../cdc/merge";
import { requireEnv } from "./lib/env";
import { logger as makeLogger, packagedConfig, s3Client } from "./lib/runtime";
import { copyText, Sql, Warehouse, warehouseFromEnv } from "./lib/warehouse";

export type { CdcLoadTable, PackagedCdcLoadConfig };

export interface CdcLoadConfig extends PackagedCdcLoadConfig {
  readonly bucket: string;
  readonly kmsKeyArn: string;
}

/** Lands one batch of files in the changes table, inside the run's transaction. */
export type Copier = (sql: Sql, table: CdcLoadTable, files: readonly LakeFile[], manifestUri: string) => Promise<void>;

/** Redshift: the warehouse reads the files itself, through the copy role associated with its namespace. */
export const redshiftCopier =
  (iamRoleArn: string): Copier =>
  async (sql, table, _files, manifestUri) => {
    await sql.query(copyStatement(table, manifestUri, iamRoleArn));
  };

/** One Parquet value in COPY's text format: `\N` for null, timestamps in ISO 8601, integers digit for digit. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  if (v instanceof Date) return copyText(v.toISOString());
  if (v instanceof Uint8Array) return copyText(Buffer.from(v).toString("utf8"));
  return copyText(String(v));
}

/**
 * Aurora PostgreSQL has no Parquet reader (aws_s3.table_import_from_s3 takes text and CSV): the function reads each
 * DMS file itself and streams its rows through `COPY … FROM STDIN`, by position in DMS's column order, like
 * Redshift's columnar COPY. Same transaction, ledger and MERGE as on Redshift.
 */
export const parquetStdinCopier =
  (s3: S3Client, bucket: string): Copier =>
  async (sql, table, files) => {
    const width = fileColumns(table).length;
    const chunks: string[] = [];
    for (const f of files) {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: f.key }))
      ).Body!.transformToByteArray();
      const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
      await parquetRead({
        file,
        onComplete: (rows: unknown[][]) => {
          for (const row of rows) {
            if (row.length !== width)
              throw new Error(`${f.key}: ${row.length} columns, expected ${width} (${fileColumns(table).join(", ")})`);
            chunks.push(row.map(copyValue).join("\t") + "\n");
          }
        },
      });
    }
    const columns = fileColumns(table)
      .map((c) => `"${c}"`)
      .join(", ");
    await sql.copyFrom(`COPY "staging"."${table.name}_changes" (${columns}) FROM STDIN`, chunks);
  };

export interface CdcLoadDeps {
  readonly config: CdcLoadConfig;
  readonly s3: S3Client;
  readonly warehouse: Warehouse;
  readonly copier: Copier;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface TableOutcome {
  readonly target: string;
  readonly files: number;
  readonly error?: string;
}

async function listFiles(s3: S3Client, bucket: string, prefix: string): Promise<LakeFile[]> {
  const out: LakeFile[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0 });
    token = r.NextContinuationToken;
  } while (token);
  return out;
}

export function createCdcLoadHandler(deps: CdcLoadDeps): () => Promise<TableOutcome[]> {
  const { config, s3, warehouse, copier, logger } = deps;
  const engine: MergeEngine = warehouse.engine;
  const now = deps.now ?? (() => new Date());

  const loadTable = async (t: CdcLoadTable): Promise<TableOutcome> => {
    const listing = await listFiles(s3, config.bucket, tablePrefix(config.prefix, t.schema, t.table));
    const plan = loadPlan(engine, t);
    const files = await warehouse.transaction(async (sql) => {
      for (const statement of plan.prepare) await sql.query(statement);
      const { rows } = await sql.query<{ file_key: string }>(`SELECT file_key FROM ${LEDGER} WHERE target = $1`, [
        t.name,
      ]);
      const pending = pendingFiles(listing, new Set(rows.map((r) => r.file_key)));
      if (pending.length === 0) return pending;
      const at = now();
      const key = manifestKey(config.prefix, t.name, at.toISOString().replace(/[^0-9]/g, ""));
      await s3.send(
        new PutObjectCommand({
          Bucket: config.bucket,
          Key: key,
          Body: JSON.stringify(copyManifest(config.bucket, pending)),
          ContentType: "application/json",
          ServerSideEncryption: "aws:kms",
          SSEKMSKeyId: config.kmsKeyArn,
        }),
      );
      await copier(sql, t, pending, `s3://${config.bucket}/${key}`);
      for (const statement of plan.merge) await sql.query(statement);
      for (const f of pending) await sql.query(plan.record, [t.name, f.key, at.toISOString()]);
      return pending;
    });
    return { target: t.name, files: files.length };
  };

  return async () => {
    const outcomes: TableOutcome[] = [];
    for (const t of config.tables) {
      try {
        outcomes.push(await loadTable(t));
      } catch (e) {
        logger.error("cdc load failed; the table's files are taken again next run", {
          target: t.name,
          error: (e as Error).message,
        });
        outcomes.push({ target: t.name, files: 0, error: (e as Error).message });
      }
    }
    logger.info("cdc load", { source: config.source, outcomes });
    const failed = outcomes.filter((o) => o.error);
    // A failed table fails the run: the schedule retries it and, past its retries, its dead-letter queue keeps it.
    if (failed.length > 0) throw new Error(`cdc load of ${failed.map((f) => f.target).join(", ")} failed`);
    return outcomes;
  };
}

let live: ReturnType<typeof createCdcLoadHandler> | undefined;

export const handler = (): Promise<TableOutcome[]> =>
  (live ??= (() => {
    const config: CdcLoadConfig = {
      ...packagedConfig<PackagedCdcLoadConfig>(),
      bucket: requireEnv("RAW_BUCKET"),
      kmsKeyArn: requireEnv("RAW_KEY_ARN"),
    };
    const s3 = s3Client();
    const warehouse = warehouseFromEnv();
    return createCdcLoadHandler({
      config,
      s3,
      warehouse,
      copier:
        warehouse.engine === "redshift"
          ? redshiftCopier(requireEnv("WAREHOUSE_COPY_ROLE_ARN"))
          : parquetStdinCopier(s3, config.bucket),
      logger: makeLogger(config.source),
    });
  })())();
