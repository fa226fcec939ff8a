import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as grpc from "@grpc/grpc-js";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import * as resgrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import type { PlannedResource } from "../../policies/engine/args";
import { readPolicyConfig } from "../../policies/config";
import { allRules } from "../../policies/rules";
import { startFakeEngine } from "../../tools/langhost/engine";
import {
  programInfo,
  pulumiConfig,
  readProjectFile,
  runUnderLanguageHost,
  type HostRun,
} from "../../tools/langhost/host";
import { startPolicyPack, type RunningPack } from "../../tools/langhost/policy-pack";
import { platformMocks } from "../../tools/plan/mocks";
import { readStackFile, REPO_ROOT, stackFilePath } from "../../tools/plan/run";
import { resourcesOf } from "../support/plan";

/** A resource's identity independent of URN conventions: its own and every ancestor's type and name. */
function lineage(rs: readonly PlannedResource[]): Map<string, PlannedResource> {
  const byUrn = new Map(rs.map((r) => [r.urn, r]));
  const key = (r: PlannedResource): string => {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    return `${parent ? `${key(parent)} > ` : ""}${r.type}::${r.name}`;
  };
  return new Map(rs.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => [key(r), r]));
}

describe("the stack program under the language host (`pulumi up`'s entry point, fake engine)", function () {
  this.timeout(600_000);
  let run: HostRun;

  before(async () => {
    run = await runUnderLanguageHost(readStackFile(stackFilePath("dev")));
  });

  it("runs the dev program to completion with no error from the program or an invoke", () => {
    assert.equal(run.code, 0, run.stderr);
    const errors = run.record.logs.filter((l) => l.severity === "error");
    assert.deepEqual(errors, []);
    assert.match(run.record.rootUrn ?? "", /^urn:pulumi:dev::data-platform::pulumi:pulumi:Stack::data-platform-dev$/);
  });

  it("registers exactly the offline plan's resources, with the same inputs and options", async () => {
    const offline = lineage(await resourcesOf("dev"));
    const hosted = lineage(run.record.resources);
    assert.ok(offline.size > 400, `${offline.size}`);
    assert.deepEqual([...hosted.keys()].sort(), [...offline.keys()].sort());
    // Both name resources by the engine's rule, so a URN in plan.json is the one `pulumi up` uses.
    assert.deepEqual([...hosted.values()].map((r) => r.urn).sort(), [...offline.values()].map((r) => r.urn).sort());
    for (const [key, r] of hosted) {
      const o = offline.get(key)!;
      assert.deepEqual(r.inputs, o.inputs, key);
      assert.equal(r.custom, o.custom, key);
      assert.equal(r.protect, o.protect, key);
      assert.equal(r.retainOnDelete, o.retainOnDelete, key);
    }
  });

  it("sends the engine no debug chatter from the SDK once the program starts (stacks/host.js)", () => {
    // Only the lines the run entry logs before it loads stacks/main.js: the stack's registration and the start.
    const debug = run.record.logs.filter((l) => l.severity === "debug").map((l) => l.message);
    assert.ok(debug.length <= 4, debug.join("\n"));
    for (const line of debug) assert.match(line, /pulumi:pulumi:Stack|^Running program/);
  });

  it("exports the stack outputs the README promises", () => {
    const outputs = run.record.stackOutputs ?? {};
    for (const key of ["vpcId", "keyArns", "lakeBuckets", "kubernetes", "personaRoles"]) assert.ok(key in outputs, key);
  });

  it("is started as the CLI starts it: Pulumi.yaml's main, no ts-node, the SDK's run entry", () => {
    const project = readProjectFile();
    assert.equal(project.options.typescript, false, "ts-node would type-check the program on every run");
    const { programDirectory, entryPoint } = programInfo(REPO_ROOT, project.main);
    assert.equal(path.join(programDirectory, entryPoint), path.join(REPO_ROOT, "stacks", "main.js"));
    const entry = fs.readFileSync(path.join(programDirectory, entryPoint), "utf8");
    assert.match(entry, /require\("\.\.\/tools\/register\.js"\)/);
    assert.ok(run.argv.includes(require.resolve("@pulumi/pulumi/cmd/run")));
    assert.ok(!run.argv.includes("--dry-run"), "an update, as `pulumi up` runs it, like the offline plan");
    assert.equal(run.argv.at(-1), "main.js");
  });
});

describe("the fake engine", () => {
  it("passes config as the language host does, structured values as JSON", () => {
    const config = JSON.parse(pulumiConfig({ "aws:region": "eu-west-1", "data-platform:platform": { name: "x" } }));
    assert.deepEqual(config, { "aws:config:region": "eu-west-1", "data-platform:config:platform": '{"name":"x"}' });
  });

  it("fails a program whose invoke it cannot answer, loudly", async function () {
    this.timeout(60_000);
    const engine = await startFakeEngine({ stack: "dev", project: "p", mocks: platformMocks("eu-west-1") });
    try {
      const client = new resgrpc.ResourceMonitorClient(engine.monitorAddress, grpc.credentials.createInsecure());
      const req = new resproto.ResourceInvokeRequest();
      req.setTok("aws:ec2/getAmi:getAmi");
      req.setArgs(Struct.fromJavaScript({}));
      const err = await new Promise<Error | null>((resolve) => client.invoke(req, (e) => resolve(e)));
      client.close();
      assert.match(String(err?.message), /no mock for invoke 'aws:ec2\/getAmi:getAmi'/);
    } finally {
      await engine.close();
    }
  });
});

describe("the policy pack as `pulumi preview --policy-pack policies` starts it", function () {
  this.timeout(600_000);
  let pack: RunningPack;
  const unary = <Req, Res>(fn: (req: Req, cb: (e: Error | null, r: Res) => void) => unknown, req: Req) =>
    new Promise<Res>((resolve, reject) => fn(req, (e, r) => (e ? reject(e) : resolve(r))));

  before(async () => {
    pack = await startPolicyPack({ engineAddress: "127.0.0.1:1" });
  });
  after(() => pack?.close());

  it("serves the whole catalogue from the analyzer", async () => {
    const info = await unary<Empty, analyzerproto.AnalyzerInfo>(
      pack.client.getAnalyzerInfo.bind(pack.client),
      new Empty(),
    );
    assert.equal(info.getName(), "data-platform");
    assert.deepEqual(
      info
        .getPoliciesList()
        .map((p) => p.getName())
        .sort(),
      allRules.map((r) => r.name).sort(),
    );
  });

  it("takes the prod policy config and flags a bad resource at its prod level, not a good one", async () => {
    const levels: Record<string, analyzerproto.EnforcementLevel> = {
      advisory: analyzerproto.EnforcementLevel.ADVISORY,
      mandatory: analyzerproto.EnforcementLevel.MANDATORY,
      disabled: analyzerproto.EnforcementLevel.DISABLED,
    };
    const configure = new analyzerproto.ConfigureAnalyzerRequest();
    for (const [name, c] of Object.entries(readPolicyConfig("prod"))) {
      const pc = new analyzerproto.PolicyConfig();
      const level = typeof c === "string" ? c : (c.enforcementLevel ?? "advisory");
      pc.setEnforcementlevel(levels[level]);
      pc.setProperties(new Struct());
      configure.getPolicyconfigMap().set(name, pc);
    }
    await unary(pack.client.configure.bind(pack.client), configure);
    const analyze = async (props: Record<string, string>) => {
      const req = new analyzerproto.AnalyzeRequest();
      req.setUrn("urn:pulumi:dev::data-platform::aws:sns/topic:Topic::alerts");
      req.setType("aws:sns/topic:Topic");
      req.setName("alerts");
      req.setProperties(Struct.fromJavaScript(props));
      req.setOptions(new analyzerproto.AnalyzerResourceOptions()); // the CLI always sends them
      const res = await unary<analyzerproto.AnalyzeRequest, analyzerproto.AnalyzeResponse>(
        pack.client.analyze.bind(pack.client),
        req,
      );
      return res.getDiagnosticsList().filter((d) => d.getPolicyname() === "sns-encrypted");
    };
    const bad = await analyze({ name: "alerts" });
    assert.equal(bad.length, 1);
    assert.match(bad[0].getMessage(), /not encrypted/);
    assert.equal(bad[0].getEnforcementlevel(), analyzerproto.EnforcementLevel.MANDATORY);
    assert.deepEqual(await analyze({ name: "alerts", kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" }), []);
  });

  it("starts through the project's transpiler, not ts-node's type checker", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policies", "package.json"), "utf8")) as {
      main: string;
    };
    assert.equal(pkg.main, "main.js");
    assert.match(fs.readFileSync(path.join(REPO_ROOT, "policies", "main.js"), "utf8"), /tools\/register\.js/);
    assert.equal(pack.stderr(), "");
  });
});
