import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { CLASSIFICATIONS, ENVIRONMENTS, ZONES } from "../../components/core/types";
import { PERSONAS } from "../../components/security/config";
import type { PlannedResource } from "../../policies/engine/args";
import { AccessEvaluator, Target, VERBS, Verdict } from "./evaluate";
import { columnsOf } from "./columns";
import { buildInventory, Inventory, RoleFact } from "./inventory";
import type { Principal } from "./simulate";

// The access matrix: the platform's security contract as data (docs/access-matrix.yaml). Each row reads
// "who × action × resource → allow | deny"; a row holds when every principal it selects gets the expected
// answer for every resource it selects. Selectors are stable across plans (persona tags, logical-name globs), so
// rows for components that other modules add are just more data; a selector that matches nothing is an error.

export const MATRIX_FILE = path.join(__dirname, "..", "..", "docs", "access-matrix.yaml");

const many = <T extends z.ZodTypeAny>(t: T) => z.union([t, z.array(t).min(1)]);

const personaSelector = z.strictObject({ persona: z.enum(PERSONAS), domain: z.string().optional() });
/** Glob over the Pulumi logical name of the role, e.g. `*-lake-lakeformation`. */
const roleSelector = z.strictObject({ role: z.string().min(1) });
const tagSelector = z.strictObject({ tag: z.record(z.string(), z.string()) });
const roleSelectors = z.union([personaSelector, roleSelector, tagSelector]);
/** Every role of the plan, minus the ones listed. */
const allRoles = z.strictObject({ all: z.literal(true), except: z.array(roleSelectors).optional() });

export const whoSchema = z.union([
  personaSelector,
  roleSelector,
  tagSelector,
  allRoles,
  /** Someone outside the plan (a person's IAM user or Identity Center session) whose own policies allow sts:AssumeRole. */
  z.strictObject({
    caller: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/.+$/, { message: "must be an IAM user or role ARN" }),
    mfa: z.boolean().optional(),
  }),
]);

const boundaryChoice = z.enum(["platform", "none", "other"]);

export const resourceSchema = z.union([
  /**
   * Columns of declared tables: `dataset` is `*` or `<domain>.<table>`; `columns` picks the ones carrying their own
   * classification LF-tag (classified) or inheriting their database's (unclassified). Lake Formation decides each.
   */
  z.strictObject({
    dataset: many(z.string()),
    columns: many(z.enum(["classified", "unclassified"])),
    zone: many(z.enum(ZONES)).optional(),
    /** Domain names, `*`, or relative to a steward: `own`, `others`. */
    domain: many(z.string()).optional(),
    /** The table's (database's) classification. */
    classification: many(z.enum(CLASSIFICATIONS)).optional(),
  }),
  /** Lake data: the databases (and their locations) of these zones, domains and classifications. */
  z.strictObject({
    zone: many(z.enum([...ZONES, "*"])).optional(),
    /** Domain names, `*`, or relative to a steward: `own`, `others`. */
    domain: many(z.string()).optional(),
    classification: many(z.enum(CLASSIFICATIONS)).optional(),
  }),
  /** Any object of these buckets, by role tag: raw, curated, analytics, restricted, query-results, access-logs, or `*`. */
  z.strictObject({ bucket: many(z.string()), key: z.string().optional() }),
  z.strictObject({ workgroup: z.string() }),
  /** Glob over the secret's name. */
  z.strictObject({ secret: z.string() }),
  /** The principal's own role; `permissionsBoundary` is the one a change would set. */
  z.strictObject({ self: z.literal(true), permissionsBoundary: boundaryChoice.optional() }),
  /** The platform's permissions boundary policy itself. */
  z.strictObject({ boundaryPolicy: z.literal(true) }),
  /** A new role under the platform path, created with the platform boundary, none, or another policy. */
  z.strictObject({ newRole: z.literal(true), permissionsBoundary: boundaryChoice }),
  /** Roles of the plan (to assume, or to change). */
  z.strictObject({ role: z.union([personaSelector, roleSelector, tagSelector, allRoles]) }),
]);

export const rowSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]+$/, { message: "must be a lower-case slug" }),
  title: z.string().min(5),
  who: whoSchema,
  /** `read`, `write`, `grant`, `use`, `assume`, or a raw IAM action such as `s3:DeleteObjectVersion`. */
  action: z.string().refine((a) => (VERBS as readonly string[]).includes(a) || /^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(a), {
    message: `must be one of ${VERBS.join(" | ")} or an IAM action`,
  }),
  resource: resourceSchema,
  expect: z.enum(["allow", "deny"]),
  /** Evaluate the request as sent without TLS. @default true */
  tls: z.boolean().optional(),
  /** Stacks the row applies to. @default every environment */
  environments: z.array(z.enum(ENVIRONMENTS)).optional(),
  why: z.string().optional(),
});

export const matrixSchema = z.strictObject({ version: z.literal(1), rows: z.array(rowSchema).min(1) });

export type Row = z.output<typeof rowSchema>;
export type Who = z.output<typeof whoSchema>;
type RoleSelector = z.output<typeof roleSelectors>;
type RoleSet = RoleSelector | z.output<typeof allRoles>;

export function loadMatrix(file = MATRIX_FILE): Row[] {
  const parsed = matrixSchema.safeParse(parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success)
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const ids = parsed.data.rows.map((r) => r.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`${file}: row id '${dup}' is used twice`);
  return parsed.data.rows;
}

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
const arr = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

function matches(role: RoleFact, s: RoleSelector): boolean {
  if ("persona" in s)
    return (
      role.tags["data-platform:persona"] === s.persona &&
      (s.domain === undefined || role.tags["data-domain"] === s.domain)
    );
  if ("role" in s) return glob(s.role).test(role.logicalName);
  return Object.entries(s.tag).every(([k, v]) => role.tags[k] === v);
}

/** A role's label in results: persona roles by their physical name, service roles by their logical name. */
export const roleLabel = (r: RoleFact) => (r.tags["data-platform:persona"] ? r.name : r.logicalName);

const CALLER_POLICY = {
  name: "caller-may-assume-roles",
  doc: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] },
};

const selectRoles = (inv: Inventory, set: RoleSet) =>
  "all" in set
    ? inv.roles.filter((r) => !(set.except ?? []).some((s) => matches(r, s)))
    : inv.roles.filter((r) => matches(r, set));

export function selectPrincipals(inv: Inventory, who: Who, rowId: string): { label: string; principal: Principal }[] {
  if ("caller" in who)
    return [
      {
        label: `${who.caller}${who.mfa ? " (MFA)" : ""}`,
        principal: { kind: "caller", arn: who.caller, mfa: who.mfa ?? false, identity: [CALLER_POLICY] },
      },
    ];
  const roles = selectRoles(inv, who);
  if (roles.length === 0)
    throw new Error(`access matrix row '${rowId}': 'who' (${JSON.stringify(who)}) selects no role of the plan`);
  return roles.map((role) => ({ label: roleLabel(role), principal: { kind: "role", role } }));
}

export function selectTargets(inv: Inventory, resource: Row["resource"], p: Principal, rowId: string): Target[] {
  const fail = (what: string): never => {
    throw new Error(`access matrix row '${rowId}': ${what}`);
  };
  const role = p.kind === "role" ? p.role : undefined;
  if ("bucket" in resource) {
    const wanted = arr(resource.bucket)!;
    const buckets = inv.buckets.filter(
      (b) => wanted.includes("*") || (b.role !== undefined && wanted.includes(b.role)),
    );
    if (buckets.length === 0) fail(`no bucket has role ${wanted.join(", ")}`);
    return buckets.map((b) => ({
      kind: "object",
      bucket: b,
      key: resource.key ?? "any/object",
      label: `s3://${b.name}/${resource.key ?? "any/object"}`,
    }));
  }
  if ("workgroup" in resource) {
    const wg =
      inv.workgroups.find((w) => w.group === resource.workgroup) ?? fail(`no Athena workgroup '${resource.workgroup}'`);
    return [{ kind: "workgroup", workgroup: wg, label: `workgroup ${wg.name}` }];
  }
  if ("secret" in resource) {
    const secrets = inv.secrets.filter((s) => glob(resource.secret).test(s.name));
    if (secrets.length === 0) fail(`no secret matches '${resource.secret}'`);
    return secrets.map((s) => ({ kind: "secret", secret: s, label: `secret ${s.name}` }));
  }
  if ("role" in resource) {
    const roles = selectRoles(inv, resource.role);
    if (roles.length === 0) fail(`'role' (${JSON.stringify(resource.role)}) selects no role`);
    return roles.map((r) => ({ kind: "role", role: r, label: `role ${r.name}` }));
  }
  const boundaryArn = inv.boundaryArn ?? fail("the plan has no permissions boundary");
  const boundaryContext = (choice: "platform" | "none" | "other" | undefined): Record<string, string> =>
    choice === "platform"
      ? { "iam:PermissionsBoundary": boundaryArn }
      : choice === "other"
        ? { "iam:PermissionsBoundary": `arn:aws:iam::aws:policy/AdministratorAccess` }
        : {};
  if ("self" in resource) {
    if (!role) fail("'self' needs a role of the plan as principal");
    return [
      {
        kind: "arn",
        arn: role!.arn,
        context: boundaryContext(resource.permissionsBoundary),
        label: `its own role${resource.permissionsBoundary ? ` (boundary: ${resource.permissionsBoundary})` : ""}`,
      },
    ];
  }
  if ("boundaryPolicy" in resource) return [{ kind: "arn", arn: boundaryArn, label: "the permissions boundary" }];
  if ("newRole" in resource) {
    return [
      {
        kind: "arn",
        arn: `arn:aws:iam::${inv.accountId}:role${inv.rolePath ?? "/"}access-matrix-probe`,
        context: boundaryContext(resource.permissionsBoundary),
        label: `a new platform role (boundary: ${resource.permissionsBoundary})`,
      },
    ];
  }
  if ("dataset" in resource) return columnTargets(inv, resource, role?.tags["data-domain"], fail);
  // Lake data.
  const zones = arr(resource.zone);
  const classes = arr(resource.classification);
  const domainsWanted = arr(resource.domain);
  const own = role?.tags["data-domain"];
  if (domainsWanted?.some((d) => d === "own" || d === "others") && !own)
    fail(
      `'own'/'others' need a principal with a data-domain tag (${p.kind === "role" ? roleLabel(p.role) : "caller"})`,
    );
  const dbs = inv.databases.filter(
    (db) =>
      (!zones || zones.includes("*") || zones.includes(db.zone)) &&
      (!classes || classes.includes(db.classification)) &&
      (!domainsWanted ||
        domainsWanted.some(
          (d) =>
            d === "*" || d === db.domain || (d === "own" && db.domain === own) || (d === "others" && db.domain !== own),
        )),
  );
  if (dbs.length === 0) fail(`the resource ${JSON.stringify(resource)} selects no lake data`);
  return dbs.map((db) => {
    const bucket =
      inv.buckets.find((b) => b.name === db.bucketName) ??
      fail(`database ${db.name} points at bucket ${db.bucketName}, which is not in the plan`);
    return { kind: "data", db, bucket, label: `${db.zone}/${db.domain} (${db.classification})` };
  });
}

type ColumnResource = Extract<Row["resource"], { dataset: unknown }>;

/** One target per column: its database's facts, with the column's own LF-tags over the inherited ones. */
function columnTargets(
  inv: Inventory,
  resource: ColumnResource,
  own: string | undefined,
  fail: (what: string) => never,
): Target[] {
  const datasets = arr(resource.dataset)!;
  const domains = arr(resource.domain);
  const zones = arr(resource.zone);
  const classes = arr(resource.classification);
  if (domains?.some((d) => d === "own" || d === "others") && !own)
    fail("'own'/'others' need a principal with a data-domain tag");
  const targets: Target[] = [];
  for (const t of inv.tables) {
    const db = inv.databases.find((d) => d.name === t.database);
    if (!db) continue;
    if (!datasets.includes("*") && !datasets.includes(`${t.domain}.${t.name}`)) continue;
    if (zones && !zones.includes(db.zone)) continue;
    if (classes && !classes.includes(db.classification)) continue;
    const domainOk = (d: string) =>
      d === "*" || d === t.domain || (d === "own" && t.domain === own) || (d === "others" && t.domain !== own);
    if (domains && !domains.some(domainOk)) continue;
    const bucket =
      inv.buckets.find((b) => b.name === db.bucketName) ??
      fail(`database ${db.name} points at bucket ${db.bucketName}, which is not in the plan`);
    for (const column of arr(resource.columns)!.flatMap((which) => columnsOf(t, which)))
      targets.push({
        kind: "data",
        db: { ...db, lfTags: { ...db.lfTags, ...t.columnTags[column] } },
        bucket,
        label: `${db.zone}/${t.domain}.${t.name}.${column}`,
      });
  }
  if (targets.length === 0) fail(`the resource ${JSON.stringify(resource)} selects no column`);
  return targets;
}

export interface CaseResult {
  readonly who: string;
  readonly target: string;
  readonly verdict: Verdict;
}

export interface RowResult {
  readonly row: Row;
  /** Not applicable to this plan's environment. */
  readonly skipped: boolean;
  readonly holds: boolean;
  readonly cases: readonly CaseResult[];
  readonly failures: readonly CaseResult[];
}

export async function evaluateRow(ev: AccessEvaluator, row: Row): Promise<RowResult> {
  if (row.environments && !row.environments.includes(ev.inv.environment as (typeof ENVIRONMENTS)[number]))
    return { row, skipped: true, holds: true, cases: [], failures: [] };
  const cases: CaseResult[] = [];
  for (const { label, principal } of selectPrincipals(ev.inv, row.who, row.id)) {
    for (const target of selectTargets(ev.inv, row.resource, principal, row.id)) {
      cases.push({
        who: label,
        target: target.label,
        verdict: await ev.can(principal, row.action, target, { tls: row.tls }),
      });
    }
  }
  const failures = cases.filter((c) => c.verdict.allowed !== (row.expect === "allow"));
  return { row, skipped: false, holds: failures.length === 0, cases, failures };
}

/** Evaluates every row over a plan's resources; throws when a row's selectors match nothing. */
export async function evaluateMatrix(
  resources: readonly PlannedResource[] | Inventory,
  rows: readonly Row[] = loadMatrix(),
): Promise<RowResult[]> {
  const ev = new AccessEvaluator("roles" in resources ? resources : buildInventory(resources));
  const out: RowResult[] = [];
  for (const row of rows) out.push(await evaluateRow(ev, row));
  return out;
}

/** A failing row, as a reviewer needs to read it. */
export function describeFailure(r: RowResult): string {
  const lines = r.failures
    .slice(0, 8)
    .map(
      (f) =>
        `  - ${f.who} → ${f.target}: ${f.verdict.allowed ? "ALLOWED" : "denied"} (${f.verdict.via}: ${f.verdict.why})`,
    );
  return `row '${r.row.id}' (${r.row.title}) expects ${r.row.expect}, but:\n${lines.join("\n")}${r.failures.length > 8 ? `\n  … and ${r.failures.length - 8} more` : ""}`;
}

const flow = (v: unknown): string =>
  typeof v === "object" && v !== null
    ? Array.isArray(v)
      ? `[${v.map(flow).join(", ")}]`
      : `{ ${Object.entries(v)
          .map(([k, x]) => `${k}: ${flow(x)}`)
          .join(", ")} }`
    : String(v);

/** The matrix as a Markdown table (docs/access.md): one line per row, selectors as written in the YAML. */
export function renderMatrix(rows: readonly Row[] = loadMatrix()): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [
    "| row | guarantee | who | action | resource | expect | stacks |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    lines.push(
      `| \`${r.id}\` | ${cell(r.title)} | \`${cell(flow(r.who))}\` | \`${r.action}\`${r.tls === false ? " (no TLS)" : ""} | \`${cell(flow(r.resource))}\` | **${r.expect}** | ${r.environments?.join(", ") ?? "all"} |`,
    );
  }
  return lines.join("\n");
}
