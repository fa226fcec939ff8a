// URNs as the Pulumi engine computes them, so that a URN read in plan.json or report.md is the one `pulumi preview`
// shows, a waiver keyed by it applies in a real preview, and two plans can be matched resource by resource.

/** The root stack resource's type: the engine leaves it out of its children's URNs. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface UrnParts {
  readonly stack: string;
  readonly project: string;
  /** Every ancestor's type (the root stack excepted) and the resource's own, joined by `$`. */
  readonly qualifiedType: string;
  readonly type: string;
  readonly name: string;
}

/** Splits `urn:pulumi:<stack>::<project>::<qualified type>::<name>`; the name may itself contain `::`. */
export function parseUrn(urn: string): UrnParts {
  const m = /^urn:pulumi:([^:]*)::([^:]*)::([^]*?)::([^]*)$/.exec(urn);
  if (!m) throw new Error(`not a Pulumi URN: ${urn}`);
  const [, stack, project, qualifiedType, name] = m;
  return { stack, project, qualifiedType, type: qualifiedType.split("$").pop()!, name };
}

/**
 * The engine's rule (resource.NewURN): the parent's qualified type, then `$` and the resource's type; a resource
 * whose parent is the root stack (or that has none) carries its own type alone.
 */
export function engineUrn(stack: string, project: string, parentUrn: string | undefined, type: string, name: string) {
  const parent = parentUrn ? parseUrn(parentUrn).qualifiedType : undefined;
  const qualified = parent && parent !== ROOT_STACK_TYPE ? `${parent}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** An alias as the SDK sends it to the engine when the monitor supports alias specs. */
export interface AliasSpec {
  readonly urn?: string;
  readonly name?: string;
  readonly type?: string;
  readonly stack?: string;
  readonly project?: string;
  readonly parentUrn?: string;
  readonly noParent?: boolean;
}

/** What the engine knows about a resource when it resolves its aliases. */
export interface AliasTarget {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly aliases: readonly AliasSpec[];
}

/**
 * Every URN a resource answers to besides its own, as the engine derives them: its own aliases (missing fields
 * default to the resource's), and for each URN its parent answers to, the same child under that parent — with the
 * parent's name prefix renamed, as `inheritedChildAlias` does.
 */
export function aliasUrns(r: AliasTarget, parentAliases: readonly string[] = []): string[] {
  const self = parseUrn(r.urn);
  const collapse = (a: AliasSpec, parent: string | undefined) =>
    a.urn ??
    engineUrn(
      a.stack || self.stack,
      a.project || self.project,
      a.noParent ? undefined : (a.parentUrn ?? parent),
      a.type || r.type,
      a.name || r.name,
    );
  const out = new Set<string>();
  for (const a of r.aliases) out.add(collapse(a, r.parent));
  if (r.parent) {
    const parentName = parseUrn(r.parent).name;
    const inherit = (type: string, name: string, parentAlias: string) => {
      const p = parseUrn(parentAlias);
      const aliasName = name.startsWith(parentName) ? p.name + name.slice(parentName.length) : name;
      return engineUrn(p.stack, p.project, parentAlias, type, aliasName);
    };
    for (const parentAlias of parentAliases) {
      out.add(inherit(r.type, r.name, parentAlias));
      for (const a of r.aliases) {
        if (a.urn || a.noParent || a.parentUrn) continue;
        out.add(inherit(a.type || r.type, a.name || r.name, parentAlias));
      }
    }
  }
  out.delete(r.urn);
  return [...out];
}
