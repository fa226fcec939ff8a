import { IAM_ALLOWED_PRINCIPALS } from "../../policies/rules/access";
import type { DatabaseFact, Inventory, LfGrantFact } from "./inventory";

// Lake Formation's own permission model, for the grants the plan declares. IAM policies cannot express it, so it
// is evaluated here: a grant matches a table of a database when it names the database's tables (wildcard or one
// table) or its LF-tag expression matches the database's tags (which its tables inherit): every key of the
// expression must be present with one of the listed values.

export interface LfDecision {
  readonly allowed: boolean;
  readonly why: string;
}

function coversTables(g: LfGrantFact, db: DatabaseFact): boolean {
  const r = g.resource;
  if (r.kind === "table") return r.database === db.name;
  if (r.kind === "tag-policy")
    return r.resourceType === "TABLE" && r.expressions.every((e) => e.values.includes(db.lfTags[e.key] ?? "\u0000"));
  return false;
}

// The grants that can apply to a principal (its own and IAMAllowedPrincipals'), in declaration order, indexed per
// inventory: the access table asks about every role and database, and a scan of all grants for each would make it
// grow with roles × databases × grants.
const grantIndex = new WeakMap<Inventory, Map<string, LfGrantFact[]>>();

function grantsFor(inv: Inventory, principalArn: string): readonly LfGrantFact[] {
  let index = grantIndex.get(inv);
  if (!index) {
    index = new Map();
    for (const g of inv.lf.grants) {
      const list = index.get(g.principal);
      if (list) list.push(g);
      else index.set(g.principal, [g]);
    }
    grantIndex.set(inv, index);
  }
  const key = `applies:${principalArn}`;
  let applies = index.get(key);
  if (!applies) {
    const everyone = index.get(IAM_ALLOWED_PRINCIPALS) ?? [];
    const own = principalArn === IAM_ALLOWED_PRINCIPALS ? [] : (index.get(principalArn) ?? []);
    const position = new Map(inv.lf.grants.map((g, i) => [g, i]));
    applies = [...own, ...everyone].sort((a, b) => position.get(a)! - position.get(b)!);
    index.set(key, applies);
  }
  return applies;
}

/**
 * Whether Lake Formation gives `principalArn` a table permission on (some table of) a database, or, with
 * `grantable`, lets it pass that permission on. Data lake admins can do both; IAMAllowedPrincipals grants (or
 * account defaults that still grant it) hand the decision back to IAM, so they count for everyone.
 */
export function lakeFormationAllows(
  inv: Inventory,
  principalArn: string,
  permission: string,
  db: DatabaseFact,
  grantable = false,
): LfDecision {
  if (inv.lf.admins.includes(principalArn)) return { allowed: true, why: "data lake administrator" };
  if (!grantable && inv.lf.defaultsToIamAllowed)
    return { allowed: true, why: "account default grants IAMAllowedPrincipals" };
  for (const g of grantsFor(inv, principalArn)) {
    const perms = grantable ? g.grantable : g.permissions;
    if (!(perms.includes(permission) || perms.includes("ALL")) || !coversTables(g, db)) continue;
    return {
      allowed: true,
      why: `LF grant ${g.logicalName}${g.principal === IAM_ALLOWED_PRINCIPALS ? " (IAMAllowedPrincipals)" : ""}`,
    };
  }
  return { allowed: false, why: `no LF grant${grantable ? " with grant option" : ""} of ${permission} on ${db.name}` };
}
