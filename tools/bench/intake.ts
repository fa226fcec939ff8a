// Intake throughput: a 1,000-record batch through validation (the source's JSON Schema) and key derivation, in
// one process, as the HTTP and queue handlers do it. Reported as records per second (median of `runs`).
import { prepare, SourceRuntime } from "../../components/ingestion/handlers/lib/intake";
import { compileValidator } from "../../components/ingestion/records/validate";
import { parseBatch as parseBody } from "../../components/ingestion/handlers/lib/body";
import { readStackFile, stackFilePath } from "../plan/run";

interface SourceConfig extends SourceRuntime {
  readonly schema?: object;
}

/** The prod stack's orders-api source (schema, id and time fields) and a batch of `n` valid records as a body. */
export function intakeFixture(n: number): { source: SourceConfig; body: string } {
  const platform = readStackFile(stackFilePath("prod")).config["data-platform:platform"] as {
    sources: (SourceConfig & { kind: string })[];
  };
  const orders = platform.sources.find((s) => s.name === "orders-api")!;
  const source = { ...orders, root: "sales/source=orders-api/" };
  const at = Date.parse("2026-01-15T10:00:00Z");
  const records = Array.from({ length: n }, (_, i) => ({
    order_id: `o-${i}`,
    customer_id: `c-${i % 97}`,
    amount: (i * 7.31) % 500,
    currency: ["EUR", "USD", "KRW"][i % 3],
    created_at: new Date(at + i * 1000).toISOString(),
  }));
  return { source, body: JSON.stringify(records) };
}

export function intakeThroughput(runs: number, n = 1000): { recordsPerSecond: number; batchMs: number } {
  const { source, body } = intakeFixture(n);
  const validate = compileValidator(source.schema);
  const now = new Date("2026-01-15T12:00:00Z");
  const once = () => {
    const parsed = parseBody(body, n);
    if (!parsed.ok) throw new Error(parsed.reason);
    const out = prepare(parsed.records, validate, source, now);
    if (out.objects.length !== n) throw new Error(`expected ${n} valid records, got ${out.errors.length} errors`);
  };
  for (let i = 0; i < 5; i++) once(); // JIT warm-up, as in a warm function
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    once();
    times.push(performance.now() - t0);
  }
  const batchMs = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  return { recordsPerSecond: Math.round((n / batchMs) * 1000), batchMs: Number(batchMs.toFixed(2)) };
}
