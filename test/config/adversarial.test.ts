// Bad stack files that once printed a stack trace or were accepted: each is now a ConfigError naming its path.
import { strict as assert } from "assert";
import { ConfigError, loadPlatformConfig } from "../../components/config";
import { configProblems, platformOf } from "../support/config";

type Node = Record<string, unknown>;
const dev = (edit: (p: Node) => void): string[] => {
  const p = platformOf("dev");
  edit(p);
  return configProblems(p);
};
const sources = (p: Node) => p.sources as Node[];
const kind = (p: Node, k: string) => sources(p).findIndex((s) => s.kind === k);

describe("config: adversarial stack files", () => {
  it("a stack file without aws:region is a ConfigError listing it with every other problem", () => {
    const p = platformOf("dev");
    (p.sources as Node[])[0].name = "X";
    try {
      loadPlatformConfig(p, undefined);
      assert.fail("expected ConfigError");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      const lines = e.problems.map((x) => `${x.path}: ${x.message}`);
      assert.match(lines[0], /^aws:region: is required/);
      assert.ok(lines.some((l) => l.startsWith("platform.sources[0].name:")));
    }
    assert.throws(() => loadPlatformConfig(platformOf("dev"), "Europe"), /aws:region: 'Europe' is not an AWS region/);
  });

  it("refuses reserved SQL words, system roles and the platform's own login names for the BI login", () => {
    for (const [name, why] of [
      ["user", /'user' is a reserved SQL word/],
      ["select", /'select' is a reserved SQL word/],
      ["rds_superuser", /system name of PostgreSQL, Redshift or Amazon RDS/],
      ["pg_monitor", /system name/],
      ["rdsadmin", /reserved by the platform|system name/],
      ["query_engine", /'query_engine' is used by the platform itself/],
      ["pipeline_runner", /used by the platform itself/],
    ] as const)
      assert.ok(
        dev((p) => (p.bi = { warehouseLogin: { username: name } })).some(
          (l) => l.startsWith("platform.bi.warehouseLogin.username:") && why.test(l),
        ),
        name,
      );
  });

  it("refuses reserved words and service logins as the admin name, and reserved database names", () => {
    const admin = (name: string) => dev((p) => ((p.warehouse as Node).adminUsername = name));
    assert.ok(admin("public").some((l) => /^platform\.warehouse\.adminUsername: 'public' is a system name/.test(l)));
    assert.ok(admin("user").some((l) => /^platform\.warehouse\.adminUsername: 'user' is a reserved SQL word/.test(l)));
    assert.ok(
      admin("ingestion_loader").some((l) => /adminUsername: 'ingestion_loader' is used by the platform/.test(l)),
    );
    assert.ok(
      dev((p) => ((p.warehouse as Node).databaseName = "table")).some((l) =>
        /databaseName: 'table' is a reserved/.test(l),
      ),
    );
  });

  it("refuses the ledger and rejects tables as an object-events table", () => {
    for (const table of ["load_ledger", "load_rejects", "select"]) {
      const lines = dev((p) => (sources(p)[kind(p, "object-events")].table = table));
      assert.ok(
        lines.some((l) => /^platform\.sources\[\d+\]\.table: /.test(l)),
        `${table}: ${lines.join("; ")}`,
      );
    }
  });

  it("publishes only tables of the pipeline's own marts schema", () => {
    const pipelineWith = (table: string) =>
      dev((p) => ((p.pipelines as Node[])[0].publish = [{ table, dataset: "x_data" }]));
    assert.deepEqual(pipelineWith("staging.load_rejects").length > 0, true);
    assert.match(
      pipelineWith("staging.orders")[0],
      /^platform\.pipelines\[0\]\.publish\[0\]\.table: 'staging\.orders' is outside this pipeline's marts schema/,
    );
    assert.ok(pipelineWith("marts_marketing.x").some((l) => /outside this pipeline's marts schema/.test(l)));
  });

  it("refuses rate(0 minutes) for pulls and pipelines", () => {
    assert.ok(
      dev((p) => (sources(p)[kind(p, "schedule")].schedule = "rate(0 minutes)")).some((l) =>
        /\.schedule: must be cron/.test(l),
      ),
    );
    assert.ok(
      dev((p) => ((p.pipelines as Node[])[0].schedule = "rate(0 hours)")).some((l) =>
        /pipelines\[0\]\.schedule: must be/.test(l),
      ),
    );
  });

  it("names the failing member of a union and what is allowed", () => {
    const http = (auth: unknown) => dev((p) => (sources(p)[kind(p, "http")].auth = auth));
    const i = kind(platformOf("dev"), "http");
    assert.deepEqual(http("iamm"), [`platform.sources[${i}].auth: must be one of: "iam"; or an object`]);
    const jwt = http({ jwt: { issuer: "http://insecure.example.com", audiences: ["a"] } });
    assert.equal(jwt.length, 1);
    assert.match(jwt[0], new RegExp(`^platform\\.sources\\[${i}\\]\\.auth\\.jwt\\.issuer: must be an https URL`));
    assert.deepEqual(http({ jwt: { issuer: "https://id.example.com", audiences: ["a"] }, extra: 1 }), [
      `platform.sources[${i}].auth.extra: unknown key (is it a typo?)`,
    ]);
  });
});
