// `npm run bench [-- --runs N --json]`: what the offline prod plan costs next to merely loading the SDKs, and what
// the real run costs next to the offline plan (the dev program under `pulumi up`'s entry point, the policy pack's start).
// Fresh processes, interleaved so machine load hits both sides alike; medians reported.
// `npm run bench -- --scale [--ks 0,5,20,50] [--runs N]`: the plan at growing platform sizes (tools/bench/scale.ts),
// and intake throughput (tools/bench/intake.ts).
// `npm run bench -- --rules [--ks 5,50] [--runs N]`: each rule alone at two platform sizes (tools/bench/rules.ts).
// `npm run bench -- --loader [--records N]`: the object loader into an embedded PostgreSQL (tools/bench/loader.ts).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { evaluate } from "../policies/engine/evaluate";
import { readPolicyConfig } from "../policies/config";
import { allRules } from "../policies/rules";
import { runUnderLanguageHost } from "./langhost/host";
import { startPolicyPack } from "./langhost/policy-pack";
import { readStackFile, REPO_ROOT, runProgram, stackFilePath } from "./plan/run";
import { exponentBetween, growthExponent, runScale } from "./bench/scale";
import { intakeThroughput } from "./bench/intake";
import { ruleTable, ruleTimes } from "./bench/rules";

const { values } = parseArgs({
  options: {
    runs: { type: "string" },
    json: { type: "boolean" },
    scale: { type: "boolean" },
    ks: { type: "string" },
    rules: { type: "boolean" },
    loader: { type: "boolean" },
    records: { type: "string", default: "100000" },
    "largest-object": { type: "boolean" },
  },
});
const runs = Math.max(1, Number(values.runs ?? (values.scale ? 1 : 5)));

function timed(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { cwd: REPO_ROOT, stdio: "ignore" });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  // Warm, in-process: the program under mocks and the policy evaluation, without module loading.
  const stack = readStackFile(stackFilePath("prod"));
  const first = await runProgram(stack);
  const awsModules = [
    ...new Set(first.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.type.split(":")[1].split("/")[0])),
  ].sort();
  const programMs: number[] = [];
  const policyMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const run = await runProgram(stack);
    const t1 = performance.now();
    await evaluate(allRules, run.resources, readPolicyConfig("prod"));
    policyMs.push(performance.now() - t1);
    programMs.push(t1 - t0);
  }

  // Cold, fresh processes: loading @pulumi/pulumi and the @pulumi/aws modules the plan uses, versus the whole CLI.
  const load = `const a=require("@pulumi/aws");require("@pulumi/pulumi");for(const m of ${JSON.stringify(awsModules)})Object.keys(a[m]);`;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "dp-bench-"));
  const baseline: number[] = [];
  const plan: number[] = [];
  timed(["-e", load]); // warm the file cache once
  for (let i = 0; i < runs; i++) {
    baseline.push(timed(["-e", load]));
    plan.push(timed(["-r", "./tools/register.js", "tools/plan.ts", "--stack", "prod", "--out", out]));
  }
  // A fresh checkout: no transpile, bundle or access-table cache yet (every later plan reuses them).
  const caches = [
    path.join(REPO_ROOT, "node_modules", ".cache", "data-platform-ts"),
    path.join(REPO_ROOT, "node_modules", ".cache", "data-platform-access"),
    path.join(REPO_ROOT, "out", ".bundle-cache"),
  ];
  for (const dir of caches) fs.rmSync(dir, { recursive: true, force: true });
  const coldCaches = timed(["-r", "./tools/register.js", "tools/plan.ts", "--stack", "prod", "--out", out]);

  // What `pulumi up` runs: the dev program through the SDK's language-host entry point against the in-process fake
  // engine, next to the offline plan of the same stack; and the policy pack started as `--policy-pack` starts it.
  const dev = readStackFile(stackFilePath("dev"));
  const planDev: number[] = [];
  const hostDev: number[] = [];
  const packStart: number[] = [];
  for (let i = 0; i < runs; i++) {
    planDev.push(timed(["-r", "./tools/register.js", "tools/plan.ts", "--stack", "dev", "--out", out]));
    const hosted = await runUnderLanguageHost(dev);
    if (hosted.code !== 0) throw new Error(`dev under the language host exited ${hosted.code}: ${hosted.stderr}`);
    hostDev.push(hosted.ms);
    const pack = await startPolicyPack({ engineAddress: "127.0.0.1:1" });
    packStart.push(pack.startMs);
    await pack.close();
  }
  const result = {
    runs,
    resources: first.resources.filter((r) => r.custom).length,
    rules: allRules.length,
    loadSdkMs: Math.round(median(baseline)),
    planProdMs: Math.round(median(plan)),
    ratio: Number((median(plan) / median(baseline)).toFixed(2)),
    planProdNoCachesMs: Math.round(coldCaches),
    warmProgramMs: Math.round(median(programMs)),
    warmPoliciesMs: Math.round(median(policyMs)),
    planDevMs: Math.round(median(planDev)),
    languageHostDevMs: Math.round(median(hostDev)),
    languageHostRatio: Number((median(hostDev) / median(planDev)).toFixed(2)),
    policyPackStartMs: Math.round(median(packStart)),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg()[0].toFixed(2),
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(
      `prod plan: ${result.resources} resources, ${result.rules} rules, median of ${runs} fresh runs (node ${result.node}, ${result.cpus} cpus, load ${result.loadAverage})`,
    );
    console.log(`  load @pulumi/pulumi + @pulumi/aws modules  ${String(result.loadSdkMs).padStart(6)} ms`);
    console.log(
      `  plan --stack prod, whole CLI               ${String(result.planProdMs).padStart(6)} ms   (${result.ratio}x the SDK load)`,
    );
    console.log(`  the same, first run without caches         ${String(result.planProdNoCachesMs).padStart(6)} ms`);
    console.log(`  of which, warm: program under mocks        ${String(result.warmProgramMs).padStart(6)} ms`);
    console.log(`               all policies                  ${String(result.warmPoliciesMs).padStart(6)} ms`);
    console.log(`  plan --stack dev, whole CLI                ${String(result.planDevMs).padStart(6)} ms`);
    console.log(
      `  dev under the language host (pulumi up)    ${String(result.languageHostDevMs).padStart(6)} ms   (${result.languageHostRatio}x the dev plan)`,
    );
    console.log(`  policy pack start (--policy-pack)          ${String(result.policyPackStartMs).padStart(6)} ms`);
  }
}

async function scale() {
  const ks = (values.ks ?? "0,5,20,50").split(",").map(Number);
  console.log(
    `scale: prod + k synthetic domains, fresh processes, median of ${runs} (node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg()[0].toFixed(2)})`,
  );
  const points = runScale(ks, runs, (l) => console.log(l));
  const slope = exponentBetween(points, 5, 50);
  const fit = growthExponent(points.map((p) => ({ resources: p.resources, ms: p.firstMs })));
  console.log(`  growth exponent (first plan, log-log) k=5..50: ${slope.toFixed(2)}; all points: ${fit.toFixed(2)}`);
  const intake = intakeThroughput(Math.max(runs, 21));
  console.log(
    `intake: 1,000-record batch through validation and key derivation: ${intake.recordsPerSecond} records/s (${intake.batchMs} ms a batch)`,
  );
  if (values.json) console.log(JSON.stringify({ points, exponent5to50: slope, exponentAll: fit, intake }, null, 2));
}

async function rules() {
  const ks = (values.ks ?? "5,50").split(",").map(Number);
  const t = await ruleTimes(allRules, ks, Math.max(runs, 5));
  console.log(
    `rules: each rule alone on prod + k synthetic domains, median of ${Math.max(runs, 5)} (node ${process.version}, load ${os.loadavg()[0].toFixed(2)})`,
  );
  for (const line of ruleTable(t)) console.log(line);
  const total = (kind: string) =>
    t.ks.map((_, i) => t.rules.filter((r) => r.kind === kind).reduce((a, r) => a + r.ms[i], 0));
  for (const kind of ["stack", "resource"])
    console.log(
      `  all ${kind} rules: ${total(kind)
        .map((m) => `${Math.round(m)} ms`)
        .join(" / ")}`,
    );
  if (values.json) console.log(JSON.stringify(t, null, 2));
}

async function loader() {
  const n = Number(values.records);
  // Loaded on demand: it starts local S3 and PostgreSQL servers from the dev dependencies.
  const { loaderThroughput } = require("./bench/loader") as typeof import("./bench/loader");
  const r = await loaderThroughput(runs, n);
  const load = os.loadavg()[0].toFixed(2);
  console.log(
    `loader: ${n} records (${(r.bytes / 2 ** 20).toFixed(1)} MB of JSON lines), median of ${runs} (load ${load})`,
  );
  const row = (label: string, rps: number, note = "") =>
    console.log(`  ${label.padEnd(44)} ${String(rps).padStart(8)} rows/s${note}`);
  row("whole loader (S3 streamed into COPY, ledger)", r.rowsPerSecond, `  (${r.objectMs} ms)`);
  row(
    "former loader (exact parse, INSERT into jsonb)",
    r.insertPathRowsPerSecond,
    `  (now ${(r.rowsPerSecond / r.insertPathRowsPerSecond).toFixed(1)}x)`,
  );
  row("warehouse write: COPY … FROM STDIN (json)", r.copyRowsPerSecond);
  row(
    "warehouse write: multi-row INSERT (jsonb)",
    r.insertRowsPerSecond,
    `  (COPY ${(r.copyRowsPerSecond / r.insertRowsPerSecond).toFixed(1)}x)`,
  );
  console.log(`  parse alone: ${r.parseMs} ms (lossless path for every line: ${r.exactParseMs} ms)`);
  if (values.json) console.log(JSON.stringify({ ...r, records: n, load }, null, 2));
  if (!values["largest-object"]) return;
  const { largestObject } = require("./bench/loader") as typeof import("./bench/loader");
  for (const exact of [false, true]) {
    // The streamed path under a 128 MB heap: it must not need the object's size in memory.
    const big = exact
      ? await largestObject([50_000, 200_000, 400_000], true)
      : await largestObject([50_000, 400_000, 800_000, 1_600_000], false, 256, 300, 128);
    console.log(
      `  ${exact ? "exact path (the records as one JSON array)" : "streamed path (JSON lines, 128 MB heap)"}:`,
    );
    for (const p of big.probes)
      console.log(`    one object of ${p.mb.toFixed(1)} MB (${p.records} records): ${p.ms} ms, peak ${p.peakMb} MB`);
    console.log(
      `    largest object in a 256 MB function with a 300 s timeout: about ${Math.floor(big.largestMb)} MB, bounded by its ${big.bound} (${big.mbPerObjectMb.toFixed(2)} MB of memory per MB of object over ${Math.round(big.baseMb)} MB; the timeout at Lambda's CPU share for 256 MB allows about ${Math.floor(big.timeBoundMb)} MB)`,
    );
  }
}

(values.scale ? scale() : values.rules ? rules() : values.loader ? loader() : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
