// The change between two plans, resource by resource, and the verdict on what it would destroy.
import { STATEFUL_TYPES, StatefulType } from "../../policies/change/stateful";
import type { PlannedResource } from "../../policies/engine/args";
import { PolicyConfig, ruleSettings } from "../../policies/engine/evaluate";
import { changeRules } from "../../policies/rules/changes";
import { waived } from "../../policies/rules/define";

export type ChangeKind = "added" | "deleted" | "replaced" | "renamed" | "updated" | "unchanged";

export interface ResourceChange {
  readonly kind: ChangeKind;
  /** The head's URN (the base's for a deletion). */
  readonly urn: string;
  readonly type: string;
  /** The base's URN when it differs: matched through `aliases`, or a rename without them. */
  readonly from?: string;
  /** Input paths whose values differ (updated, replaced). */
  readonly changed?: readonly string[];
  /** The changed inputs that force a new resource (replaced). */
  readonly forcedBy?: readonly string[];
  /** For a rename without aliases: the alias that keeps the resource. */
  readonly alias?: string;
  /** What the resource holds, for stateful types. */
  readonly holds?: string;
  /** Whether the base had protect / retainOnDelete (a protected deletion fails `pulumi up`; a retained one keeps the data). */
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
}

export interface ChangeVerdict {
  readonly level: "mandatory" | "advisory";
  readonly urn: string;
  readonly message: string;
}

export interface Changes {
  /** What the plan was compared with: a file or a git ref. */
  readonly against: string;
  readonly counts: Readonly<Record<ChangeKind, number>>;
  /** Every custom resource that is not unchanged. */
  readonly resources: readonly ResourceChange[];
  readonly verdicts: readonly ChangeVerdict[];
  readonly waivers: readonly { urn: string; reason: string }[];
}

const RULE = changeRules[0];

/** Paths (`a.b[2].c`) at which two JSON values differ; a value added or removed is one path. */
export function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
  if (a === b) return [];
  const bothObjects = a && b && typeof a === "object" && typeof b === "object";
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return [prefix || "(root)"];
  const out: string[] = [];
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...changedPaths(a[i], b[i], `${prefix}[${i}]`));
    return out;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort())
    out.push(...changedPaths(ao[k], bo[k], prefix ? `${prefix}.${k}` : k));
  return out;
}

/** Whether a changed path touches a forcing path: the same input, inside it, or one of its parents. */
function touches(changed: string, forcing: string): boolean {
  if (forcing === "*") return true;
  const within = (x: string, parent: string) =>
    x === parent || x.startsWith(`${parent}.`) || x.startsWith(`${parent}[`);
  return within(changed, forcing) || within(forcing, changed);
}

/** Drops `[n]` indices, so `a[0].b` matches a forcing path `a.b` (Terraform blocks are lists of one). */
const unindexed = (p: string) => p.replace(/\[\d+\]/g, "");

function identityOf(r: PlannedResource, spec: StatefulType | undefined): string | undefined {
  if (!spec || spec.identity.length === 0) return undefined;
  const values = spec.identity.map((k) => r.inputs[k]);
  return values.every((v) => typeof v === "string" && v !== "") ? `${r.type}|${values.join("|")}` : undefined;
}

/** Classifies every custom resource of `head` against `base`. */
export function diffPlans(base: readonly PlannedResource[], head: readonly PlannedResource[]): ResourceChange[] {
  const custom = (r: PlannedResource) => r.custom && !r.type.startsWith("pulumi:");
  const before = new Map(base.filter(custom).map((r) => [r.urn, r]));
  const out: ResourceChange[] = [];
  const added: PlannedResource[] = [];
  for (const h of head.filter(custom)) {
    const b = before.get(h.urn) ?? (h.aliases ?? []).map((a) => before.get(a)).find((x) => x !== undefined);
    if (!b) {
      added.push(h);
      continue;
    }
    before.delete(b.urn);
    out.push(compare(b, h));
  }
  // A deletion and an addition with the same physical identity: a rename the engine would carry out as delete + create.
  const removedByIdentity = new Map<string, PlannedResource>();
  for (const b of before.values()) {
    const id = identityOf(b, STATEFUL_TYPES[b.type]);
    if (id) removedByIdentity.set(id, b);
  }
  for (const h of added) {
    const id = identityOf(h, STATEFUL_TYPES[h.type]);
    const b = id ? removedByIdentity.get(id) : undefined;
    if (b) {
      before.delete(b.urn);
      removedByIdentity.delete(id!);
      out.push({ ...stateOf(b), kind: "renamed", urn: h.urn, type: h.type, from: b.urn, alias: b.urn });
    } else out.push({ kind: "added", urn: h.urn, type: h.type });
  }
  for (const b of before.values()) out.push({ ...stateOf(b), kind: "deleted", urn: b.urn, type: b.type });
  return out;
}

function stateOf(b: PlannedResource): Pick<ResourceChange, "holds" | "protect" | "retainOnDelete"> {
  const spec = STATEFUL_TYPES[b.type];
  return {
    ...(spec ? { holds: spec.holds } : {}),
    ...(b.protect ? { protect: true } : {}),
    ...(b.retainOnDelete ? { retainOnDelete: true } : {}),
  };
}

function compare(b: PlannedResource, h: PlannedResource): ResourceChange {
  const from = b.urn !== h.urn ? { from: b.urn } : {};
  const changed = changedPaths(b.inputs, h.inputs);
  if (changed.length === 0) return { kind: "unchanged", urn: h.urn, type: h.type, ...from };
  const forcing = [...(STATEFUL_TYPES[h.type]?.forceNew ?? []), ...(h.replaceOnChanges ?? [])];
  const forcedBy = changed.filter((p) => forcing.some((f) => touches(unindexed(p), f)));
  if (forcedBy.length === 0) return { kind: "updated", urn: h.urn, type: h.type, changed, ...from };
  return { ...stateOf(b), kind: "replaced", urn: h.urn, type: h.type, changed, forcedBy, ...from };
}

/** The verdicts: a stateful resource deleted, replaced or renamed without aliases loses what it holds. */
export function judgeChanges(against: string, changes: readonly ResourceChange[], config: PolicyConfig): Changes {
  const { level, properties } = ruleSettings(RULE, config);
  const verdicts: ChangeVerdict[] = [];
  const waivers: { urn: string; reason: string }[] = [];
  for (const c of changes) {
    if (!c.holds || !["deleted", "replaced", "renamed"].includes(c.kind)) continue;
    const urn = c.from ?? c.urn;
    const w = waived(properties, { urn, name: urn.split("::").pop()! }) ?? waived(properties, { urn: c.urn, name: "" });
    if (w) {
      waivers.push({ urn, reason: w.reason });
      continue;
    }
    if (level === "disabled") continue;
    // Deleted with retainOnDelete (and not protected): the data stays in the account, unmanaged — worth a word only.
    const retained = c.kind === "deleted" && c.retainOnDelete && !c.protect;
    const mandatory = level !== "advisory" && !retained;
    verdicts.push({ level: mandatory ? "mandatory" : "advisory", urn, message: describe(c) });
  }
  const counts = { added: 0, deleted: 0, replaced: 0, renamed: 0, updated: 0, unchanged: 0 };
  for (const c of changes) counts[c.kind]++;
  return { against, counts, resources: changes.filter((c) => c.kind !== "unchanged"), verdicts, waivers };
}

function describe(c: ResourceChange): string {
  const what =
    c.kind === "deleted"
      ? "is deleted"
      : c.kind === "renamed"
        ? `moves to ${c.urn.split("::").pop()} without aliases, so it is deleted and created again`
        : `is replaced because ${c.forcedBy!.map((p) => `\`${p}\``).join(", ")} changed (the provider forces a new resource)`;
  const protect = c.protect
    ? " It is protected, so `pulumi up` would fail on it after the merge."
    : c.retainOnDelete && c.kind === "deleted"
      ? " It is retained on delete: the data stays in the account, no longer managed by the stack."
      : "";
  const fix =
    c.kind === "renamed"
      ? ` Add \`aliases: ["${c.alias}"]\` to keep it.`
      : ` Keep it, migrate the data first, or waive this URN under \`${RULE.name}\` with the reason.`;
  return `${c.type.split(":").pop()} ${what}. Data at risk: ${c.holds}.${protect}${fix}`;
}
