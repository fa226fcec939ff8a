// A stack's resources indexed for the joins stack rules make (by type, by URN, by an input's value, by dependency),
// so a rule looks a partner up instead of scanning the whole stack for every resource it judges. Built lazily, once
// per resource list: the offline engine hands every stack rule the same index (policies/engine/args.ts); under the
// policy runtime each rule's list gets its own.
import type { PolicyResource } from "@pulumi/policy";

export interface StackIndex {
  /** The resources of these types, in plan order. */
  ofType(...types: readonly string[]): readonly PolicyResource[];
  /** The resource with this URN. */
  byUrn(urn: string): PolicyResource | undefined;
  /** The resources of `type` whose input `input` is `value` (compared with `===`), in plan order. */
  withInput(type: string, input: string, value: unknown): readonly PolicyResource[];
  /** The resources (of `type`, or of any type) that depend on `target`, in plan order. */
  dependents(target: { readonly urn: string }, type?: string): readonly PolicyResource[];
}

/** Groups items by a key (first-seen order kept inside each group). */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const NONE: readonly PolicyResource[] = Object.freeze([]);

function buildIndex(resources: readonly PolicyResource[]): StackIndex {
  const list = [...resources];
  const byType = groupBy(list, (r) => r.type);
  const position = new Map(list.map((r, i) => [r, i]));
  let urns: Map<string, PolicyResource> | undefined;
  let reverse: Map<string, PolicyResource[]> | undefined;
  const inputs = new Map<string, Map<unknown, PolicyResource[]>>();
  const ofType = (...types: readonly string[]): readonly PolicyResource[] => {
    if (types.length === 1) return byType.get(types[0]) ?? NONE;
    return [...new Set(types)].flatMap((t) => byType.get(t) ?? []).sort((a, b) => position.get(a)! - position.get(b)!);
  };
  return {
    ofType,
    byUrn(urn) {
      urns ??= new Map(list.map((r) => [r.urn, r]));
      return urns.get(urn);
    },
    withInput(type, input, value) {
      const key = `${type}\u0000${input}`;
      let groups = inputs.get(key);
      if (!groups) {
        groups = groupBy(ofType(type), (r) => r.props[input] as unknown);
        inputs.set(key, groups);
      }
      return groups.get(value) ?? NONE;
    },
    dependents(target, type) {
      if (!reverse) {
        reverse = new Map();
        for (const r of list)
          for (const urn of new Set(r.dependencies.map((d) => d.urn))) {
            const group = reverse.get(urn);
            if (group) group.push(r);
            else reverse.set(urn, [r]);
          }
      }
      const all = reverse.get(target.urn) ?? NONE;
      return type === undefined ? all : all.filter((r) => r.type === type);
    },
  };
}

const indexes = new WeakMap<readonly PolicyResource[], StackIndex>();
const sizes = new WeakMap<StackIndex, number>();

/** The index of a resource list, built on first use (and again if the list has grown or shrunk since). */
export function stackIndex(resources: readonly PolicyResource[]): StackIndex {
  const cached = indexes.get(resources);
  if (cached && sizes.get(cached) === resources.length) return cached;
  const index = buildIndex(resources);
  indexes.set(resources, index);
  sizes.set(index, resources.length);
  return index;
}

/** Lets `copy` (a fresh array of the same resources, in the same order) use the index of `original`. */
export function shareStackIndex(original: readonly PolicyResource[], copy: readonly PolicyResource[]): void {
  const index = stackIndex(original);
  indexes.set(copy, index);
}
