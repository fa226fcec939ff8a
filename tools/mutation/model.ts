// Single-property weakenings of a planned stack, each drawn from a scanner check it cites, and the recall of the
// pack over them: the share that raises a mandatory violation naming the weakened resource.
import type { PlannedResource } from "../../policies/engine/args";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- mutations poke at raw inputs

export interface Mutation {
  /** `<module>/<type>/<what>#<instance>`. */
  readonly id: string;
  /** The check the weakening undoes: a Checkov check ID and/or a Security Hub control ID. */
  readonly source: string;
  readonly type: string;
  /** The weakened plan and the URN a mandatory violation must name. */
  apply(
    resources: readonly PlannedResource[],
  ): { resources: PlannedResource[]; blame: string; target: string } | undefined;
}

export interface Template {
  readonly source: string;
  readonly type: string;
  readonly what: string;
  /** Which instances of the type (default: all). */
  readonly pick?: (r: PlannedResource) => boolean;
  /** Edit the inputs in place; `all` is the (cloned) plan, for edits that remove companions. */
  readonly edit?: (inputs: Inputs, r: PlannedResource) => void;
  /** Remove the resource instead of editing it; the violation must then name this resource of the plan. */
  readonly dropBlaming?: (r: PlannedResource, all: readonly PlannedResource[]) => PlannedResource | undefined;
  /** Which resource a violation must name when not the edited one (a companion's bucket). */
  readonly blame?: (r: PlannedResource, all: readonly PlannedResource[]) => PlannedResource | undefined;
  /** At most this many instances (keeps the run short). @default 3 */
  readonly max?: number;
}

/** Copies plain objects and arrays; anything else (secret wrappers, promises of unknowns) is shared. */
function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
}

/** `eks/cluster:Cluster`: the type without its package, unique across providers. */
const short = (type: string) => type.split(":").slice(1).join(":");

/** Expands templates into one mutation per picked instance of the plan. */
export function expand(templates: readonly Template[], plan: readonly PlannedResource[]): Mutation[] {
  const out: Mutation[] = [];
  for (const t of templates) {
    const targets = plan.filter((r) => r.type === t.type && (t.pick ?? (() => true))(r)).slice(0, t.max ?? 3);
    targets.forEach((target, i) =>
      out.push({
        id: `${short(t.type)}/${t.what}#${i + 1}`,
        source: t.source,
        type: t.type,
        apply(resources) {
          const index = resources.findIndex((r) => r.urn === target.urn);
          if (index < 0) return undefined;
          const copy = [...resources];
          if (t.dropBlaming) {
            const blamed = t.dropBlaming(target, resources);
            if (!blamed) return undefined;
            copy.splice(index, 1);
            return { resources: copy, blame: blamed.urn, target: blamed.urn };
          }
          const inputs = clone(target.inputs) as Inputs;
          t.edit?.(inputs, target);
          copy[index] = { ...target, inputs };
          const blamed = t.blame ? t.blame(target, resources) : target;
          return blamed ? { resources: copy, blame: blamed.urn, target: target.urn } : undefined;
        },
      }),
    );
  }
  return out;
}
