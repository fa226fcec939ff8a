// `npm run bench -- --scale [--ks 0,5,20,50] [--runs N]`: plans synthetic platforms of growing size in fresh
// processes and reports resources, time, peak memory and how time grows with size (log-log slope).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../plan/run";
import { writeSyntheticStack } from "./synthetic";

export interface ScalePoint {
  readonly k: number;
  readonly resources: number;
  /** First plan of this platform: no access table cached for it. */
  readonly firstMs: number;
  /** The same plan again (its access table cached). */
  readonly warmMs: number;
  readonly peakMb: number;
  readonly load: string;
}

const ACCESS_CACHE = path.join(REPO_ROOT, "node_modules", ".cache", "data-platform-access");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One fresh `npm run plan` process: wall time, peak RSS and the resource count it printed. */
function planOnce(stackFile: string, out: string): { ms: number; rss: number; resources: number } {
  const rssFile = path.join(out, "rss");
  const start = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    ["-r", "./tools/bench/rss.js", "-r", "./tools/register.js", "tools/plan.ts", "--config", stackFile, "--out", out],
    { cwd: REPO_ROOT, env: { ...process.env, BENCH_RSS_FILE: rssFile }, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`plan of ${stackFile} exited ${r.status}: ${r.stdout}\n${r.stderr}`);
  const m = /(\d+) resources/.exec(r.stdout);
  return { ms, rss: Number(fs.readFileSync(rssFile, "utf8")), resources: m ? Number(m[1]) : NaN };
}

/** Least-squares slope of log(time) against log(resources): 1 is linear, 2 quadratic. */
export function growthExponent(points: readonly { resources: number; ms: number }[]): number {
  const xs = points.map((p) => Math.log(p.resources));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return num / den;
}

export function runScale(ks: readonly number[], runs: number, log: (l: string) => void): ScalePoint[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-scale-"));
  const points: ScalePoint[] = [];
  for (const k of ks) {
    const stack = writeSyntheticStack(dir, k);
    const first: number[] = [];
    const warm: number[] = [];
    const rss: number[] = [];
    let resources = 0;
    for (let i = 0; i < runs; i++) {
      fs.rmSync(ACCESS_CACHE, { recursive: true, force: true });
      const a = planOnce(stack, dir);
      const b = planOnce(stack, dir);
      first.push(a.ms);
      warm.push(b.ms);
      rss.push(a.rss, b.rss);
      resources = a.resources;
    }
    const p: ScalePoint = {
      k,
      resources,
      firstMs: Math.round(median(first)),
      warmMs: Math.round(median(warm)),
      peakMb: Math.round(Math.max(...rss) / 2 ** 20),
      load: os.loadavg()[0].toFixed(2),
    };
    log(
      `  k=${String(k).padStart(2)}  ${String(p.resources).padStart(5)} resources  first ${String(p.firstMs).padStart(6)} ms  warm ${String(p.warmMs).padStart(6)} ms  peak ${String(p.peakMb).padStart(5)} MB  (load ${p.load})`,
    );
    points.push(p);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return points;
}

/** The slope between two sizes (first runs), or over every point when they are not both measured. */
export function exponentBetween(points: readonly ScalePoint[], from: number, to: number): number {
  const pick = points.filter((p) => p.k === from || p.k === to);
  const use = pick.length === 2 ? pick : points;
  return growthExponent(use.map((p) => ({ resources: p.resources, ms: p.firstMs })));
}
