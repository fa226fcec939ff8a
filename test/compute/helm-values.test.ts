import { strict as assert } from "node:assert";
import * as path from "node:path";
import { clusterAutoscalerValues } from "../../components/compute/autoscaler";
import { COMPUTE_PROFILES, QueryEngineConfig } from "../../components/compute/config";
import { catalogProperties, CREDENTIALS_SECRET } from "../../components/compute/query";
import { EngineValuesInput, prestoValues, trinoValues } from "../../components/compute/query-values";
import { externalSecretsValues } from "../../components/compute/secrets";
import { sparkOperatorValues } from "../../components/compute/spark";
import { CHARTS } from "../../components/compute/versions";
import { readKeyFixture, unknownKeys } from "../support/chart-keys";
import { DOMAINS, resolved } from "./support";

const fixture = (chart: string) => readKeyFixture(path.join(__dirname, "fixtures"), chart);

const engineInput = (config: QueryEngineConfig, extra: Partial<EngineValuesInput> = {}): EngineValuesInput => ({
  config,
  environment: "prod",
  region: "eu-west-1",
  catalogs: catalogProperties({
    engine: config.engine,
    region: "eu-west-1",
    accountId: "123456789012",
    warehouse: {
      engine: "aurora-postgresql",
      endpoint: "wh.cluster-x.eu-west-1.rds.amazonaws.com",
      port: 5432,
      database: "analytics",
    },
    kafka: { bootstrapBrokers: "b-1:9098,b-2:9098", topics: ["orders", "clicks"] },
  }),
  rules: { prefix: "acme-data-prod", domains: DOMAINS, catalogs: ["lake", "iceberg", "warehouse", "kafka"] },
  exchangeBaseDir: "s3://acme-data-prod-query-exchange-123456789012/exchange",
  kafka: true,
  ...extra,
});

const trinoPassword = resolved({
  queryEngine: {
    groups: { analysts: ["ana", "bo"], engineers: ["eng"] },
    loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/c" },
  },
}).queryEngine!;
const trinoOauth = resolved({
  queryEngine: {
    authentication: {
      type: "oauth2",
      issuer: "https://login.acme.example",
      clientId: "trino",
      clientSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:oauth-AbCdEf",
    },
    loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/c" },
  },
}).queryEngine!;
const presto = resolved(
  {
    queryEngine: {
      engine: "presto",
      faultTolerant: false,
      prestoTls: { keystoreSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls-AbCdEf" },
      groups: { analysts: ["ana"] },
    },
  },
  "dev",
).queryEngine!; // presto is refused outside dev (no container security context)

describe("Helm values against the pinned charts' values.yaml", () => {
  it("fixtures describe exactly the pinned chart versions", () => {
    assert.equal(fixture("trino").version, CHARTS.trino.version);
    assert.equal(fixture("presto").version, CHARTS.presto.version);
    assert.equal(fixture("spark-operator").version, CHARTS.sparkOperator.version);
    assert.equal(fixture("external-secrets").version, CHARTS.externalSecrets.version);
    assert.equal(fixture("cluster-autoscaler").version, CHARTS.clusterAutoscaler.version);
  });

  it("trino values use only known keys (password and OAuth2, with and without fault tolerance)", () => {
    for (const values of [
      trinoValues(engineInput(trinoPassword)),
      trinoValues(engineInput(trinoOauth, { exchangeBaseDir: undefined, kafka: false })),
    ]) {
      assert.deepEqual(unknownKeys(values, fixture("trino")), []);
    }
  });

  it("presto, spark-operator and external-secrets values use only known keys", () => {
    assert.deepEqual(unknownKeys(prestoValues(engineInput(presto)), fixture("presto")), []);
    assert.deepEqual(
      unknownKeys(sparkOperatorValues({ jobNamespace: "spark", highAvailability: true }), fixture("spark-operator")),
      [],
    );
    assert.deepEqual(unknownKeys(externalSecretsValues(true), fixture("external-secrets")), []);
  });

  it("cluster-autoscaler values use only known keys and flags in every profile", () => {
    for (const env of ["dev", "staging", "prod"] as const) {
      const values = clusterAutoscalerValues({
        clusterName: "acme-data-eks",
        region: "eu-west-1",
        config: COMPUTE_PROFILES[env].cluster.autoscaler,
        nodeSelector: { "data-platform/node-group": "system" },
      });
      assert.deepEqual(unknownKeys(values, fixture("cluster-autoscaler")), [], env);
    }
  });

  it("the key check catches a misspelt key", () => {
    const values = { ...trinoValues(engineInput(trinoPassword)), server: { workerz: 2 } };
    assert.deepEqual(unknownKeys(values, fixture("trino")), ["server.workerz"]);
  });
});

describe("query engine values", () => {
  it("never carry a credential: secrets are environment references filled from the synced Secret", () => {
    const values = trinoValues(engineInput(trinoOauth));
    const text = JSON.stringify(values);
    assert.match(text, /connection-password=\$\{ENV:WAREHOUSE_PASSWORD\}/);
    assert.match(text, /client-secret=\$\{ENV:OAUTH2_CLIENT_SECRET\}/);
    assert.match(text, /shared-secret=\$\{ENV:SHARED_SECRET\}/);
    assert.doesNotMatch(text, /password=(?!\$\{ENV:)/i);
    assert.deepEqual(values.envFrom, [{ secretRef: { name: CREDENTIALS_SECRET } }]);
  });

  it("turn on fault-tolerant execution with the S3 exchange only when given one", () => {
    const ft = trinoValues(engineInput(trinoPassword));
    assert.ok(ft.additionalConfigProperties.includes("retry-policy=TASK"));
    assert.deepEqual(ft.server.exchangeManager, {
      name: "filesystem",
      baseDir: ["s3://acme-data-prod-query-exchange-123456789012/exchange"],
    });
    assert.deepEqual(ft.additionalExchangeManagerProperties, ["exchange.s3.region=eu-west-1"]);
    const plain = trinoValues(engineInput(trinoPassword, { exchangeBaseDir: undefined }));
    assert.ok(!plain.additionalConfigProperties.includes("retry-policy=TASK"));
    assert.equal("exchangeManager" in plain.server, false);
  });

  it("size the JVM and query memory from the container, and autoscale workers in prod", () => {
    const v = trinoValues(engineInput(trinoPassword));
    assert.equal(trinoPassword.worker.memory, "32Gi");
    assert.equal(v.worker.jvm.maxHeapSize, "24G");
    assert.equal(v.worker.config.query.maxMemoryPerNode, "7GB");
    assert.equal(v.server.config.query.maxMemory, `${7 * trinoPassword.autoscaling.maxWorkers}GB`);
    assert.deepEqual(v.server.autoscaling, { enabled: true, maxReplicas: 12, targetCPUUtilizationPercentage: 70 });
    assert.equal(v.server.workers, 3);
  });

  it("authenticate with the synced password file and config-defined groups, or OAuth2 with groups from the token", () => {
    const pw = trinoValues(engineInput(trinoPassword));
    assert.equal(pw.server.config.authenticationType, "PASSWORD");
    assert.deepEqual(pw.auth, {
      passwordAuthSecret: "query-engine-password-db",
      refreshPeriod: "60s",
      groups: "analysts:ana,bo\nengineers:eng",
    });
    const oauth = trinoValues(engineInput(trinoOauth));
    assert.equal(oauth.server.config.authenticationType, "OAUTH2");
    assert.ok(oauth.additionalConfigProperties.includes("http-server.authentication.oauth2.groups-field=groups"));
    assert.deepEqual(oauth.auth, {});
  });

  it("remove the chart's sample catalogs and run with the platform's service account and hardening", () => {
    const v = trinoValues(engineInput(trinoPassword));
    assert.equal(v.catalogs.tpch, null);
    assert.equal(v.catalogs.tpcds, null);
    assert.deepEqual(
      Object.keys(v.catalogs)
        .filter((k) => v.catalogs[k as keyof typeof v.catalogs] !== null)
        .sort(),
      ["iceberg", "kafka", "lake", "warehouse"],
    );
    assert.deepEqual(v.serviceAccount, { create: false, name: "query-engine" });
    assert.equal(v.securityContext.seccompProfile.type, "RuntimeDefault");
    assert.deepEqual(v.containerSecurityContext.capabilities.drop, ["ALL"]);
    assert.equal(v.image.tag, CHARTS.trino.appVersion);
  });

  it("presto mounts its rules and serves TLS itself; spark-operator watches only the job namespace", () => {
    const p = prestoValues(engineInput(presto));
    assert.match(p.coordinator.config, /http-server\.https\.enabled=true/);
    assert.match(p.coordinator.config, /keystore\.key=\$\{ENV:KEYSTORE_PASSWORD\}/);
    assert.ok(
      p.coordinator.volumeMounts.some(
        (m) => m.mountPath.endsWith("/etc/access-control.properties") && m.subPath === "access-control.properties",
      ),
    );
    assert.match(p.catalog.lake, /hive\.security=file/);
    const s = sparkOperatorValues({ jobNamespace: "spark", highAvailability: false });
    assert.deepEqual(s.spark, { jobNamespaces: ["spark"], serviceAccount: { create: false }, rbac: { create: false } });
    assert.equal(s.controller.replicas, 1);
    assert.equal(
      sparkOperatorValues({ jobNamespace: "spark", highAvailability: true }).webhook.podDisruptionBudget.enable,
      true,
    );
  });
});
