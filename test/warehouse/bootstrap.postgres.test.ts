import { strict as assert } from "assert";
import type { Client } from "pg";
import { pgSession } from "../../components/warehouse/handlers/sessions";
import { applyScripts, DIALECTS, LEDGER_TABLE } from "../../components/warehouse/migrate";
import { renderScripts, Script } from "../../components/warehouse/scripts";
import { startPostgres, SUPERUSER, TestPostgres } from "./support/postgres";

// The bootstrap SQL on a real PostgreSQL server. The admin is deliberately NOT a superuser (CREATEROLE and
// database owner only), like the master user of a managed database, so privilege checks are the real ones.

const ADMIN = { user: "warehouse_admin", password: "admin-pw" };
const USERS = { loader: "svc_loader", transformer: "svc_transformer", bi_reader: "bi_analyst" } as const;
const USER_PW = "user-pw";
const scripts = renderScripts("postgres", ["sales", "marketing"]);

/** Everything the bootstrap could change, as one comparable string. */
async function catalog(c: Client): Promise<string> {
  const { rows } = await c.query(`
    SELECT json_build_object(
      'roles', (SELECT json_agg(json_build_object('r', rolname, 'login', rolcanlogin, 'super', rolsuper, 'inherit', rolinherit) ORDER BY rolname)
                FROM pg_roles WHERE rolname IN ('loader', 'transformer', 'bi_reader')),
      'members', (SELECT json_agg(json_build_object('role', r.rolname, 'member', m.rolname, 'admin', am.admin_option, 'inherit', am.inherit_option, 'set', am.set_option) ORDER BY r.rolname, m.rolname)
                  FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member),
      'schemas', (SELECT json_agg(json_build_object('n', nspname, 'acl', nspacl::text[]) ORDER BY nspname)
                  FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname <> 'information_schema'),
      'defaults', (SELECT json_agg(json_build_object('owner', pg_get_userbyid(defaclrole), 'ns', defaclnamespace::regnamespace::text, 'type', defaclobjtype, 'acl', defaclacl::text[])
                   ORDER BY pg_get_userbyid(defaclrole), defaclnamespace::regnamespace::text, defaclobjtype) FROM pg_default_acl),
      'tables', (SELECT json_agg(json_build_object('t', c.oid::regclass::text, 'acl', c.relacl::text[]) ORDER BY c.oid::regclass::text)
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'S') AND n.nspname NOT LIKE 'pg_%' AND n.nspname <> 'information_schema'),
      'ledger', (SELECT json_agg(json_build_object('s', script, 'c', checksum, 'at', applied_at) ORDER BY script) FROM ${LEDGER_TABLE})
    )::text AS snapshot`);
  return rows[0].snapshot as string;
}

async function denied(c: Client, sql: string): Promise<string> {
  await assert.rejects(c.query(sql), /permission denied|must be owner/, `expected "${sql}" to be refused`);
  return sql;
}

describe("warehouse bootstrap SQL on a real PostgreSQL", function () {
  this.timeout(60_000);
  let pg: TestPostgres;
  let superuser: Client;
  let admin: Client;
  const as: Partial<Record<keyof typeof USERS, Client>> = {};

  before(async () => {
    pg = await startPostgres();
    superuser = await pg.connect(SUPERUSER.user, SUPERUSER.password, "postgres");
    await superuser.query(`CREATE ROLE ${ADMIN.user} LOGIN CREATEROLE PASSWORD '${ADMIN.password}'`);
    await superuser.query(`CREATE DATABASE analytics OWNER ${ADMIN.user}`);
    admin = await pg.connect(ADMIN.user, ADMIN.password, "analytics");
  });

  after(async () => {
    if (pg) await pg.stop();
  });

  it("applies every script on a fresh database and records each in the ledger", async () => {
    const result = await applyScripts(pgSession(admin), DIALECTS.postgres, scripts);
    assert.deepEqual(result, { applied: ["V001", "R__marts.marketing", "R__marts.sales"], unchanged: [] });
    const { rows } = await admin.query(`SELECT script, checksum FROM ${LEDGER_TABLE} ORDER BY script`);
    assert.deepEqual(
      rows.map((r) => [r.script, r.checksum]),
      scripts.map((s) => [s.id, s.checksum]).sort(),
    );
    const schemas = await admin.query(
      `SELECT nspname FROM pg_namespace WHERE nspname IN ('staging', 'marts_sales', 'marts_marketing') ORDER BY 1`,
    );
    assert.deepEqual(
      schemas.rows.map((r) => r.nspname),
      ["marts_marketing", "marts_sales", "staging"],
    );
  });

  describe("role boundaries (tables created after the bootstrap)", () => {
    before(async () => {
      // Platform users log in as themselves and are granted one group role (what a user-management step does).
      for (const [role, user] of Object.entries(USERS)) {
        await superuser.query(`CREATE ROLE ${user} LOGIN PASSWORD '${USER_PW}' IN ROLE ${role}`);
        as[role as keyof typeof USERS] = await pg.connect(user, USER_PW, "analytics");
      }
      // Writers act as their group so what they create is owned by it (see V001's header).
      await as.loader!.query("SET ROLE loader");
      await as.transformer!.query("SET ROLE transformer");
      await as.loader!.query("CREATE TABLE staging.orders (id int PRIMARY KEY, amount numeric NOT NULL)");
      await as.loader!.query("INSERT INTO staging.orders VALUES (1, 10.5), (2, 4.5)");
      await as.transformer!.query(
        "CREATE TABLE marts_sales.revenue AS SELECT sum(amount) AS total FROM staging.orders",
      );
      // A table the admin creates (e.g. by a later migration) follows the same rules.
      await admin.query("CREATE TABLE marts_sales.targets (quarter text, goal numeric)");
      await admin.query("INSERT INTO marts_sales.targets VALUES ('Q1', 100)");
    });

    it("loader writes and reads staging", async () => {
      await as.loader!.query("UPDATE staging.orders SET amount = amount WHERE id = 1");
      await as.loader!.query("DELETE FROM staging.orders WHERE id = 99");
      const { rows } = await as.loader!.query("SELECT count(*)::int AS n FROM staging.orders");
      assert.equal(rows[0].n, 2);
    });

    it("loader cannot read or create anything in the marts", async () => {
      await denied(as.loader!, "SELECT * FROM marts_sales.revenue");
      await denied(as.loader!, "SELECT * FROM marts_sales.targets");
      await denied(as.loader!, "CREATE TABLE marts_sales.sneaky (x int)");
    });

    it("transformer reads staging and writes the marts, including tables the admin created", async () => {
      const { rows } = await as.transformer!.query("SELECT sum(amount)::float AS total FROM staging.orders");
      assert.equal(rows[0].total, 15);
      await as.transformer!.query("INSERT INTO marts_sales.revenue VALUES (1)");
      await as.transformer!.query("UPDATE marts_sales.targets SET goal = 120 WHERE quarter = 'Q1'");
      await as.transformer!.query("CREATE TABLE marts_marketing.campaigns (id int)");
    });

    it("transformer cannot write staging", async () => {
      await denied(as.transformer!, "INSERT INTO staging.orders VALUES (3, 1)");
      await denied(as.transformer!, "DELETE FROM staging.orders");
      await denied(as.transformer!, "CREATE TABLE staging.shadow (x int)");
    });

    it("bi_reader selects from the marts, whoever created the table", async () => {
      const revenue = await as.bi_reader!.query("SELECT total::float AS total FROM marts_sales.revenue ORDER BY total");
      assert.deepEqual(
        revenue.rows.map((r) => r.total),
        [1, 15],
      );
      const targets = await as.bi_reader!.query("SELECT goal::float AS goal FROM marts_sales.targets");
      assert.deepEqual(targets.rows, [{ goal: 120 }]);
      const campaigns = await as.bi_reader!.query("SELECT count(*)::int AS n FROM marts_marketing.campaigns");
      assert.equal(campaigns.rows[0].n, 0);
    });

    it("bi_reader cannot insert, update, delete, truncate, drop, create or read staging", async () => {
      await denied(as.bi_reader!, "INSERT INTO marts_sales.revenue VALUES (0)");
      await denied(as.bi_reader!, "UPDATE marts_sales.revenue SET total = 0");
      await denied(as.bi_reader!, "DELETE FROM marts_sales.revenue");
      await denied(as.bi_reader!, "TRUNCATE marts_sales.revenue");
      await denied(as.bi_reader!, "DROP TABLE marts_sales.revenue");
      await denied(as.bi_reader!, "CREATE TABLE marts_sales.mine (x int)");
      await denied(as.bi_reader!, "CREATE TABLE public.mine (x int)");
      await denied(as.bi_reader!, "SELECT * FROM staging.orders");
      await denied(as.bi_reader!, "SET ROLE transformer");
    });

    it("nobody but the admin reads the ledger", async () => {
      for (const c of Object.values(as)) await denied(c!, `SELECT * FROM ${LEDGER_TABLE}`);
    });
  });

  describe("re-runs", () => {
    it("a second run is a no-op: nothing applied, catalog and ledger unchanged", async () => {
      const before = await catalog(admin);
      const result = await applyScripts(pgSession(admin), DIALECTS.postgres, scripts);
      assert.deepEqual(result, { applied: [], unchanged: ["V001", "R__marts.marketing", "R__marts.sales"] });
      assert.equal(await catalog(admin), before);
    });

    it("the SQL itself is idempotent: replaying every script without the ledger changes no privilege", async () => {
      const withoutLedger = async () => (await catalog(admin)).replace(/"ledger"\s*:.*$/, "");
      const before = await withoutLedger();
      await admin.query(`DELETE FROM ${LEDGER_TABLE}`);
      const result = await applyScripts(pgSession(admin), DIALECTS.postgres, scripts);
      assert.deepEqual(result.applied, ["V001", "R__marts.marketing", "R__marts.sales"]);
      assert.equal(await withoutLedger(), before);
    });

    it("a new domain applies only its own marts script and creates its schema", async () => {
      const more = renderScripts("postgres", ["sales", "marketing", "finance"]);
      const result = await applyScripts(pgSession(admin), DIALECTS.postgres, more);
      assert.deepEqual(result, {
        applied: ["R__marts.finance"],
        unchanged: ["V001", "R__marts.marketing", "R__marts.sales"],
      });
      const acl = await admin.query("SELECT nspacl::text AS acl FROM pg_namespace WHERE nspname = 'marts_finance'");
      assert.match(acl.rows[0].acl, /bi_reader=U\//);
      assert.match(acl.rows[0].acl, /transformer=UC\//);
    });

    it("refuses a versioned script edited after it was applied, and a database ahead of the code", async () => {
      const edited = scripts.map((s): Script =>
        s.id === "V001" ? { ...s, statements: [...s.statements, "SELECT 1"], checksum: "0".repeat(64) } : s,
      );
      await assert.rejects(
        applyScripts(pgSession(admin), DIALECTS.postgres, edited),
        /V001__roles_and_staging\.sql was changed after it was applied/,
      );
      await admin.query(`INSERT INTO ${LEDGER_TABLE} VALUES ('V999', '${"f".repeat(64)}', now(), current_user)`);
      await assert.rejects(
        applyScripts(pgSession(admin), DIALECTS.postgres, scripts),
        /versions this program does not know \(V999\)/,
      );
      await admin.query(`DELETE FROM ${LEDGER_TABLE} WHERE script = 'V999'`);
    });

    it("a failing script is rolled back whole and left out of the ledger", async () => {
      const bad: Script = {
        id: "V002",
        kind: "versioned",
        file: "V002__bad.sql",
        statements: ["CREATE SCHEMA half_done", "SELECT * FROM no_such_table"],
        checksum: "a".repeat(64),
      };
      await assert.rejects(
        applyScripts(pgSession(admin), DIALECTS.postgres, [...scripts, bad]),
        /V002__bad\.sql failed and was rolled back: relation "no_such_table" does not exist/,
      );
      const schema = await admin.query("SELECT 1 FROM pg_namespace WHERE nspname = 'half_done'");
      assert.equal(schema.rowCount, 0);
      const ledger = await admin.query(`SELECT 1 FROM ${LEDGER_TABLE} WHERE script = 'V002'`);
      assert.equal(ledger.rowCount, 0);
    });

    it("two deploys racing on a fresh database both succeed and leave one ledger entry per script", async () => {
      await superuser.query(`CREATE DATABASE race OWNER ${ADMIN.user}`);
      const [a, b] = [
        await pg.connect(ADMIN.user, ADMIN.password, "race"),
        await pg.connect(ADMIN.user, ADMIN.password, "race"),
      ];
      const results = await Promise.all([
        applyScripts(pgSession(a), DIALECTS.postgres, scripts),
        applyScripts(pgSession(b), DIALECTS.postgres, scripts),
      ]);
      assert.ok(results.every((r) => r.applied.length + r.unchanged.length === scripts.length));
      const { rows } = await a.query(
        `SELECT script, count(*)::int AS n FROM ${LEDGER_TABLE} GROUP BY script ORDER BY script`,
      );
      assert.deepEqual(rows, [
        { script: "R__marts.marketing", n: 1 },
        { script: "R__marts.sales", n: 1 },
        { script: "V001", n: 1 },
      ]);
    });
  });
});
