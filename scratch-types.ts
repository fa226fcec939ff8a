import { readStackFile, runProgram } from "./tools/plan/run";
import { stackVariant } from "./test/support/plan";
import { computeProgram } from "./test/compute/program";
import { sampleCompute } from "./test/compute/support";
(async () => {
  const file = stackVariant("prod", "prod", () => undefined);
  const run = await runProgram(readStackFile(file), computeProgram(sampleCompute()));
  const seen = new Map<string, number>();
  for (const r of run.resources) {
    if (!/accessEntry|accessPolicy|addon:|LimitRange|ResourceQuota|v1:Service$|ServiceAccount|external-secrets|rbac|v1:Namespace|helm.sh/.test(r.type)) continue;
    const n = (seen.get(r.type) ?? 0) + 1; seen.set(r.type, n); if (n > 2) continue;
    console.log(r.type, r.name, JSON.stringify(r.inputs).slice(0, 700), "deps:", r.dependencies.map((d) => d.split("::").pop()).join(","));
  }
  console.log([...seen]);
})().catch((e) => { console.error(e); process.exit(1); });
