// Synthetic platforms for the scale benchmark: the prod stack plus k extra domains, each with what a domain
// typically brings (an HTTP source, a queue source, a loader into the warehouse, a topic, a Spark job, a steward and
// a curated dataset).
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { readStackFile, stackFilePath } from "../plan/run";

type Json = Record<string, unknown>;

const STEWARD_ARN = (i: number) =>
  `arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Scale${i}Steward_${String(i).padStart(16, "0")}`;

/** The prod stack's config with `k` extra domains; the input the schema sees is unchanged otherwise. */
export function syntheticConfig(k: number): Record<string, unknown> {
  const base = structuredClone(readStackFile(stackFilePath("prod")).config);
  const platform = base["data-platform:platform"] as Json;
  const list = (o: Json, key: string) => (o[key] ??= []) as Json[];
  const streaming = platform.streaming as Json;
  const compute = platform.compute as Json;
  const spark = compute.spark as Json;
  const access = platform.access as Json;
  const stewards = (access.stewards ??= {}) as Record<string, string[]>;
  for (let i = 1; i <= k; i++) {
    const d = `scale${i}`;
    list(platform, "domains").push({
      name: d,
      description: `Synthetic domain ${i}`,
      owner: `owner-${d}@acme.example`,
      steward: `steward-${d}@acme.example`,
      classification: i % 3 === 0 ? "confidential" : "internal",
      datasets: [
        {
          name: "events",
          zone: "curated",
          description: `Events of domain ${i}, deduplicated (written by the ${d}-daily Spark job)`,
          columns: [
            { name: "id", type: "string", description: "The event's id" },
            { name: "ts", type: "timestamp", description: "When it happened (UTC)" },
          ],
          partitioning: [{ column: "ts", transform: "day" }],
          freshnessHours: 26,
          quality: { complete: ["id", "ts"], unique: ["id"] },
        },
      ],
    });
    stewards[d] = [STEWARD_ARN(i)];
    list(streaming, "topics").push({ name: `${d}.events`, domain: d, partitions: 6 });
    list(platform, "sources").push(
      {
        name: `${d}-api`,
        kind: "http",
        domain: d,
        description: `Events posted to domain ${i}`,
        idField: "id",
        timeField: "ts",
        kafkaTopic: `${d}.events`,
        schema: {
          type: "object",
          required: ["id", "ts"],
          properties: { id: { type: "string", maxLength: 64 }, ts: { type: "string", format: "date-time" } },
        },
      },
      {
        name: `${d}-queue`,
        kind: "queue",
        domain: d,
        description: `Messages relayed to domain ${i}`,
        idField: "id",
        schema: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
      },
      { name: `${d}-loader`, kind: "object-events", domain: d, from: `${d}-api`, table: `${d}_events` },
    );
    list(spark, "jobs").push({
      name: `${d}-daily`,
      domain: d,
      schedule: "0 4 * * *",
      mainApplicationFile: `local:///opt/spark/jobs/${d}.py`,
      reads: ["raw"],
      writes: ["curated"],
    });
  }
  return base;
}

/** Writes `Pulumi.scale-<k>.yaml` into `dir` and returns its path (the stack name comes from the file name). */
export function writeSyntheticStack(dir: string, k: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `Pulumi.scale-${k}.yaml`);
  fs.writeFileSync(file, stringify({ config: syntheticConfig(k) }));
  return file;
}
