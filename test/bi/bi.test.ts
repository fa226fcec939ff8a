import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { athenaJdbcUrl, queryEngineConnection, warehouseJdbcUrl } from "../../components/bi/documents";
import { datasourcesYaml, supersetValues } from "../../components/bi/superset";
import { loadPlatformConfig } from "../../components/config";
import { AccessEvaluator } from "../../tools/access/evaluate";
import { buildInventory } from "../../tools/access/inventory";
import { readStackFile, stackFilePath } from "../../tools/plan/run";
import { by, json, planFile, resourcesOf, stackVariant } from "../support/plan";

// BiAccess as the three stacks plan it, and its plain builders: enforced Athena workgroups per consumer group,
// the read-only warehouse login in Secrets Manager, connection strings for BI tools, Superset's chart values.

const STACKS = ["dev", "staging", "prod"] as const;
const WG = "aws:athena/workgroup:Workgroup";
const configOf = (stack: (typeof STACKS)[number]) =>
  loadPlatformConfig(readStackFile(stackFilePath(stack)).config["data-platform:platform"], "eu-west-1");
type WgConfig = {
  enforceWorkgroupConfiguration: boolean;
  bytesScannedCutoffPerQuery: number;
  engineVersion: { selectedEngineVersion: string };
  resultConfiguration: {
    outputLocation: string;
    encryptionConfiguration: { encryptionOption: string; kmsKeyArn: string };
  };
};

describe("BiAccess", () => {
  for (const stack of STACKS) {
    it(`${stack}: one enforced workgroup per consumer group, results encrypted in the query-results bucket, scan limit from config`, async () => {
      const rs = await resourcesOf(stack);
      const cfg = configOf(stack);
      const results = by.type(rs, "aws:s3/bucket:Bucket").find((b) => /-query-results-/.test(String(b.inputs.bucket)));
      assert.ok(results);
      const sse = by
        .type(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        .find((x) => x.inputs.bucket === results.inputs.bucket);
      const resultsKey = (sse?.inputs.rules as { applyServerSideEncryptionByDefault: { kmsMasterKeyId: string } }[])[0]!
        .applyServerSideEncryptionByDefault.kmsMasterKeyId;
      const groups = by.type(rs, WG);
      assert.deepEqual(
        groups.map((g) => (g.inputs.tags as Record<string, string>)["data-platform:workgroup"]).sort(),
        Object.keys(cfg.bi.athena.workgroups).sort(),
      );
      for (const g of groups) {
        const group = (g.inputs.tags as Record<string, string>)["data-platform:workgroup"]!;
        const c = g.inputs.configuration as WgConfig;
        assert.equal(c.enforceWorkgroupConfiguration, true);
        assert.equal(c.bytesScannedCutoffPerQuery, cfg.bi.athena.workgroups[group]!.bytesScannedCutoffPerQueryGb * 1e9);
        assert.equal(c.engineVersion.selectedEngineVersion, cfg.bi.athena.engineVersion);
        assert.equal(c.resultConfiguration.outputLocation, `s3://${String(results.inputs.bucket)}/${group}/`);
        assert.deepEqual(c.resultConfiguration.encryptionConfiguration, {
          encryptionOption: "SSE_KMS",
          kmsKeyArn: resultsKey,
        });
      }
    });
  }

  it("each persona may use exactly the workgroups config gives it (simulated)", async () => {
    const rs = await resourcesOf("prod");
    const cfg = configOf("prod");
    const ev = new AccessEvaluator(buildInventory(rs));
    for (const role of ev.inv.roles.filter((r) => r.tags["data-platform:persona"])) {
      const persona = role.tags["data-platform:persona"]!;
      for (const wg of ev.inv.workgroups) {
        const v = await ev.can({ kind: "role", role }, "use", { kind: "workgroup", workgroup: wg, label: wg.name });
        assert.equal(
          v.allowed,
          cfg.bi.athena.workgroups[wg.group!]!.personas.includes(persona as never),
          `${role.name} on ${wg.name}: ${v.why}`,
        );
      }
    }
  });

  it("the BI login is a warehouse login in group bi_reader: its secret under the warehouse's key, its password set by the bootstrap", async () => {
    const rs = await resourcesOf("prod");
    const login = configOf("prod").bi.warehouseLogin.username;
    const secret = by.name(rs, "aws:secretsmanager/secret:Secret", `acme-data-warehouse-login-${login}`);
    assert.equal(secret.inputs.name, `acme-data-prod/warehouse/login/${login}`);
    const confidential = by
      .type(rs, "aws:kms/alias:Alias")
      .find((a) => String(a.inputs.name).endsWith("-confidential"));
    assert.ok(
      confidential && String(secret.inputs.kmsKeyId).endsWith(`key/${String(confidential.inputs.targetKeyId)}`),
      String(secret.inputs.kmsKeyId),
    );
    const invocation = by
      .type(rs, "aws:lambda/invocation:Invocation")
      .find((i) => i.name.endsWith("-warehouse-bootstrap"));
    const logins = json<{ logins: { name: string; role: string; secretArn: string }[] }>(
      invocation?.inputs.input,
    ).logins;
    const entry = logins.find((l) => l.name === login);
    assert.equal(entry?.role, "bi_reader");
    assert.match(entry?.secretArn ?? "", new RegExp(`:secret:acme-data-prod/warehouse/login/${login}-`));
    const version = by.name(rs, "aws:secretsmanager/secretVersion:SecretVersion", `acme-data-warehouse-login-${login}`);
    const value = json<{ username: string; password: string; engine: string; port: number }>(
      (version.inputs.secretString as { value: string }).value,
    );
    assert.deepEqual([value.username, value.engine, value.port], [login, "redshift", 5439]);
    assert.ok(value.password.length >= 20);
  });

  it("builds JDBC URLs with TLS and certificate verification for every engine", () => {
    assert.equal(
      warehouseJdbcUrl("redshift-serverless", "wh.example", 5439, "analytics"),
      "jdbc:redshift://wh.example:5439/analytics?ssl=true&sslmode=verify-full",
    );
    assert.equal(
      warehouseJdbcUrl("aurora-postgresql", "wh.example", 5432, "analytics"),
      "jdbc:postgresql://wh.example:5432/analytics?sslmode=verify-full",
    );
    assert.equal(
      athenaJdbcUrl("eu-west-1", "acme-data-prod-analysts"),
      "jdbc:athena://Region=eu-west-1;WorkGroup=acme-data-prod-analysts;CredentialsProvider=DefaultChain",
    );
    const trino = queryEngineConnection({
      engine: "trino",
      host: "trino.internal",
      port: 8443,
      authentication: "oauth2",
    });
    assert.equal(trino.jdbcUrl, "jdbc:trino://trino.internal:8443/lake?SSL=true&externalAuthentication=true");
    assert.match(
      queryEngineConnection({ engine: "trino", host: "t", port: 8443, authentication: "password", catalog: "hive" })
        .jdbcUrl,
      /^jdbc:trino:\/\/t:8443\/hive\?SSL=true$/,
    );
  });

  it("Superset: no default admin, no bundled database, hardened pods, secrets only by name", () => {
    const v = supersetValues({ replicas: 2 }) as Record<string, Record<string, unknown>>;
    assert.equal(v.init!.createAdmin, false);
    assert.equal(v.init!.loadExamples, false);
    assert.equal(v.postgresql!.enabled, false);
    assert.equal((v.secretEnv as { create: boolean }).create, false);
    assert.equal((v.supersetNode!.podDisruptionBudget as { enabled: boolean }).enabled, true);
    assert.equal((v.supersetNode!.containerSecurityContext as { runAsNonRoot: boolean }).runAsNonRoot, true);
    assert.ok(!JSON.stringify(v).match(/password|SECRET_KEY\s*=\s*['"]/i), "no secret material in values");
    assert.equal(
      (supersetValues({ replicas: 1 }).supersetNode as { podDisruptionBudget: { enabled: boolean } })
        .podDisruptionBudget.enabled,
      false,
    );
  });

  it("Superset datasources are read-only, TLS, and escape the password", () => {
    const y = parse(
      datasourcesYaml({
        queryEngine: { engine: "trino", host: "trino.internal", port: 8443 },
        warehouse: {
          engine: "aurora-postgresql",
          host: "wh",
          port: 5432,
          database: "analytics",
          username: "bi_tools",
          password: "p@ss/word",
        },
      }),
    ) as {
      databases: { database_name: string; sqlalchemy_uri: string; allow_dml: boolean; allow_file_upload: boolean }[];
    };
    assert.deepEqual(
      y.databases.map((d) => d.database_name),
      ["lake", "warehouse"],
    );
    for (const d of y.databases) assert.deepEqual([d.allow_dml, d.allow_file_upload], [false, false]);
    assert.equal(
      y.databases[1]!.sqlalchemy_uri,
      "postgresql+psycopg2://bi_tools:p%40ss%2Fword@wh:5432/analytics?sslmode=verify-full",
    );
  });
});

describe("BiAccess with Superset on (dev variant)", () => {
  it("plans with no mandatory violation: the chart pinned, the signing key from random in Secrets Manager, metadata on its own encrypted instance", async function () {
    this.timeout(60_000);
    const file = stackVariant("dev", "dev", (p) => (p.bi = { superset: { enabled: true } }));
    const result = await planFile(file);
    assert.equal(result.code, 0, JSON.stringify(result.document?.policies.filter((v) => v.level === "mandatory")));
    const rs = result.resources!;
    const release = by.type(rs, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "superset");
    assert.ok(release);
    assert.equal(release.inputs.version, configOf("dev").bi.superset.chartVersion);
    // The null that deletes the chart's maxUnavailable default reaches Helm only with allowNullValues.
    assert.equal(release.inputs.allowNullValues, true);
    assert.equal(
      json<{ supersetNode: { podDisruptionBudget: { maxUnavailable: unknown } } }>(release.inputs.values).supersetNode
        .podDisruptionBudget.maxUnavailable,
      null,
    );
    assert.ok(
      by.type(rs, "random:index/randomPassword:RandomPassword").some((r) => r.name.endsWith("-superset-secret-key")),
    );
    assert.equal(
      by.name(rs, "aws:secretsmanager/secret:Secret", "acme-data-bi-superset-secret-key").inputs.name,
      "acme-data-dev/bi/superset-secret-key",
    );
    const db = by.type(rs, "aws:rds/instance:Instance").find((r) => String(r.inputs.identifier).endsWith("-superset"));
    assert.deepEqual([db?.inputs.storageEncrypted, db?.inputs.publiclyAccessible], [true, false]);
    const datasources = by
      .type(rs, "kubernetes:core/v1:Secret")
      .find((s) => (s.inputs.metadata as { name: string }).name === "superset-datasources");
    assert.ok(datasources, "datasources live in a Kubernetes secret");
  });
});
