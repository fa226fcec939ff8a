import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../../tools/plan/run";

// stacks/host.js patches the SDK and google-protobuf process-wide, so each check runs in a fresh Node process.
function inFreshNode(script: string, env: NodeJS.ProcessEnv = {}): unknown {
  const out = execFileSync(process.execPath, ["-e", script], {
    cwd: REPO_ROOT,
    env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "", ...env },
    encoding: "utf8",
  });
  return JSON.parse(out);
}

const HOST = JSON.stringify(path.join(REPO_ROOT, "stacks", "host.js"));

describe("the language host's speed-ups (stacks/host.js)", function () {
  this.timeout(120_000);

  it("writes long strings to the wire byte for byte as google-protobuf does (multi-byte and astral characters)", () => {
    const result = inFreshNode(`
      const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
      const text = "bundle \\u00e9\\u4e2d\\ud83d\\ude00 ".repeat(400) + "x".repeat(3000);
      const encode = () => Buffer.from(Struct.fromJavaScript({ code: text, short: "a\\u00e9" }).serializeBinary()).toString("hex");
      const before = encode();
      const { NATIVE_STRING_MIN } = require(${HOST});
      const after = encode();
      const back = Struct.deserializeBinary(Buffer.from(after, "hex")).toJavaScript();
      console.log(JSON.stringify({ same: before === after, roundTrip: back.code === text, long: text.length > NATIVE_STRING_MIN }));
    `);
    assert.deepEqual(result, { same: true, roundTrip: true, long: true });
  });

  it("keeps the program's own stack traces and drops only the promise traces nobody reads", () => {
    const script = `
      require(${HOST});
      const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable");
      const p = Promise.resolve(1);
      debuggablePromise(p, "ctx");
      function programCode() { return new Error("boom").stack; }
      console.log(JSON.stringify({
        promiseTrace: p._debugStackTrace,
        programTrace: programCode().split("\\n").length,
        names: /programCode/.test(programCode()),
        limit: Error.stackTraceLimit,
      }));
    `;
    const quiet = inFreshNode(script) as Record<string, unknown>;
    assert.equal(quiet.promiseTrace, "Error");
    assert.ok((quiet.programTrace as number) > 2, "a program error keeps its frames");
    assert.equal(quiet.names, true);
    assert.equal(quiet.limit, 10, "the limit is restored after each promise");
    // The switch that prints leaked promises' traces brings them back.
    const debug = inFreshNode(script, { PULUMI_DEBUG_PROMISE_LEAKS: "1" }) as Record<string, unknown>;
    assert.match(String(debug.promiseTrace), /\n\s+at /);
  });

  it("sends none of the SDK's debug lines to the engine, unless DATA_PLATFORM_SDK_DEBUG asks for them", () => {
    const script = `
      require(${HOST});
      const log = require("@pulumi/pulumi/log");
      const settings = require("@pulumi/pulumi/runtime/settings");
      let calls = 0;
      settings.getEngine = () => ({ log: (req, cb) => { calls++; cb(); } });
      log.debug("Registering resource: t=x");
      Promise.resolve(log.debug("RPC finished")).then(() =>
        console.log(JSON.stringify({ calls, sdkDebug: /getEngine/.test(log.debug.toString()) })),
      );
    `;
    assert.deepEqual(inFreshNode(script, { DATA_PLATFORM_SDK_DEBUG: "" }), { calls: 0, sdkDebug: false });
    assert.deepEqual(inFreshNode(script, { DATA_PLATFORM_SDK_DEBUG: "1" }), { calls: 2, sdkDebug: true });
  });

  it("the fake engine writes long strings as google-protobuf does, byte for byte", () => {
    const result = inFreshNode(`
      require("./tools/register.js");
      const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
      const text = "archive \\u00e9\\u4e2d\\ud83d\\ude00 ".repeat(300) + "y".repeat(2000);
      const encode = () => Buffer.from(Struct.fromJavaScript({ code: text, short: "b\\u00e9" }).serializeBinary()).toString("hex");
      const before = encode();
      const { startFakeEngine } = require("./tools/langhost/engine.ts");
      const { platformMocks } = require("./tools/plan/mocks.ts");
      startFakeEngine({ stack: "dev", project: "p", mocks: platformMocks("eu-west-1") }).then(async (engine) => {
        const after = encode();
        await engine.close();
        const back = Struct.deserializeBinary(Buffer.from(after, "hex")).toJavaScript();
        console.log(JSON.stringify({ same: before === after, roundTrip: back.code === text }));
      });
    `);
    assert.deepEqual(result, { same: true, roundTrip: true });
  });
});
