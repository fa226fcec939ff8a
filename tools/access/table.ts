import { CLASSIFICATIONS, Zone, ZONES } from "../../components/core/types";
import type { PlannedResource } from "../../policies/engine/args";
import { AccessEvaluator, Verdict } from "./evaluate";
import { buildInventory, DatabaseFact, Inventory, RoleFact } from "./inventory";
import { roleLabel } from "./matrix";

// "Who can access what": every role of a plan against every zone and classification of the lake, computed with
// the same evaluator as the access matrix, so the table in the plan report and the README is proven, not drawn.

export interface AccessColumn {
  readonly zone: Zone;
  readonly classification: string;
  readonly databases: readonly DatabaseFact[];
}

export interface AccessTable {
  readonly columns: readonly AccessColumn[];
  readonly rows: readonly { readonly principal: string; readonly cells: readonly string[] }[];
  /** Roles with no read or write anywhere in the lake. */
  readonly noAccess: readonly string[];
}

const PERSONA_ORDER = ["platform-admin", "data-engineer", "analyst", "steward"];

function order(a: RoleFact, b: RoleFact): number {
  const rank = (r: RoleFact) => {
    const i = PERSONA_ORDER.indexOf(r.tags["data-platform:persona"] ?? "");
    return i < 0 ? PERSONA_ORDER.length : i;
  };
  return rank(a) - rank(b) || roleLabel(a).localeCompare(roleLabel(b));
}

/** One verb over a column's databases: `read`, `read: sales` (some domains only), or nothing; `(LF)` when only through Lake Formation. */
function cell(verb: string, verdicts: readonly { db: DatabaseFact; v: Verdict }[]): string {
  const allowed = verdicts.filter((x) => x.v.allowed);
  if (allowed.length === 0) return "";
  const lf = allowed.every((x) => x.v.via === "lake-formation") ? " (LF)" : "";
  const part = (x: { db: DatabaseFact; v: Verdict }) => (x.v.within ? `${x.db.domain}/${x.v.within}` : x.db.domain);
  const whole = allowed.length === verdicts.length && allowed.every((x) => !x.v.within);
  return whole ? `${verb}${lf}` : `${verb}${lf}: ${allowed.map(part).join(", ")}`;
}

export async function whoCanAccessWhat(
  source: readonly PlannedResource[] | Inventory | AccessEvaluator,
): Promise<AccessTable> {
  const ev =
    source instanceof AccessEvaluator
      ? source
      : new AccessEvaluator("roles" in source ? source : buildInventory(source));
  const { inv } = ev;
  const columns: AccessColumn[] = ZONES.flatMap((zone) =>
    CLASSIFICATIONS.map((classification) => ({
      zone,
      classification,
      databases: inv.databases.filter((d) => d.zone === zone && d.classification === classification),
    })).filter((c) => c.databases.length > 0),
  );
  const rows: { principal: string; cells: string[] }[] = [];
  const noAccess: string[] = [];
  for (const role of [...inv.roles].sort(order)) {
    const principal = { kind: "role" as const, role };
    const cells: string[] = [];
    for (const col of columns) {
      const verdicts = async (verb: "read" | "write") =>
        Promise.all(
          col.databases.map(async (db) => ({
            db,
            v: await ev.can(principal, verb, { kind: "data", db, bucket: ev.bucket(db.bucketName), label: db.name }),
          })),
        );
      cells.push(
        [cell("read", await verdicts("read")), cell("write", await verdicts("write"))].filter(Boolean).join(", ") ||
          "—",
      );
    }
    if (cells.every((c) => c === "—")) noAccess.push(roleLabel(role));
    else rows.push({ principal: roleLabel(role), cells });
  }
  return { columns, rows, noAccess };
}

export function renderAccessTable(t: AccessTable): string {
  const head = [
    "role",
    ...t.columns.map((c) => `${c.zone} · ${c.classification} (${c.databases.map((d) => d.domain).join(", ")})`),
  ];
  const lines = [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`];
  for (const r of t.rows) lines.push(`| ${r.principal} | ${r.cells.join(" | ")} |`);
  lines.push(
    "",
    "`(LF)`: only through Lake Formation (Athena, with the table grants shown); otherwise directly through S3 as well.",
  );
  if (t.noAccess.length > 0) lines.push(`No lake access: ${t.noAccess.map((n) => `\`${n}\``).join(", ")}.`);
  return lines.join("\n");
}
