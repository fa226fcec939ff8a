import { strict as assert } from "assert";
import { loadPlatformConfig } from "../../components/config";
import { INGESTION_PROFILES } from "../../components/ingestion/config";
import { configProblems as problems, platformOf } from "../support/config";

/** A stack's platform config as parsed YAML, edited in place by the cases. */
type Platform = { [key: string]: Platform | Platform[] | string | number | object };

/** The committed dev stack with one edit. */
function devWith(edit: (p: Platform) => void): string[] {
  const p = platformOf("dev") as Platform;
  edit(p);
  return problems(p);
}
const source = (p: Platform, name: string) => (p.sources as Platform[]).find((s) => s.name === name)!;

describe("ingestion: config", () => {
  it("every committed stack declares a source of every kind, a pipeline and alert recipients", () => {
    for (const stack of ["dev", "staging", "prod"] as const) {
      const cfg = loadPlatformConfig(platformOf(stack), "eu-west-1").ingestion;
      assert.deepEqual(
        [...new Set(cfg.sources.map((s) => s.kind))].sort(),
        ["db-events", "http", "object-events", "queue", "schedule"],
        stack,
      );
      assert.ok(cfg.pipelines.length >= 1 && cfg.monitoring.subscriptions.length >= 1, stack);
    }
  });

  it("fills profile defaults per environment; values written in the stack win", () => {
    const dev = loadPlatformConfig(platformOf("dev"), "eu-west-1").ingestion;
    const prod = loadPlatformConfig(platformOf("prod"), "eu-west-1").ingestion;
    const http = (c: typeof dev) => c.sources.find((s) => s.kind === "http")!;
    const table = (c: typeof dev) => c.sources.find((s) => s.kind === "db-events")!;
    assert.equal(http(dev).reservedConcurrency, INGESTION_PROFILES.dev.reservedConcurrency);
    assert.equal(http(prod).reservedConcurrency, INGESTION_PROFILES.prod.reservedConcurrency);
    assert.equal(dev.sources.find((s) => s.kind === "schedule")!.reservedConcurrency, 1, "one pull at a time");
    assert.deepEqual(
      [
        table(dev).kind === "db-events" && table(dev).pointInTimeRecovery,
        table(prod).kind === "db-events" && table(prod).pointInTimeRecovery,
      ],
      [false, true],
    );
    assert.equal(prod.monitoring.oldestMessageAgeSeconds, 600, "explicit value");
    assert.equal(dev.monitoring.oldestMessageAgeSeconds, 3600, "dev profile");
    const p = platformOf("prod") as Platform;
    source(p, "orders-api").reservedConcurrency = 7;
    const explicit = loadPlatformConfig(p, "eu-west-1").ingestion.sources.find((s) => s.name === "orders-api")!;
    assert.equal(explicit.reservedConcurrency, 7);
  });

  it("reports unknown keys and bad values with their path under platform.sources", () => {
    assert.deepEqual(
      devWith((p) => (source(p, "payments").maxRecieveCount = 3)),
      ["platform.sources[2].maxRecieveCount: unknown key (is it a typo?)"],
    );
    const bad = devWith((p) => (source(p, "crm-contacts").url = "http://api.crm.example"));
    assert.ok(
      bad.some((m) => m.startsWith("platform.sources[3].url: must be an https URL")),
      bad.join("\n"),
    );
    assert.ok(
      devWith((p) => (p.sources as Platform[]).push({ name: "x1", kind: "ftp", domain: "sales" })).some((m) =>
        /kind must be one of http \| queue/.test(m),
      ),
    );
  });

  it("cross-checks sources against domains, Kafka topics, the warehouse and each other", () => {
    const expectOne = (edit: (p: Platform) => void, re: RegExp) => {
      const found = devWith(edit);
      assert.ok(
        found.some((m) => re.test(m)),
        `expected ${re} in ${JSON.stringify(found)}`,
      );
    };
    expectOne(
      (p) => (source(p, "carts").name = "payments"),
      /^platform\.sources\[4\]\.name: duplicate source name 'payments'/,
    );
    expectOne(
      (p) => (source(p, "payments").domain = "finance"),
      /^platform\.sources\[2\]\.domain: unknown domain 'finance'/,
    );
    expectOne((p) => (source(p, "payments").classification = "internal"), /below its domain's 'confidential'/);
    expectOne(
      (p) => (source(p, "orders-api").kafkaTopic = "marketing.clickstream"),
      /kafkaTopic: belongs to domain 'marketing', not 'sales'/,
    );
    expectOne((p) => (source(p, "orders-api").kafkaTopic = "sales.nope"), /kafkaTopic: is not a declared topic/);
    expectOne((p) => (p.streaming = { enabled: false }), /kafkaTopic: needs the platform's Kafka/);
    expectOne((p) => (p.warehouse = { enabled: false }), /object-events load into the warehouse/);
    expectOne((p) => (source(p, "orders-loader").from = "carts-loader"), /is itself an object-events source/);
    expectOne((p) => (source(p, "orders-api").schema = { type: "objekt" }), /schema: is not a valid JSON Schema/);
    expectOne(
      (p) => (source(p, "orders-api").schema = { type: "object", properties: { s: { pattern: "^(a)\\1$" } } }),
      /^platform\.sources\[0\]\.schema\.properties\.s\.pattern: pattern "\^\(a\)\\\\1\$" is not supported by the linear-time engine/,
    );
    expectOne((p) => (source(p, "crm-contacts").reservedConcurrency = 2), /must be 1 for a scheduled pull/);
    expectOne((p) => (source(p, "payments").reservedConcurrency = 1), /at least 2 for a queue source/);
    expectOne(
      (p) => ((p.pipelines as Platform[])[0].loads = ["payments"]),
      /^platform\.pipelines\[0\]\.loads\[0\]: 'payments' is a queue source/,
    );
  });
});
