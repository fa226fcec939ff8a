import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor, Mocks } from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { parse as parseYaml } from "yaml";
import type { PlannedResource } from "../../policies/engine/args";
import { platformMocks } from "./mocks";
import { ConfigError } from "../../components/config/load";
import { AliasSpec, aliasUrns, engineUrn } from "./urn";

// Internal runtime hooks (marked @internal, so absent from the typings) that `setMocks` itself uses.
const settings = require("@pulumi/pulumi/runtime/settings") as {
  setMockOptions(monitor: MockMonitor, project: string, stack: string, preview: boolean, organization: string): void;
  waitForRPCs(): Promise<void>;
};
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise: <T>(p: Promise<T>) => Promise<T>;
};
// A private static of Resource: the source position (and whole stack) sent with every registration.
const positions = pulumi.Resource as unknown as { stackTrace(skip: number): unknown[] };

export const PROJECT = "data-platform";
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Protobuf accessors of an alias the SDK sends (a URN, or a spec the engine resolves). */
interface AliasMessage {
  getUrn(): string;
  getSpec():
    | {
        getName(): string;
        getType(): string;
        getStack(): string;
        getProject(): string;
        getParenturn(): string;
        getNoparent(): boolean;
      }
    | undefined;
}

/** Protobuf accessors of a RegisterResourceRequest that the mock monitor hands us. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getAliasesList(): AliasMessage[];
  getProvider(): string;
  getVersion(): string;
  getImportid(): string;
  getObject(): Parameters<typeof rpc.deserializeProperties>[0];
}

function aliasSpec(a: AliasMessage): AliasSpec {
  const spec = a.getSpec();
  if (!spec) return { urn: a.getUrn() };
  return {
    name: spec.getName() || undefined,
    type: spec.getType() || undefined,
    stack: spec.getStack() || undefined,
    project: spec.getProject() || undefined,
    parentUrn: spec.getParenturn() || undefined,
    noParent: spec.getNoparent() || undefined,
  };
}

/**
 * The engine's default provider for a custom resource declared without one (`pulumi:providers:aws::default_7_48_0`),
 * as a URN: its ID exists only once deployed.
 */
function defaultProvider(req: RegisterRequest): string | undefined {
  const pkg = req.getType().split(":")[0];
  if (!req.getCustom() || pkg === "pulumi") return undefined;
  const version = req.getVersion() ? `_${req.getVersion().replace(/[.+-]/g, "_")}` : "";
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::pulumi:providers:${pkg}::default${version}`;
}

/**
 * The mock monitor, plus a record of every registration with what the engine would see: parent, options,
 * dependencies and fully resolved inputs. URNs follow the engine's rule (every ancestor's type), not the SDK
 * mock's (the parent's type only), so the program's own URNs, plan.json and waivers agree with `pulumi preview`.
 */
class RecordingMonitor extends MockMonitor {
  readonly records: PlannedResource[] = [];
  private readonly pending: Promise<void>[] = [];
  /** URN → every URN it answers to through aliases, so children inherit their parent's. */
  private readonly aliasesOf = new Map<string, readonly string[]>();

  constructor(mocks: Mocks) {
    super(mocks);
    // Replaces MockMonitor's private newUrn (readResource uses it too), which keeps only the parent's own type.
    Object.assign(this, { newUrn: this.urnOf });
  }

  private readonly urnOf = (parent: string, type: string, name: string) =>
    engineUrn(pulumi.getStack(), pulumi.getProject(), parent || undefined, type, name);

  /**
   * What MockMonitor.registerResource does (the mocks' state for the resource, serialised as the engine returns it),
   * with two fewer copies of every resource: the inputs are deserialised once, for the mocks and the record alike,
   * and the state goes back to the SDK as it is rather than through a protobuf Struct that the SDK turns straight back
   * into the same plain object. The same awaits in the same order, so registrations complete in the same order.
   */
  override async registerResource(req: RegisterRequest, callback: (err: unknown, res: unknown) => void): Promise<void> {
    const done = this.register(req, callback);
    this.pending.push(done);
    return done;
  }

  private async register(req: RegisterRequest, callback: (err: unknown, res: unknown) => void): Promise<void> {
    let response: RegisterResponse;
    let inputs: Record<string, unknown>;
    try {
      inputs = rpc.deserializeProperties(req.getObject()) as Record<string, unknown>;
      // The program runs with transforms unsupported (installMocks), so no request carries any.
      const result = await this.mocks.newResource({
        type: req.getType(),
        name: req.getName(),
        inputs,
        provider: req.getProvider(),
        custom: req.getCustom(),
        id: req.getImportid(),
      });
      const urn = this.urnOf(req.getParent(), req.getType(), req.getName());
      const state = structOrder((await rpc.serializeProperties("", result.state)) as Record<string, unknown>);
      this.resources.set(urn, { urn, id: result.id ?? null, state });
      response = registerResponse(urn, result.id || "", state);
    } catch (err) {
      callback(err, undefined);
      return;
    }
    const urn = response.getUrn();
    const parent = req.getParent() || undefined;
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
      if (deps.getUrnsList().length > 0) propertyDependencies[key] = deps.getUrnsList();
    });
    const aliases = aliasUrns(
      { urn, type: req.getType(), name: req.getName(), parent, aliases: req.getAliasesList().map(aliasSpec) },
      parent ? this.aliasesOf.get(parent) : [],
    );
    this.aliasesOf.set(urn, aliases);
    this.records.push({
      urn,
      type: req.getType(),
      name: req.getName(),
      parent,
      provider: req.getProvider() || defaultProvider(req),
      custom: req.getCustom(),
      inputs,
      protect: req.getProtect() ?? false,
      retainOnDelete: req.getRetainondelete() ?? false,
      deleteBeforeReplace: req.getDeletebeforereplace(),
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      aliases,
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
    });
    callback(null, response);
  }
}

/**
 * A serialised value as a protobuf Struct round trip returns it: the same plain values, every object's keys sorted
 * (the Struct's map iterates them sorted), so outputs read exactly as they would through the real response.
 */
export function structOrder<T>(value: T): T {
  if (Array.isArray(value)) return value.map(structOrder) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = structOrder((value as Record<string, unknown>)[k]);
  return out as T;
}

/** The parts of a RegisterResourceResponse the SDK reads (resource.js, registerResource). */
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  getObject(): { toJavaScript(): Record<string, unknown> };
  getPropertydependenciesMap(): undefined;
  getResult(): number;
  getUnknown(): boolean;
  toString(): string;
}

/**
 * A successful registration's response. The SDK deserialises the object into fresh values, so handing it the
 * serialised state in the Struct's key order is what the round trip would give it. `toString` names the resource: the SDK
 * interpolates every response into a debug log line, and a protobuf message's would serialise it whole.
 */
function registerResponse(urn: string, id: string, state: Record<string, unknown>): RegisterResponse {
  const object = { toJavaScript: () => state };
  return {
    getUrn: () => urn,
    getId: () => id,
    getObject: () => object,
    getPropertydependenciesMap: () => undefined,
    getResult: () => 0, // Result.SUCCESS
    getUnknown: () => false,
    toString: () => `RegisterResourceResponse(${urn})`,
  };
}

/** Same switches as `pulumi.runtime.setMocks`, with our recording monitor. */
function installMocks(mocks: Mocks, stack: string): RecordingMonitor {
  const monitor = new RecordingMonitor(mocks);
  // The organization `pulumi up` runs in when none is configured (the language host passes the same).
  settings.setMockOptions(monitor, PROJECT, stack, false, "organization");
  const store = state.getStore();
  Object.assign(store, {
    supportsSecrets: true,
    supportsResourceReferences: true,
    supportsOutputValues: false,
    supportsDeletedWith: true,
    supportsAliasSpecs: true,
    supportsTransforms: false,
  });
  return monitor;
}

export interface StackFile {
  readonly stack: string;
  readonly file: string;
  /** Flat Pulumi config: `namespace:key` → value (objects kept as objects). */
  readonly config: Record<string, unknown>;
  /** Outputs of the stacks this one reads through a StackReference, by the referenced stack's name. */
  readonly references?: Readonly<Record<string, Record<string, unknown>>>;
}

/** Reads `Pulumi.<stack>.yaml`; the stack name comes from the file name, as with the Pulumi CLI. */
export function readStackFile(file: string): StackFile {
  const base = path.basename(file);
  const m = /^Pulumi\.(.+)\.ya?ml$/.exec(base);
  if (!m) throw new Error(`${file}: a stack file is named Pulumi.<stack>.yaml`);
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return { stack: m[1], file, config: doc?.config ?? {} };
}

export function stackFilePath(stack: string): string {
  return path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`);
}

export interface ProgramRun {
  readonly stack: string;
  readonly resources: PlannedResource[];
  readonly outputs: Record<string, unknown>;
}

export type Program = () => unknown;

/**
 * Runs a Pulumi program in-process under the mock engine with a stack file's config and returns every
 * declared resource. The program is the real one (stacks/index.ts) unless a test passes another.
 */
export async function runProgram(stackFile: StackFile, program?: Program, traces = false): Promise<ProgramRun> {
  const region = String(stackFile.config["aws:region"] ?? "us-east-1");
  // Pulumi keeps structured config as JSON strings; Config.getObject parses them back.
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(stackFile.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
    [],
  );
  const monitor = installMocks(platformMocks(region, stackFile.references), stackFile.stack);
  const main = program ?? (require(path.join(REPO_ROOT, "stacks")) as Program);
  // The SDK formats `new Error().stack` for every promise it creates (to report leaks) and every resource: about
  // half of a plan's time. The plan needs none of those traces, so they are off while the program runs; a failed
  // run is repeated with traces on, so a program error still comes with its stack. Source maps stay off too.
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  const sourceMaps = process.sourceMapsEnabled;
  // It also tags every promise with three properties and tracks it in a set, to name leaks at exit: a further
  // tenth of a large plan, and garbage for the collector. The plan waits for every RPC itself, so it needs neither.
  const track = debuggable.debuggablePromise;
  // And every resource captures a full stack for the engine's diagnostics (lifting the limit to do so); the mock
  // engine never reads it.
  const stackTrace = positions.stackTrace;
  if (!traces) {
    Error.stackTraceLimit = 0;
    debuggable.debuggablePromise = (p) => p;
    positions.stackTrace = () => [];
  }
  delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
  process.setSourceMapsEnabled(false);
  try {
    const outputs = await pulumi.runtime.runInPulumiStack(async () => (await main()) as Record<string, unknown>);
    await settings.waitForRPCs();
    return { stack: stackFile.stack, resources: monitor.records, outputs: (outputs ?? {}) as Record<string, unknown> };
  } catch (e) {
    if (traces || e instanceof ConfigError) throw e;
  } finally {
    Error.stackTraceLimit = limit;
    debuggable.debuggablePromise = track;
    positions.stackTrace = stackTrace;
    if (prepare) Error.prepareStackTrace = prepare;
    process.setSourceMapsEnabled(sourceMaps);
  }
  return runProgram(stackFile, program, true);
}
