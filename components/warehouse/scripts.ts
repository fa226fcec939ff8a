import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The two SQL dialects the bootstrap is written in; each engine speaks one. */
export type SqlDialectName = "postgres" | "redshift";

/**
 * One unit the bootstrap applies atomically and records in the ledger.
 * `versioned` scripts (V001__…) run once, ever; `repeatable` scripts (R__…) are rendered once per data domain
 * and run again whenever that rendering changes, so a new domain gets its marts schema without a new file.
 */
export interface Script {
  /** `V001`, or `R__marts.sales` (repeatable script, domain): the ledger key. */
  readonly id: string;
  readonly kind: "versioned" | "repeatable";
  /** The file it was rendered from, for messages. */
  readonly file: string;
  readonly statements: readonly string[];
  /** Hex SHA-256 of the rendered statements; a changed versioned script is refused. */
  readonly checksum: string;
}

export const SQL_DIR = path.join(__dirname, "sql");

const VERSIONED = /^V(\d{3})__([a-z0-9_]+)\.sql$/;
const REPEATABLE = /^R__([a-z0-9_]+)\.sql$/;
/** What a rendered identifier may look like; anything else never reaches SQL text. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

/** The marts schema of a data domain. */
export function martsSchema(domain: string): string {
  const schema = `marts_${domain}`;
  if (!IDENTIFIER.test(schema)) throw new Error(`domain '${domain}' does not make a valid schema name`);
  return schema;
}

/**
 * Splits a script into statements on top-level semicolons. Quotes, quoted identifiers, dollar-quoted bodies
 * (`$$ … $$`, `$fn$ … $fn$`) and comments are skipped over, so a procedure body stays one statement. Comment-only
 * fragments are dropped. Both the PostgreSQL driver and the Redshift Data API want one statement per call.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  let meaningful = false;
  const push = (end: number) => {
    const text = sql.slice(start, end).trim();
    if (meaningful && text) out.push(text);
    meaningful = false;
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol === -1 ? sql.length : eol + 1;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      if (end === -1) throw new Error("unterminated /* comment");
      i = end + 2;
    } else if (c === "'" || c === '"') {
      meaningful = true;
      let j = i + 1;
      // A doubled quote is an escaped quote inside the literal.
      for (;;) {
        j = sql.indexOf(c, j);
        if (j === -1) throw new Error(`unterminated ${c} quote`);
        if (sql[j + 1] === c) j += 2;
        else break;
      }
      i = j + 1;
    } else if (c === "$") {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      meaningful = true;
      if (!tag) {
        i += 1;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      if (end === -1) throw new Error(`unterminated ${tag[0]} block`);
      i = end + tag[0].length;
    } else if (c === ";") {
      push(i);
      start = ++i;
    } else {
      if (!/\s/.test(c)) meaningful = true;
      i += 1;
    }
  }
  push(sql.length);
  // Drop leading comment lines from each statement so the ledger and logs show the SQL itself.
  return out.map(stripLeadingComments);
}

function stripLeadingComments(statement: string): string {
  let s = statement;
  for (;;) {
    const trimmed = s.replace(/^\s+/, "");
    if (trimmed.startsWith("--")) {
      const eol = trimmed.indexOf("\n");
      s = eol === -1 ? "" : trimmed.slice(eol + 1);
    } else return trimmed;
  }
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function scriptOf(id: string, kind: Script["kind"], file: string, statements: string[]): Script {
  return { id, kind, file, statements, checksum: sha256(statements.join(";\n")) };
}

/** Replaces `{{name}}` placeholders; an unknown or unvalidated value is an error, never an empty string. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    if (!IDENTIFIER.test(value)) throw new Error(`refusing to render '${value}' into SQL: not a plain identifier`);
    return value;
  });
}

/**
 * The bootstrap scripts of one dialect, rendered for the given data domains: versioned scripts in version
 * order, then each repeatable script once per domain (its own ledger entry and transaction, which also keeps
 * every transaction small: the Redshift Data API takes at most 40 statements per batch). Pure apart from
 * reading the files; the same inputs always give the same checksums.
 */
export function renderScripts(dialect: SqlDialectName, domains: readonly string[], dir = SQL_DIR): Script[] {
  const files = fs.readdirSync(path.join(dir, dialect)).filter((f) => f.endsWith(".sql"));
  const unknown = files.filter((f) => !VERSIONED.test(f) && !REPEATABLE.test(f));
  if (unknown.length > 0)
    throw new Error(`unexpected SQL files (want V###__name.sql or R__name.sql): ${unknown.join(", ")}`);
  const read = (f: string) => fs.readFileSync(path.join(dir, dialect, f), "utf8");
  const sorted = [...new Set(domains)].sort();

  const versioned = files
    .filter((f) => VERSIONED.test(f))
    .sort()
    .map((f) => scriptOf(`V${VERSIONED.exec(f)![1]}`, "versioned", f, splitStatements(read(f))));
  const ids = versioned.map((s) => s.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`two SQL files share version ${duplicate}`);

  const repeatable = files
    .filter((f) => REPEATABLE.test(f))
    .sort()
    .flatMap((f) => {
      const template = read(f);
      const name = REPEATABLE.exec(f)![1];
      return sorted.map((domain) =>
        scriptOf(
          `R__${name}.${domain}`,
          "repeatable",
          f,
          splitStatements(renderTemplate(template, { schema: martsSchema(domain) })),
        ),
      );
    });
  return [...versioned, ...repeatable];
}

/** One hash over every script: the bootstrap re-runs exactly when it changes. */
export function scriptsChecksum(scripts: readonly Script[]): string {
  return sha256(scripts.map((s) => `${s.id}:${s.checksum}`).join("\n"));
}
