import { strict as assert } from "assert";
import type { Client } from "pg";
import { applyLogins, readCredentials } from "../../components/warehouse/handlers/bootstrap";
import { pgSession } from "../../components/warehouse/handlers/sessions";
import {
  loginProblems,
  loginStatements,
  passwordHash,
  redshiftMd5Password,
  scramSha256Verifier,
} from "../../components/warehouse/logins";
import { applyScripts, DIALECTS } from "../../components/warehouse/migrate";
import { renderScripts } from "../../components/warehouse/scripts";
import { startPostgres, SUPERUSER, TestPostgres } from "./support/postgres";

// Service logins on a real PostgreSQL: the bootstrap reads each login's secret, sends only a SCRAM verifier, and
// the login then authenticates with the plain password and holds exactly its group role.

const ADMIN = { user: "warehouse_admin", password: "admin-pw" };
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-data-prod/warehouse/login/query_engine-AbCdEf";

/** A Secrets Manager stand-in holding whatever the test put in it. */
function secretsHolding(values: Record<string, string>) {
  const asked: string[] = [];
  return {
    asked,
    async send(command: { input: { SecretId?: string } }) {
      const id = String(command.input.SecretId);
      asked.push(id);
      if (!(id in values)) throw new Error(`ResourceNotFoundException: ${id}`);
      return { SecretString: values[id] };
    },
  };
}

describe("warehouse service logins on a real PostgreSQL", function () {
  this.timeout(60_000);
  let pg: TestPostgres;
  let admin: Client;

  before(async () => {
    pg = await startPostgres();
    const superuser = await pg.connect(SUPERUSER.user, SUPERUSER.password, "postgres");
    await superuser.query(`CREATE ROLE ${ADMIN.user} LOGIN CREATEROLE PASSWORD '${ADMIN.password}'`);
    await superuser.query(`CREATE DATABASE analytics OWNER ${ADMIN.user}`);
    admin = await pg.connect(ADMIN.user, ADMIN.password, "analytics");
    await applyScripts(pgSession(admin), DIALECTS.postgres, renderScripts("postgres", ["sales"]));
    await admin.query("CREATE TABLE marts_sales.orders (id int)");
    await admin.query("CREATE TABLE staging.orders_raw (id int)");
  });
  after(async () => {
    if (pg) await pg.stop();
  });

  it("creates the login from its secret; it reads the marts, nothing else, with the plain password", async () => {
    const secrets = secretsHolding({
      [ARN]: JSON.stringify({ username: "query_engine", password: "Pw1-first-secret" }),
    });
    assert.deepEqual(
      await applyLogins(
        pgSession(admin),
        "postgres",
        [{ name: "query_engine", role: "bi_reader", secretArn: ARN }],
        secrets,
      ),
      ["query_engine"],
    );
    assert.deepEqual(secrets.asked, [ARN]);
    const stored = await pg.connect(SUPERUSER.user, SUPERUSER.password, "postgres");
    const { rows } = await stored.query(
      "SELECT rolpassword, rolsuper, rolcreaterole, rolcreatedb FROM pg_authid WHERE rolname = 'query_engine'",
    );
    assert.match(rows[0].rolpassword, /^SCRAM-SHA-256\$4096:/, "only a verifier was stored");
    assert.deepEqual([rows[0].rolsuper, rows[0].rolcreaterole, rows[0].rolcreatedb], [false, false, false]);

    const qe = await pg.connect("query_engine", "Pw1-first-secret", "analytics");
    assert.deepEqual((await qe.query("SELECT count(*)::int AS n FROM marts_sales.orders")).rows, [{ n: 0 }]);
    await assert.rejects(qe.query("SELECT * FROM staging.orders_raw"), /permission denied/);
    await assert.rejects(qe.query("INSERT INTO marts_sales.orders VALUES (1)"), /permission denied/);
  });

  it("a rotated secret replaces the password on the next run; the old one stops working", async () => {
    const secrets = secretsHolding({
      [ARN]: JSON.stringify({ username: "query_engine", password: "Pw2-rotated-secret" }),
    });
    await applyLogins(
      pgSession(admin),
      "postgres",
      [{ name: "query_engine", role: "bi_reader", secretArn: ARN }],
      secrets,
    );
    await assert.rejects(pg.connect("query_engine", "Pw1-first-secret", "analytics"), /password authentication failed/);
    const qe = await pg.connect("query_engine", "Pw2-rotated-secret", "analytics");
    assert.equal((await qe.query("SELECT current_user AS u")).rows[0].u, "query_engine");
  });

  it("moving a login to another role takes the old membership away", async () => {
    const secrets = secretsHolding({
      [ARN]: JSON.stringify({ username: "query_engine", password: "Pw2-rotated-secret" }),
    });
    await applyLogins(
      pgSession(admin),
      "postgres",
      [{ name: "query_engine", role: "loader", secretArn: ARN }],
      secrets,
    );
    const { rows } = await admin.query(
      "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'query_engine'",
    );
    assert.deepEqual(
      rows.map((r) => r.rolname),
      ["loader"],
    );
    await applyLogins(
      pgSession(admin),
      "postgres",
      [{ name: "query_engine", role: "bi_reader", secretArn: ARN }],
      secrets,
    );
  });

  it("refuses a secret made for another user, or without a password, and never echoes its value", async () => {
    const other = secretsHolding({
      [ARN]: JSON.stringify({ username: "platform_admin", password: "Sup3r-secret-value" }),
    });
    await assert.rejects(
      applyLogins(pgSession(admin), "postgres", [{ name: "query_engine", role: "bi_reader", secretArn: ARN }], other),
      /its secret is for user 'platform_admin'/,
    );
    const broken = secretsHolding({ [ARN]: "Sup3r-secret-value" });
    await assert.rejects(
      readCredentials(broken, ARN),
      (e: Error) => /is not JSON/.test(e.message) && !e.message.includes("Sup3r"),
    );
  });
});

describe("login statements", () => {
  it("compute the SCRAM verifier PostgreSQL itself would (RFC 7677 test vector)", () => {
    // The RFC's example: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
    const v = scramSha256Verifier("pencil", Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64"), 4096);
    assert.equal(
      v,
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
    );
  });

  it("give Redshift the documented md5 form and the ensure_user procedure, never the password", () => {
    assert.equal(redshiftMd5Password("ez", "user1"), "md5153c434b4b77c89e6b94f12c5393af5b");
    const text = loginStatements(
      "redshift",
      { name: "query_engine", role: "bi_reader" },
      passwordHash("redshift", "query_engine", "Pw-plain-1"),
    ).join("\n");
    assert.match(text, /CALL platform_meta\.ensure_user\('query_engine', 'md5[0-9a-f]{32}'\)/);
    assert.match(text, /GRANT ROLE bi_reader TO query_engine/);
    assert.match(text, /REVOKE ROLE loader FROM query_engine/);
    assert.ok(!text.includes("Pw-plain-1"));
    assert.ok(
      renderScripts("redshift", ["sales"]).some(
        (s) => s.id === "V002" && s.statements.join("\n").includes("PROCEDURE platform_meta.ensure_user"),
      ),
    );
  });

  it("refuse names, roles and hashes that could smuggle SQL", () => {
    const hash = passwordHash("postgres", "x", "pw");
    assert.throws(
      () => loginStatements("postgres", { name: "qe; DROP ROLE bi_reader", role: "bi_reader" }, hash),
      /refusing to render login/,
    );
    assert.throws(
      () => loginStatements("postgres", { name: "platform_admin", role: "bi_reader" }, hash),
      /refusing to render login/,
    );
    assert.deepEqual(loginProblems([{ name: "warehouse_owner", role: "bi_reader", purpose: "x" }], "warehouse_owner"), [
      "login 'warehouse_owner': the name is reserved by the platform",
    ]);
    assert.throws(
      () => loginStatements("postgres", { name: "query_engine", role: "pg_read_server_files" as never }, hash),
      /refusing to render role/,
    );
    assert.throws(
      () => loginStatements("postgres", { name: "query_engine", role: "bi_reader" }, "plain' SUPERUSER --"),
      /not a hash/,
    );
  });
});
