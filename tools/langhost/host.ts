// Starts a stack program the way the Pulumi CLI's Node.js language host does (`pulumi up`/`preview`): node with the
// project's `nodeargs`, `@pulumi/pulumi/cmd/run` resolved from the program directory, the run flags, PULUMI_CONFIG
// and the TypeScript switches from Pulumi.yaml's runtime options, and the entry point from its `main`.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { platformMocks } from "../plan/mocks";
import { REPO_ROOT, type StackFile } from "../plan/run";
import { startFakeEngine, type EngineRecord } from "./engine";

export interface ProjectFile {
  readonly name: string;
  readonly main: string;
  readonly options: { typescript?: boolean; nodeargs?: string; tsconfig?: string };
}

export function readProjectFile(root = REPO_ROOT): ProjectFile {
  const doc = parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
    name: string;
    main?: string;
    runtime: string | { name: string; options?: ProjectFile["options"] };
  };
  const options = typeof doc.runtime === "string" ? {} : (doc.runtime.options ?? {});
  return { name: doc.name, main: doc.main ?? ".", options };
}

/** The CLI's program info: a `main` that names a file runs that file from its directory, a directory runs ".". */
export function programInfo(root: string, main: string): { programDirectory: string; entryPoint: string } {
  const full = path.resolve(root, main);
  return fs.statSync(full).isDirectory()
    ? { programDirectory: full, entryPoint: "." }
    : { programDirectory: path.dirname(full), entryPoint: path.basename(full) };
}

/** PULUMI_CONFIG as the language host writes it: `<namespace>:config:<key>` → string (objects as JSON). */
export function pulumiConfig(config: Record<string, unknown>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(config).map(([key, value]) => {
        const [ns, ...rest] = key.split(":");
        return [`${ns}:config:${rest.join(":")}`, typeof value === "string" ? value : JSON.stringify(value)];
      }),
    ),
  );
}

export interface HostRun {
  readonly code: number | null;
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly record: EngineRecord;
  readonly argv: string[];
}

export interface HostRunOptions {
  readonly root?: string;
  readonly project?: ProjectFile;
  /** `pulumi preview` (outputs the engine does not know are unknown) rather than `pulumi up`, the default. */
  readonly dryRun?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs one stack's program under the language host's entry point against the in-process fake engine. */
export async function runUnderLanguageHost(stackFile: StackFile, opts: HostRunOptions = {}): Promise<HostRun> {
  const root = opts.root ?? REPO_ROOT;
  const project = opts.project ?? readProjectFile(root);
  const region = String(stackFile.config["aws:region"] ?? "us-east-1");
  const engine = await startFakeEngine({ stack: stackFile.stack, project: project.name, mocks: platformMocks(region) });
  const { programDirectory, entryPoint } = programInfo(root, project.main);
  const runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [programDirectory] });
  const nodeargs = (project.options.nodeargs ?? "").split(/\s+/).filter(Boolean);
  const argv = [
    ...nodeargs,
    runPath,
    `--monitor=${engine.monitorAddress}`,
    `--engine=${engine.engineAddress}`,
    "--organization=organization",
    `--project=${project.name}`,
    `--root-directory=${root}`,
    `--stack=${stackFile.stack}`,
    `--pwd=${programDirectory}`,
    ...(opts.dryRun ? ["--dry-run"] : []),
    "--parallel=16",
    entryPoint,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...opts.env,
    PULUMI_CONFIG: pulumiConfig(stackFile.config),
    PULUMI_CONFIG_SECRET_KEYS: "[]",
  };
  delete env.PULUMI_NODEJS_TYPESCRIPT;
  if (project.options.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (project.options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = project.options.tsconfig;
  const start = performance.now();
  try {
    // Asynchronous on purpose: the engine answers from this process's event loop.
    const child = spawn(process.execPath, argv, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c) => resolve(c));
    }).finally(() => clearTimeout(timer));
    return { code, ms: performance.now() - start, stdout, stderr, record: engine.record, argv };
  } finally {
    await engine.close();
  }
}
