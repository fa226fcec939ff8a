import * as crypto from "node:crypto";
import { PLATFORM_SQL_NAMES, reservedIdentifier } from "../core/identifiers";
import type { SqlDialectName } from "./scripts";

// Service logins of the warehouse (the query engine, BI tools): a user per consumer, member of exactly one of the
// bootstrap's group roles, with a generated password kept in Secrets Manager. The bootstrap sets the password
// from the secret on every run, so rotating the secret and re-running the bootstrap is the rotation procedure.

/** The group roles a login may join (created by V001). */
export const LOGIN_ROLES = ["loader", "transformer", "bi_reader"] as const;
export type LoginRole = (typeof LOGIN_ROLES)[number];

export interface WarehouseLogin {
  /** Database user name: lower-case letters, digits and `_`. */
  readonly name: string;
  readonly role: LoginRole;
  /** What uses the login; shown in the secret's description. */
  readonly purpose: string;
}

/** A login as the bootstrap receives it: where its password lives, never the password. */
export interface LoginRef {
  readonly name: string;
  readonly role: LoginRole;
  readonly secretArn: string;
}

export const LOGIN_NAME = /^[a-z][a-z0-9_]{2,62}$/;
/** Names the platform reserves: the group roles themselves and the admin. */
const RESERVED = new Set<string>([...LOGIN_ROLES, PLATFORM_SQL_NAMES.admin, "postgres", "rdsadmin", "public"]);

/**
 * Every problem with a set of logins, as messages naming the login: reserved SQL words, system roles, the
 * platform's roles and admin (`adminUsername` too), and with `configured`, the platform's own service logins
 * (a configured login may not take their names).
 */
export function loginProblems(logins: readonly WarehouseLogin[], adminUsername?: string, configured = false): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const l of logins) {
    if (!LOGIN_NAME.test(l.name))
      problems.push(`login '${l.name}': must be 3–63 lower-case letters, digits or _, starting with a letter`);
    if (RESERVED.has(l.name) || l.name === adminUsername)
      problems.push(`login '${l.name}': the name is reserved by the platform`);
    else {
      const reserved = reservedIdentifier(l.name, configured ? PLATFORM_SQL_NAMES.serviceLogins : []);
      if (reserved) problems.push(`login '${l.name}': ${reserved}`);
    }
    if (!(LOGIN_ROLES as readonly string[]).includes(l.role))
      problems.push(`login '${l.name}': role must be one of ${LOGIN_ROLES.join(" | ")}`);
    if (seen.has(l.name)) problems.push(`login '${l.name}': declared twice`);
    seen.add(l.name);
  }
  return problems;
}

/**
 * The PostgreSQL SCRAM-SHA-256 verifier of a password (RFC 5802/7677, the format of `pg_authid.rolpassword`).
 * The bootstrap sends this instead of the password: pgaudit logs role statements, and a verifier in a log
 * cannot be replayed as a password.
 */
export function scramSha256Verifier(
  password: string,
  salt: Buffer = crypto.randomBytes(16),
  iterations = 4096,
): string {
  const salted = crypto.pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const hmac = (key: Buffer, text: string) => crypto.createHmac("sha256", key).update(text).digest();
  const storedKey = crypto.createHash("sha256").update(hmac(salted, "Client Key")).digest();
  const serverKey = hmac(salted, "Server Key");
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** Redshift's documented hashed-password form: `md5` followed by md5(password || user name). */
export function redshiftMd5Password(password: string, user: string): string {
  return `md5${crypto
    .createHash("md5")
    .update(password + user)
    .digest("hex")}`;
}

// Values are written as literals (the Redshift Data API's batch call takes no parameters), so only these shapes
// ever reach SQL text: identifiers from LOGIN_NAME/LOGIN_ROLES, hashes in base64/hex characters.
const HASH = /^(SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+|md5[0-9a-f]{32})$/;

/**
 * Statements that make `login` exist, able to log in with `hash`, with no special privileges, member of its role
 * and of no other platform role. Idempotent: a re-run leaves the catalog as it was (except a new password).
 */
export function loginStatements(
  dialect: SqlDialectName,
  login: Pick<LoginRef, "name" | "role">,
  hash: string,
): string[] {
  if (!LOGIN_NAME.test(login.name) || RESERVED.has(login.name))
    throw new Error(`refusing to render login '${login.name}'`);
  if (!(LOGIN_ROLES as readonly string[]).includes(login.role))
    throw new Error(`refusing to render role '${login.role}'`);
  if (!HASH.test(hash)) throw new Error(`refusing to render a password that is not a hash for '${login.name}'`);
  const others = LOGIN_ROLES.filter((r) => r !== login.role);
  if (dialect === "postgres") {
    return [
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${login.name}') THEN CREATE ROLE ${login.name} LOGIN; END IF; END $$`,
      // CREATE ROLE already means no superuser, createdb, createrole or replication; a managed database's admin
      // may not even name those attributes, and it cannot alter a role that has them.
      `ALTER ROLE ${login.name} WITH LOGIN INHERIT CONNECTION LIMIT 50 PASSWORD '${hash}'`,
      ...others.map((r) => `REVOKE ${r} FROM ${login.name}`),
      `GRANT ${login.role} TO ${login.name}`,
    ];
  }
  return [
    `CALL platform_meta.ensure_user('${login.name}', '${hash}')`,
    `ALTER USER ${login.name} PASSWORD '${hash}' NOCREATEDB NOCREATEUSER CONNECTION LIMIT 50`,
    ...others.map((r) => `REVOKE ROLE ${r} FROM ${login.name}`),
    `GRANT ROLE ${login.role} TO ${login.name}`,
  ];
}

/** The hash each dialect stores. */
export function passwordHash(dialect: SqlDialectName, user: string, password: string): string {
  return dialect === "postgres" ? scramSha256Verifier(password) : redshiftMd5Password(password, user);
}
