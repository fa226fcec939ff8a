import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { shareStackIndex } from "../rules/stack-index";

/** A declared resource as the offline plan records it; the same shape the policy runtime deserializes. */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly provider?: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependencies: readonly string[];
  /** Per input, the URNs its value came from. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  /** Every URN the resource also answers to (its `aliases`, resolved as the engine does). */
  readonly aliases?: readonly string[];
  readonly deleteBeforeReplace?: boolean;
  readonly ignoreChanges?: readonly string[];
  readonly replaceOnChanges?: readonly string[];
}

/** Thrown by `notApplicable()`, as in the policy runtime. */
export class NotApplicable extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "not applicable");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

// Exactly the options the analyzer exposes (getResourceOptions in @pulumi/policy): retainOnDelete is not among them.
function options(r: PlannedResource) {
  return {
    protect: r.protect,
    ignoreChanges: r.ignoreChanges ?? [],
    aliases: r.aliases ?? [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

// The runtime compares type tokens; we do the same without importing resource classes.
function typeMatcher(type: string) {
  return (cls: { __pulumiType?: string; isInstance?: unknown }) =>
    (cls as { __pulumiType?: string }).__pulumiType === type;
}

/** Builds ResourceValidationArgs the way @pulumi/policy's analyzer server does: proxied props, config, notApplicable. */
export function resourceArgs(r: PlannedResource, config: object = {}): ResourceValidationArgs {
  const props = unknownCheckingProxy(r.inputs);
  const isType = typeMatcher(r.type);
  return {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: options(r),
    stackTags: new Map(),
    isType: isType as ResourceValidationArgs["isType"],
    asType: ((cls: never) => (isType(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config as T,
    notApplicable: throwNotApplicable,
  } as unknown as ResourceValidationArgs;
}

// A stack's linked views are the same for every stack rule (only the config differs): built once per resource list.
const viewCache = new WeakMap<readonly PlannedResource[], PolicyResource[]>();

function stackViews(resources: readonly PlannedResource[]): PolicyResource[] {
  const cached = viewCache.get(resources);
  if (cached) return cached;
  const views = new Map<string, PolicyResource>();
  for (const r of resources) {
    const props = unknownCheckingProxy(r.inputs);
    const isType = typeMatcher(r.type);
    views.set(r.urn, {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: options(r),
      dependencies: [],
      propertyDependencies: {},
      isType,
      asType: (cls: never) => (isType(cls) ? props : undefined),
    } as unknown as PolicyResource);
  }
  for (const r of resources) {
    const view = views.get(r.urn) as { parent?: PolicyResource; dependencies: PolicyResource[] };
    if (r.parent && views.has(r.parent)) view.parent = views.get(r.parent);
    view.dependencies = r.dependencies.map((d) => views.get(d)).filter((d): d is PolicyResource => d !== undefined);
  }
  const list = [...views.values()];
  viewCache.set(resources, list);
  return list;
}

/** A fresh array of the views that shares their index (by type, URN, input, dependency) with every other rule. */
function sharedCopy(views: PolicyResource[]): PolicyResource[] {
  const copy = [...views];
  shareStackIndex(views, copy);
  return copy;
}

/** Builds StackValidationArgs: every resource proxied, parents and dependencies linked as objects. */
export function stackArgs(resources: readonly PlannedResource[], config: object = {}): StackValidationArgs {
  return {
    // A fresh array per rule (a rule may sort or filter it in place); the views themselves are shared.
    resources: sharedCopy(stackViews(resources)),
    getConfig: <T extends object>() => config as T,
    stackTags: new Map(),
    notApplicable: throwNotApplicable,
  } as unknown as StackValidationArgs;
}
