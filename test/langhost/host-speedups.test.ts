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
});
