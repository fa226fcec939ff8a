// An in-process stand-in for the Pulumi engine: the ResourceMonitor and Engine gRPC services, served with the
// SDK's own generated stubs, so a program started through `@pulumi/pulumi/cmd/run` talks to it exactly as it
// talks to `pulumi up`. Resource outputs and invokes come from the offline plan's mocks (realistic AWS shapes).
import * as grpc from "@grpc/grpc-js";
import { BinaryReader, BinaryWriter } from "google-protobuf";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as enginegrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as resgrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import type { Mocks } from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { PlannedResource } from "../../policies/engine/args";
import { engineUrn } from "../plan/urn";

/** What the engine saw: every registration, the program's log lines and the stack's outputs. */
export interface EngineRecord {
  readonly resources: PlannedResource[];
  readonly logs: { severity: string; message: string; urn?: string }[];
  rootUrn?: string;
  stackOutputs?: Record<string, unknown>;
}

export interface FakeEngine {
  readonly monitorAddress: string;
  readonly engineAddress: string;
  readonly record: EngineRecord;
  close(): Promise<void>;
}

const SEVERITY = ["debug", "info", "warning", "error"];

// The monitor's feature set: what the SDK's mock monitor advertises, so inputs arrive as the offline plan sees them.
const FEATURES = [
  resproto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_SECRETS,
  resproto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
  resproto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
  resproto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_DELETED_WITH,
  resproto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_TRANSFORMS,
  resproto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_INVOKE_TRANSFORMS,
  resproto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_PARAMETERIZATION,
];

function fail(callback: grpc.sendUnaryData<never>, e: unknown) {
  callback({ code: grpc.status.INTERNAL, details: (e as Error).message } as grpc.ServiceError, null);
}

function monitorService(
  stack: string,
  project: string,
  mocks: Mocks,
  record: EngineRecord,
): resgrpc.IResourceMonitorServer {
  const outputs = new Map<string, Record<string, unknown>>();
  return {
    getDeploymentInfo(_call, callback) {
      const info = new resproto.DeploymentInfo();
      info.setSupportedfeaturesList(FEATURES);
      callback(null, info);
    },
    supportsFeature(call, callback) {
      const res = new resproto.SupportsFeatureResponse();
      res.setHassupport(call.request.getId() !== "outputValues");
      callback(null, res);
    },
    async invoke(call, callback) {
      try {
        const args = rpc.deserializeProperties(call.request.getArgs() ?? new Struct()) as Record<string, unknown>;
        const tok = call.request.getTok();
        const result =
          tok === "pulumi:pulumi:getResource"
            ? (outputs.get(String(args.urn)) ?? {})
            : await mocks.call({ token: tok, inputs: args, provider: call.request.getProvider() });
        const res = new resproto.ResourceInvokeResponse();
        res.setReturn(Struct.fromJavaScript(await rpc.serializeProperties("invoke", result)));
        callback(null, res);
      } catch (e) {
        fail(callback, e);
      }
    },
    call(_call, callback) {
      fail(callback, new Error("the fake engine has no remote components"));
    },
    readResource(call, callback) {
      fail(callback, new Error(`the fake engine reads no existing resources (${call.request.getType()})`));
    },
    existsResource(_call, callback) {
      const res = new resproto.ExistsResourceResponse();
      res.setExists(false);
      callback(null, res);
    },
    async registerResource(call, callback) {
      try {
        const req = call.request;
        const inputs = rpc.deserializeProperties(req.getObject() ?? new Struct()) as Record<string, unknown>;
        const urn = engineUrn(stack, project, req.getParent() || undefined, req.getType(), req.getName());
        const { id, state } = req.getCustom()
          ? await mocks.newResource({
              type: req.getType(),
              name: req.getName(),
              inputs,
              provider: req.getProvider(),
              custom: true,
              id: req.getImportid(),
            })
          : { id: undefined, state: {} };
        record.resources.push({
          urn,
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || undefined,
          provider: req.getProvider() || undefined,
          custom: req.getCustom(),
          inputs,
          protect: req.getProtect() ?? false,
          retainOnDelete: req.getRetainondelete() ?? false,
          dependencies: req.getDependenciesList(),
        });
        outputs.set(urn, state);
        const res = new resproto.RegisterResourceResponse();
        res.setUrn(urn);
        res.setId(id ?? "");
        res.setObject(Struct.fromJavaScript(await rpc.serializeProperties("register", state)));
        callback(null, res);
      } catch (e) {
        fail(callback, e);
      }
    },
    registerResourceOutputs(call, callback) {
      const urn = call.request.getUrn();
      if (urn === record.rootUrn)
        record.stackOutputs = rpc.deserializeProperties(call.request.getOutputs() ?? new Struct()) as Record<
          string,
          unknown
        >;
      callback(null, new Empty());
    },
    registerStackTransform: (_call, callback) => callback(null, new Empty()),
    registerStackInvokeTransform: (_call, callback) => callback(null, new Empty()),
    registerResourceHook: (_call, callback) => callback(null, new Empty()),
    registerErrorHook: (_call, callback) => callback(null, new Empty()),
    registerPackage(_call, callback) {
      const res = new resproto.RegisterPackageResponse();
      res.setRef("fake-engine-package");
      callback(null, res);
    },
    signalAndWaitForShutdown: (_call, callback) => callback(null, new Empty()),
  };
}

function engineService(record: EngineRecord): enginegrpc.IEngineServer {
  return {
    log(call, callback) {
      const req = call.request;
      record.logs.push({
        severity: SEVERITY[req.getSeverity()] ?? String(req.getSeverity()),
        message: req.getMessage(),
        urn: req.getUrn() || undefined,
      });
      callback(null, new Empty());
    },
    getRootResource(_call, callback) {
      const res = new engineproto.GetRootResourceResponse();
      res.setUrn(record.rootUrn ?? "");
      callback(null, res);
    },
    setRootResource(call, callback) {
      record.rootUrn = call.request.getUrn();
      callback(null, new engineproto.SetRootResourceResponse());
    },
    startDebugging(_call, callback) {
      fail(callback, new Error("no debugger here"));
    },
    requirePulumiVersion(_call, callback) {
      callback(null, new engineproto.RequirePulumiVersionResponse());
    },
  };
}

async function serve(add: (server: grpc.Server) => void): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  add(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

let nativeStrings = false;

/**
 * google-protobuf converts strings to and from UTF-8 one character at a time in JavaScript; the functions' code
 * archives carry megabytes of bundle text, in the program's registrations and again in the outputs sent back, which
 * would make this stand-in, not the program, the slow side of a run (the real engine is Go). A string field is
 * length-delimited like a bytes field, so its bytes go through Node's codec both ways (the program side does the
 * same for its long strings: stacks/host.js).
 */
function codecStringsNatively(): void {
  if (nativeStrings) return;
  nativeStrings = true;
  BinaryReader.prototype.readString = function readString(this: BinaryReader): string {
    const bytes = this.readBytes();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8");
  };
  const writeShort = BinaryWriter.prototype.writeString;
  BinaryWriter.prototype.writeString = function writeString(this: BinaryWriter, field: number, value?: string) {
    if (typeof value !== "string" || value.length < 512) writeShort.call(this, field, value);
    else this.writeBytes(field, Buffer.from(value, "utf8"));
  };
}

/** Starts the monitor and the engine on free local ports. */
export async function startFakeEngine(opts: { stack: string; project: string; mocks: Mocks }): Promise<FakeEngine> {
  codecStringsNatively();
  const record: EngineRecord = { resources: [], logs: [] };
  const monitor = await serve((s) =>
    s.addService(resgrpc.ResourceMonitorService, monitorService(opts.stack, opts.project, opts.mocks, record)),
  );
  const engine = await serve((s) => s.addService(enginegrpc.EngineService, engineService(record)));
  const stop = (server: grpc.Server) => new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  return {
    monitorAddress: monitor.address,
    engineAddress: engine.address,
    record,
    close: async () => {
      await Promise.all([stop(monitor.server), stop(engine.server)]);
    },
  };
}
