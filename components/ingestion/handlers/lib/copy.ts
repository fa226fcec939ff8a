// Redshift's bulk path: COPY reads S3, not the client connection. The loader validates an object as for any engine,
// writes the records it admits as a normalised staging object (one JSON line per record with its index, the record
// exactly as admitted) and a manifest naming it, and COPYs that in the same transaction as the ledger claim and the
// rejects: exactly once and atomic per object, as on PostgreSQL. Rejects never reach the staging object.
import { ident } from "./warehouse";

/** The staging object's and manifest's keys for one object's content (its SHA-256), under the staging prefix. */
export function copyKeys(stagingPrefix: string, checksum: string): { data: string; manifest: string } {
  if (!/^[0-9a-f]{64}$/.test(checksum)) throw new Error(`not a SHA-256 hex digest: ${checksum}`);
  return { data: `${stagingPrefix}${checksum}.jsonl`, manifest: `${stagingPrefix}${checksum}.manifest` };
}

/**
 * The staging rows as JSON lines `{"source","object_key","record_index","record"}`, matched to the staging table's
 * columns by name (`FORMAT JSON 'auto'`). Each record is the admitted JSON text itself, so numbers keep their digits
 * up to what SUPER stores.
 */
export function stagingLines(source: string, key: string, records: readonly string[]): string {
  const head = `{"source":${JSON.stringify(source)},"object_key":${JSON.stringify(key)},"record_index":`;
  let out = "";
  for (let i = 0; i < records.length; i++) out += `${head}${i},"record":${records[i]}}\n`;
  return out;
}

/** A COPY manifest naming exactly one object, which must exist (`mandatory`): COPY fails rather than load nothing. */
export function copyManifest(bucket: string, dataKey: string, bytes: number): string {
  return JSON.stringify({
    entries: [{ url: `s3://${bucket}/${dataKey}`, mandatory: true, meta: { content_length: bytes } }],
  });
}

/**
 * The COPY of one staging object into `staging.<table>`. `MAXERROR 0` (the default, stated) makes any line
 * Redshift refuses fail the whole statement, and so the transaction: the object is retried, never half loaded.
 */
export function redshiftCopySql(table: string, bucket: string, manifestKey: string, roleArn: string): string {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) throw new Error(`not a role ARN: ${roleArn}`);
  if (/['\\]/.test(bucket + manifestKey)) throw new Error(`unsafe S3 location: ${bucket}/${manifestKey}`);
  return [
    `COPY staging.${ident(table)} (source, object_key, record_index, record)`,
    `FROM 's3://${bucket}/${manifestKey}'`,
    `IAM_ROLE '${roleArn}'`,
    "MANIFEST",
    "FORMAT AS JSON 'auto'",
    "MAXERROR 0",
    "COMPUPDATE OFF STATUPDATE OFF",
  ].join(" ");
}
