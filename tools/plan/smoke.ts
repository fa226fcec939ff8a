import { readStackFile, runProgram, stackFilePath } from "./run";
(async () => {
  const t = Date.now();
  const run = await runProgram(readStackFile(stackFilePath(process.argv[2] ?? "dev")));
  console.log(run.resources.length, Date.now() - t, "ms");
  const counts: Record<string, number> = {};
  for (const r of run.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  console.log(counts);
  console.log(JSON.stringify(run.resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy"), null, 1).slice(0, 1500));
})().catch((e) => { console.error("ERR", e); process.exit(1); });
