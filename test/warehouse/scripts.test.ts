import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { parseBootstrapEvent } from "../../components/warehouse/handlers/bootstrap";
import { REDSHIFT_BATCH_LIMIT } from "../../components/warehouse/handlers/sessions";
import {
  martsSchema,
  renderScripts,
  renderTemplate,
  scriptsChecksum,
  splitStatements,
} from "../../components/warehouse/scripts";

describe("warehouse SQL scripts", () => {
  describe("splitStatements", () => {
    it("keeps dollar-quoted bodies, quoted semicolons and identifiers whole, and drops comments", () => {
      const sql = [
        "-- header comment; with a semicolon",
        "DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;",
        "CREATE PROCEDURE p() AS $body$ BEGIN EXECUTE 'a;b'; END; $body$ LANGUAGE plpgsql;",
        "SELECT 'it''s; fine', \"odd;name\" FROM t; /* block; comment */",
        "-- trailing comment only",
      ].join("\n");
      assert.deepEqual(splitStatements(sql), [
        "DO $$ BEGIN PERFORM 1; PERFORM 2; END $$",
        "CREATE PROCEDURE p() AS $body$ BEGIN EXECUTE 'a;b'; END; $body$ LANGUAGE plpgsql",
        "SELECT 'it''s; fine', \"odd;name\" FROM t",
      ]);
    });

    it("rejects unterminated quotes and blocks instead of guessing", () => {
      assert.throws(() => splitStatements("SELECT 'open"), /unterminated ' quote/);
      assert.throws(() => splitStatements("DO $$ BEGIN"), /unterminated \$\$ block/);
      assert.throws(() => splitStatements("SELECT 1 /* open"), /unterminated \/\* comment/);
    });

    it("round-trips: joining statements with ';' and splitting again gives them back", () => {
      const literal = fc.stringMatching(/^[a-z ;$']{0,12}$/).map((s) => `'${s.replace(/'/g, "''")}'`);
      const dollar = fc.stringMatching(/^[a-z ;']{0,12}$/).map((s) => `$q$${s}$q$`);
      const word = fc.stringMatching(/^[a-z_]{1,8}$/);
      const statement = fc
        .array(fc.oneof(word, literal, dollar), { minLength: 1, maxLength: 6 })
        .map((parts) => `SELECT ${parts.join(" ")}`);
      fc.assert(
        fc.property(fc.array(statement, { minLength: 1, maxLength: 5 }), (statements) => {
          assert.deepEqual(splitStatements(statements.join(";\n-- note;\n")), statements);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe("rendering", () => {
    it("refuses to render anything but a plain identifier into SQL", () => {
      assert.equal(
        renderTemplate("GRANT USAGE ON SCHEMA {{schema}} TO x", { schema: "marts_sales" }),
        "GRANT USAGE ON SCHEMA marts_sales TO x",
      );
      assert.throws(() => renderTemplate("{{schema}}", { schema: "x; DROP TABLE y" }), /not a plain identifier/);
      assert.throws(() => renderTemplate("{{schema}}", { schema: "Upper" }), /not a plain identifier/);
      assert.throws(() => renderTemplate("{{owner}}", { schema: "a" }), /\{\{owner\}\} has no value/);
      assert.throws(() => martsSchema("x".repeat(60)), /valid schema name/);
    });

    it("is deterministic and insensitive to domain order and duplicates", () => {
      const a = renderScripts("postgres", ["sales", "marketing"]);
      const b = renderScripts("postgres", ["marketing", "sales", "sales"]);
      assert.deepEqual(a, b);
      assert.notEqual(scriptsChecksum(a), scriptsChecksum(renderScripts("postgres", ["sales"])));
      // Adding a domain adds one repeatable script and changes no other, so history stays valid.
      const before = renderScripts("postgres", ["sales"]);
      const after = renderScripts("postgres", ["sales", "hr"]);
      assert.deepEqual(
        after.map((s) => s.id),
        ["V001", "R__marts.hr", "R__marts.sales"],
      );
      assert.deepEqual(
        after.filter((s) => s.id !== "R__marts.hr"),
        before,
      );
    });

    it("renders one marts block per domain in both dialects", () => {
      for (const dialect of ["postgres", "redshift"] as const) {
        for (const domain of ["sales", "hr"]) {
          const text = renderScripts(dialect, ["sales", "hr"])
            .find((s) => s.id === `R__marts.${domain}`)!
            .statements.join("\n");
          assert.match(text, new RegExp(`CREATE SCHEMA IF NOT EXISTS marts_${domain}\\b`));
          assert.doesNotMatch(text, new RegExp(`marts_(?!${domain}\\b)`), "each script touches only its own domain");
          assert.doesNotMatch(text, /\{\{/);
        }
      }
    });

    it("rejects stray files and duplicate versions in the SQL directory", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wh-sql-"));
      fs.mkdirSync(path.join(dir, "postgres"));
      fs.writeFileSync(path.join(dir, "postgres", "V001__a.sql"), "SELECT 1;");
      fs.writeFileSync(path.join(dir, "postgres", "V001__b.sql"), "SELECT 2;");
      assert.throws(() => renderScripts("postgres", ["sales"], dir), /share version V001/);
      fs.writeFileSync(path.join(dir, "postgres", "setup.sql"), "SELECT 3;");
      assert.throws(() => renderScripts("postgres", ["sales"], dir), /unexpected SQL files .*setup\.sql/);
      fs.rmSync(dir, { recursive: true });
    });
  });

  describe("Redshift dialect", () => {
    const scripts = renderScripts("redshift", ["sales"]);
    const all = scripts.flatMap((s) => s.statements);

    it("fits every script, with the lock and ledger statements, in one Data API batch", () => {
      for (const s of renderScripts("redshift", ["sales", "marketing", "finance", "people", "ops"]))
        assert.ok(s.statements.length + 3 <= REDSHIFT_BATCH_LIMIT, `${s.id}: ${s.statements.length}`);
    });

    it("uses no PostgreSQL-only syntax", () => {
      for (const s of all) {
        assert.doesNotMatch(s, /^DO\s/i, "Redshift has no anonymous DO blocks");
        assert.doesNotMatch(
          s,
          /ALTER DEFAULT PRIVILEGES/i,
          "defaults are per user in Redshift; scoped permissions are used instead",
        );
        assert.doesNotMatch(s, /CREATE ROLE\s+\w+\s*$/i, "bare CREATE ROLE is not idempotent");
      }
    });

    it("grants every privilege to a ROLE, never to a user or PUBLIC", () => {
      const grants = all.filter((s) => /^GRANT\b/i.test(s));
      assert.ok(grants.length >= 6);
      for (const g of grants) assert.match(g, /\bTO ROLE (loader|transformer|bi_reader)$/, g);
    });

    it("covers future tables with scoped permissions and keeps bi_reader read-only", () => {
      assert.ok(all.includes("GRANT SELECT FOR TABLES IN SCHEMA staging TO ROLE transformer"));
      assert.ok(all.includes("GRANT SELECT FOR TABLES IN SCHEMA marts_sales TO ROLE bi_reader"));
      const bi = all.filter((s) => /TO ROLE bi_reader$/.test(s));
      assert.deepEqual(bi.sort(), [
        "GRANT SELECT FOR TABLES IN SCHEMA marts_sales TO ROLE bi_reader",
        "GRANT USAGE ON SCHEMA marts_sales TO ROLE bi_reader",
      ]);
      assert.ok(
        !all.some((s) => /staging TO ROLE bi_reader|marts_\w+ TO ROLE loader/.test(s)),
        "bi_reader never reaches staging, loader never the marts",
      );
    });

    it("creates roles idempotently through a procedure whose body stays one statement", () => {
      const proc = all.find((s) => s.startsWith("CREATE OR REPLACE PROCEDURE platform_meta.ensure_role"));
      assert.ok(proc?.includes("EXECUTE 'CREATE ROLE ' || quote_ident(wanted);"), "procedure body was split");
      assert.deepEqual(
        all.filter((s) => s.startsWith("CALL ")),
        [
          "CALL platform_meta.ensure_role('loader')",
          "CALL platform_meta.ensure_role('transformer')",
          "CALL platform_meta.ensure_role('bi_reader')",
        ],
      );
    });
  });

  describe("bootstrap event", () => {
    const scripts = renderScripts("postgres", ["sales"]);
    const event = { engine: "aurora-postgresql", checksum: scriptsChecksum(scripts), scripts };

    it("accepts what the component sends", () => {
      assert.equal(parseBootstrapEvent(JSON.parse(JSON.stringify(event))).scripts.length, scripts.length);
    });

    it("rejects tampered, truncated or malformed payloads with a reason", () => {
      const tampered = {
        ...event,
        scripts: [
          { ...scripts[0], statements: [...scripts[0].statements, "DROP SCHEMA staging"] },
          ...scripts.slice(1),
        ],
      };
      assert.throws(() => parseBootstrapEvent(tampered), /V001: checksum does not match/);
      assert.throws(() => parseBootstrapEvent({ ...event, scripts: [scripts[0]] }), /scripts checksum does not match/);
      assert.throws(() => parseBootstrapEvent({ ...event, engine: "mysql" }), /invalid bootstrap event: engine/);
      assert.throws(() => parseBootstrapEvent({ ...event, extra: 1 }), /invalid bootstrap event/);
    });
  });
});
