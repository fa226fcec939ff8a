import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { stringifyJson } from "../../records/json";

export interface RawObject {
  readonly key: string;
  readonly body: string;
}

/** Any object a writer stores: records as JSON text, or a binary file (a published Parquet part). */
export interface StoredObject {
  readonly key: string;
  readonly body: string | Uint8Array;
  /** @default "application/json" */
  readonly contentType?: string;
}

/**
 * Writes to one source's prefix of the raw zone. Every put names the zone's KMS key explicitly: the bucket policy
 * refuses any other key, so a misconfigured function fails loudly instead of writing data under the wrong key.
 */
export class RawWriter {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly kmsKeyArn: string,
    private readonly source: string,
  ) {}

  async put(o: StoredObject): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: o.key,
        Body: o.body,
        ContentType: o.contentType ?? "application/json",
        ServerSideEncryption: "aws:kms",
        SSEKMSKeyId: this.kmsKeyArn,
        Metadata: { source: this.source },
      }),
    );
  }

  /** Writes all objects with bounded parallelism; returns the keys that failed with their errors (never throws). */
  async putAll(objects: readonly RawObject[], parallel = 16): Promise<{ key: string; error: Error }[]> {
    const failed: { key: string; error: Error }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < objects.length) {
        const o = objects[next++];
        try {
          await this.put(o);
        } catch (e) {
          failed.push({ key: o.key, error: e as Error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, objects.length) }, worker));
    return failed;
  }

  /** An object's text, or undefined if it does not exist. */
  async get(key: string): Promise<string | undefined> {
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await r.Body?.transformToString("utf8");
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === "NoSuchKey") return undefined;
      throw e;
    }
  }
}

/** The stored form of a rejected record: what arrived (numbers exact), and every reason it was refused. */
export function rejectedBody(input: {
  source: string;
  receivedAt: Date;
  reasons: string[];
  record?: unknown;
  rawText?: string;
  /** Where the record came from (e.g. its topic, partition and offset). @default none */
  origin?: Record<string, unknown>;
}): string {
  return stringifyJson({
    source: input.source,
    receivedAt: input.receivedAt.toISOString(),
    reasons: input.reasons,
    ...(input.record !== undefined ? { record: input.record } : { rawText: input.rawText }),
    ...(input.origin ? { origin: input.origin } : {}),
  });
}
