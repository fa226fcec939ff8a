// Starts the policy pack the way `pulumi preview --policy-pack <dir>` does: the CLI's `pulumi-analyzer-policy`
// runs `@pulumi/pulumi/cmd/run-policy-pack` (resolved from the pack's directory) with node, in that directory,
// with the engine's address and "." as arguments, and reads the analyzer's port from its first line of output.
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as analyzergrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { REPO_ROOT } from "../plan/run";

export interface RunningPack {
  readonly client: analyzergrpc.AnalyzerClient;
  /** From spawning the runner to the analyzer's port on stdout. */
  readonly startMs: number;
  stderr(): string;
  close(): Promise<void>;
}

export async function startPolicyPack(opts: {
  engineAddress: string;
  dir?: string;
  timeoutMs?: number;
}): Promise<RunningPack> {
  const dir = opts.dir ?? path.join(REPO_ROOT, "policies");
  const runPath = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
  const start = performance.now();
  const child: ChildProcess = spawn(process.execPath, [runPath, opts.engineAddress, "."], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`policy pack did not start: ${stderr}`)),
      opts.timeoutMs ?? 120_000,
    );
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = /^(\d+)\s*$/m.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`policy pack exited ${code} before serving: ${stderr}`));
    });
  });
  const startMs = performance.now() - start;
  const client = new analyzergrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    client,
    startMs,
    stderr: () => stderr,
    close: async () => {
      client.close();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill();
        await exited;
      }
    },
  };
}
