import { strict as assert } from "node:assert";
import { json, planFile, stackVariant } from "../support/plan";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Statement = { Action: string | string[]; Resource: string | string[] };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("pipelines: a restricted domain's published datasets", function () {
  this.timeout(300_000);

  it("publish under the restricted bucket's analytics/ root, where its table reads and its runner alone may write", async () => {
    // dev with sales restricted (its topics dropped: restricted data is not streamed through the shared cluster).
    const file = stackVariant("dev", "dev", (p) => {
      (p.domains as Obj[]).find((d) => d.name === "sales")!.classification = "restricted";
      const streaming = p.streaming as Obj;
      streaming.topics = (streaming.topics as Obj[]).filter((t) => t.domain !== "sales");
      delete streaming.processors;
      for (const s of p.sources as Obj[]) if (s.domain === "sales") delete s.kafkaTopic;
    });
    const result = await planFile(file);
    assert.ok(result.resources, result.error ?? JSON.stringify(result.problems));
    const rs = result.resources!;
    const bucket = "acme-data-dev-restricted-123456789012";

    const table = rs.find((r) => r.type === "aws:glue/catalogTable:CatalogTable" && r.name.endsWith("daily_revenue"))!;
    assert.equal((table.inputs as Obj).storageDescriptor.location, `s3://${bucket}/analytics/sales/daily_revenue/`);

    const runner = rs.find(
      (r) => r.type === "aws:lambda/function:Function" && String(r.inputs.name).endsWith("sales-daily-runner"),
    )!;
    assert.equal((runner.inputs.environment as Obj).variables.ANALYTICS_BUCKET, bucket);
    // The runner's object writes: exactly the domain's analytics/ prefix of the restricted bucket. The component
    // derives this prefix and the runner's packaged root from the same zone reference (Pipeline.ts); the runner's
    // keys under that root are test/pipelines/runner.test.ts.
    const policy = rs.find(
      (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith("sales-daily-pipeline-runner-role-policy"),
    )!;
    const writes = json<{ Statement: Statement[] }>(policy.inputs.policy)
      .Statement.filter((s) => list(s.Action).includes("s3:PutObject"))
      .flatMap((s) => list(s.Resource));
    assert.deepEqual(writes, [`arn:aws:s3:::${bucket}/analytics/sales/*`]);
  });
});
