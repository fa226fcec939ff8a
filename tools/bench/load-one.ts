// Child process of the loader benchmark's largest-object probe: loads one object with the real loader from the
// parent's local S3 and PostgreSQL (addresses in BENCH_* variables) and prints the time and its own peak memory.
import { S3Client } from "@aws-sdk/client-s3";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { createLoader } from "../../components/ingestion/handlers/loader";
import { pgWarehouse } from "../../components/ingestion/handlers/lib/warehouse";

async function main() {
  const env = (k: string) => process.env[k] ?? "";
  const warehouse = pgWarehouse(
    { engine: "postgres", host: "127.0.0.1", port: Number(env("BENCH_PG_PORT")), database: "postgres", tls: false },
    async () => ({ username: "postgres", password: env("BENCH_PG_PASSWORD") }),
  );
  const s3 = new S3Client({
    endpoint: env("BENCH_S3_ENDPOINT"),
    forcePathStyle: true,
    region: "eu-west-1",
    credentials: { accessKeyId: "LOCAL", secretAccessKey: "LOCAL" },
  });
  const loader = createLoader({
    config: { name: "orders-loader", root: env("BENCH_ROOT"), table: "orders" },
    bucket: "raw",
    s3,
    warehouse,
    logger: new Logger({ serviceName: "bench", logLevel: "SILENT" }),
    metrics: new Metrics({ namespace: "bench", serviceName: "bench" }),
  });
  const t0 = performance.now();
  const r = await loader.loadObject(env("BENCH_KEY"));
  const ms = performance.now() - t0;
  await warehouse.close();
  s3.destroy();
  console.log(JSON.stringify({ ...r, ms: Math.round(ms), peakMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
