import { Logger } from "@aws-lambda-powertools/logger";
import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client } from "pg";
import { z } from "zod";
import { LOGIN_NAME, LOGIN_ROLES, loginStatements, passwordHash } from "../logins";
import { applyScripts, ApplyResult, DIALECTS, SqlSession } from "../migrate";
import { Script, scriptsChecksum, sha256 } from "../scripts";
import { pgSession, redshiftDataSession } from "./sessions";

// Deploy-time bootstrap of the warehouse: the program invokes this function with the rendered SQL scripts
// (aws.lambda.Invocation, re-run when their checksum changes). Nothing else can invoke it: it has no trigger
// and no resource policy, so only the deploying identity's lambda:InvokeFunction reaches it.

const logger = new Logger();

const scriptSchema = z.strictObject({
  id: z.string().regex(/^(V\d{3}|R__[a-z0-9_]+\.[a-z0-9_]+)$/),
  kind: z.enum(["versioned", "repeatable"]),
  file: z.string(),
  statements: z.array(z.string().min(1)),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});

const eventSchema = z.strictObject({
  engine: z.enum(["redshift-serverless", "aurora-postgresql"]),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  scripts: z.array(scriptSchema).min(1),
  /** Service logins whose passwords are set from their secrets after the scripts ran. */
  logins: z
    .array(
      z.strictObject({
        name: z.string().regex(LOGIN_NAME),
        role: z.enum(LOGIN_ROLES),
        secretArn: z.string().startsWith("arn:"),
      }),
    )
    .default([]),
});

export type BootstrapEvent = z.infer<typeof eventSchema>;

/** A payload the bootstrap will not run, named by field; retrying cannot fix it. */
export class InvalidBootstrapEvent extends Error {
  override readonly name = "InvalidBootstrapEvent";
}

/**
 * Validates the event and that every checksum matches its statements, so a truncated or hand-edited payload is
 * rejected with a reason before any SQL runs.
 */
export function parseBootstrapEvent(event: unknown): BootstrapEvent {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success)
    throw new InvalidBootstrapEvent(
      `invalid bootstrap event: ${parsed.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ")}`,
    );
  const e = parsed.data;
  for (const s of e.scripts) {
    if (sha256(s.statements.join(";\n")) !== s.checksum)
      throw new InvalidBootstrapEvent(`script ${s.id}: checksum does not match its statements`);
  }
  if (scriptsChecksum(e.scripts as Script[]) !== e.checksum)
    throw new InvalidBootstrapEvent("scripts checksum does not match the scripts");
  return e;
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

const secrets = new SecretsManagerClient({});

/** username and password of a JSON secret; refuses anything else, naming the secret but never its value. */
export async function readCredentials(
  client: Pick<SecretsManagerClient, "send">,
  secretArn: string,
): Promise<{ username: string; password: string }> {
  const secret = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let value: { username?: unknown; password?: unknown } = {};
  try {
    value = JSON.parse(secret.SecretString ?? "{}") as typeof value;
  } catch {
    throw new Error(`secret ${secretArn} is not JSON`);
  }
  if (typeof value.username !== "string" || typeof value.password !== "string" || !value.username || !value.password) {
    throw new Error(`secret ${secretArn} lacks username or password`);
  }
  return { username: value.username, password: value.password };
}

/**
 * Creates or updates each login from its secret, one transaction per login. The password crosses to the database
 * only as a hash (see logins.ts); a login whose secret names another user is refused.
 */
export async function applyLogins(
  session: SqlSession,
  dialect: "postgres" | "redshift",
  logins: BootstrapEvent["logins"],
  client: Pick<SecretsManagerClient, "send"> = secrets,
): Promise<string[]> {
  const done: string[] = [];
  for (const login of logins) {
    const { username, password } = await readCredentials(client, login.secretArn);
    if (username !== login.name) throw new Error(`login ${login.name}: its secret is for user '${username}'`);
    await session.transaction(loginStatements(dialect, login, passwordHash(dialect, login.name, password)));
    done.push(login.name);
  }
  return done;
}

async function openPostgres(): Promise<{ session: SqlSession; close: () => Promise<void> }> {
  const { username, password } = await readCredentials(secrets, env("ADMIN_SECRET_ARN"));
  const client = new Client({
    host: env("DB_HOST"),
    port: Number(env("DB_PORT")),
    database: env("DB_NAME"),
    user: username,
    password,
    // Verified TLS: the RDS CA bundle comes from NODE_EXTRA_CA_CERTS (set by the component).
    ssl: { rejectUnauthorized: true },
    connectionTimeoutMillis: 10_000,
    application_name: "platform-bootstrap",
  });
  await client.connect();
  return { session: pgSession(client), close: () => client.end() };
}

function openRedshift(): { session: SqlSession; close: () => Promise<void> } {
  const session = redshiftDataSession(new RedshiftDataClient({}), {
    workgroupName: env("WORKGROUP_NAME"),
    database: env("DB_NAME"),
    secretArn: env("ADMIN_SECRET_ARN"),
  });
  return { session, close: async () => undefined };
}

export async function handler(event: unknown): Promise<ApplyResult & { checksum: string; logins: string[] }> {
  const e = parseBootstrapEvent(event);
  const dialect = e.engine === "aurora-postgresql" ? "postgres" : "redshift";
  const { session, close } = e.engine === "aurora-postgresql" ? await openPostgres() : openRedshift();
  try {
    const result = await applyScripts(session, DIALECTS[dialect], e.scripts as Script[]);
    const logins = await applyLogins(session, dialect, e.logins);
    logger.info("bootstrap applied", { checksum: e.checksum, ...result, logins });
    // The result lands in the Invocation's state: ids, names and checksum only, never connection details.
    return { ...result, checksum: e.checksum, logins };
  } finally {
    await close();
  }
}
