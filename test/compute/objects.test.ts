import { strict as assert } from "node:assert";
import { spotScheduling } from "../../components/compute/eks";
import {
  configMap,
  limitRange,
  namespace,
  namespaceNetworkPolicies,
  platformLabels,
  POD_IDENTITY_AGENT,
  resourceQuota,
  serviceAccount,
} from "../../components/compute/k8s";
import { kafkaClientProperties } from "../../components/compute/query";
import { loadBalancerService, prestoAccessFiles, prestoWorkerAutoscaler } from "../../components/compute/query-values";
import { externalSecret, secretStore } from "../../components/compute/secrets";
import {
  adHocSparkApplication,
  historyServer,
  scheduledSparkApplication,
  SPARK_UID,
  sparkApplicationSpec,
  sparkDriverRole,
  sparkDriverRoleBinding,
  SparkPlatform,
} from "../../components/compute/spark";
import { crdErrors } from "./crd-schemas";
import { DOMAINS, resolved, sampleCompute, validateK8s } from "./support";

const ctx = { prefix: "acme-data-dev", environment: "dev" as const };
const labels = platformLabels(ctx, "spark");
const platform: SparkPlatform = {
  namespace: "spark",
  region: "eu-west-1",
  eventLogDir: "s3a://acme-data-dev-spark-logs-123456789012/event-logs/",
  labels,
  spot: spotScheduling("spark-spot"),
};
const dev = resolved(sampleCompute(), "dev", 2);
const prestoConfig = resolved(
  {
    queryEngine: {
      engine: "presto",
      prestoTls: { keystoreSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls-AbCdEf" },
      autoscaling: { enabled: true, maxWorkers: 4 },
      groups: { analysts: ["ana"], engineers: ["eng"] },
    },
  },
  "dev",
  2,
).queryEngine!;

/** Every plain Kubernetes object the components build, from representative inputs. */
function plainObjects() {
  const jobs = dev.spark!.jobs;
  const history = historyServer({
    namespace: "spark",
    image: dev.spark!.image,
    serviceAccount: "spark-history",
    eventLogDir: platform.eventLogDir,
    region: "eu-west-1",
    retentionDays: 7,
    labels,
  });
  return [
    namespace("spark", labels),
    namespace("query", labels, "baseline"),
    resourceQuota("spark", labels, dev.spark!.quota),
    limitRange("spark", labels, { cpu: "16", memory: "64Gi" }),
    ...namespaceNetworkPolicies({
      namespace: "query",
      labels,
      intraNamespace: true,
      httpsEgress: true,
      egressTo: [{ name: "warehouse", cidrs: ["10.10.0.0/16"], ports: [5432] }],
      ingressFrom: [{ name: "load-balancer", podSelector: { app: "x" }, cidrs: ["10.10.0.0/16"], ports: [8080] }],
    }),
    serviceAccount({ name: "spark-sales", namespace: "spark", labels, automountToken: true }),
    sparkDriverRole("spark", labels),
    sparkDriverRoleBinding(
      "spark",
      labels,
      jobs.map((j) => `spark-${j.domain}`),
    ),
    history.deployment,
    history.service,
    loadBalancerService({
      engine: "trino",
      namespace: "query",
      labels,
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x",
      allowedCidrs: ["10.10.0.0/16"],
    }),
    loadBalancerService({ engine: "presto", namespace: "query", labels, allowedCidrs: ["10.10.0.0/16"] }),
    prestoWorkerAutoscaler("query", labels, prestoConfig),
    configMap("query-engine-kafka", "query", labels, { "client.properties": kafkaClientProperties() }),
    configMap(
      "query-engine-access-control",
      "query",
      labels,
      prestoAccessFiles({ prefix: ctx.prefix, domains: DOMAINS, catalogs: ["lake", "warehouse"] }, prestoConfig.groups),
    ),
  ];
}

describe("Kubernetes objects", () => {
  it("every plain object validates against the Kubernetes OpenAPI schemas", async () => {
    const objects = plainObjects();
    assert.ok(objects.length >= 20);
    for (const obj of objects) await validateK8s(obj);
  });

  it("the schema check catches a malformed object (the validation is real)", async () => {
    const bad = { ...namespace("spark", labels), metadata: { name: "spark", labels: { n: 1 } } };
    await assert.rejects(validateK8s(bad as never), /must be string/);
    const badPolicy = namespaceNetworkPolicies({
      namespace: "x",
      labels,
      intraNamespace: false,
      httpsEgress: false,
    })[0];
    await assert.rejects(
      validateK8s({ ...badPolicy, spec: { podSelector: {}, ingress: [{ ports: [{ port: true }] }] } } as never),
      /port must be/,
    );
  });

  it("every custom resource validates against the operators' CRD fields", () => {
    for (const job of dev.spark!.jobs) {
      assert.deepEqual(crdErrors(scheduledSparkApplication(job, platform)), [], job.name);
      assert.deepEqual(crdErrors(adHocSparkApplication(job, platform)), [], job.name);
    }
    assert.deepEqual(crdErrors(secretStore("query", "eu-west-1", labels)), []);
    assert.deepEqual(
      crdErrors(
        externalSecret("query-engine-credentials", "query", labels, [
          {
            secretKey: "WAREHOUSE_USER",
            remoteRef: { key: "arn:aws:secretsmanager:eu-west-1:1:secret:w", property: "username" },
          },
        ]),
      ),
      [],
    );
  });

  it("the CRD schemas reject fields the operator does not know", () => {
    const cr = scheduledSparkApplication(dev.spark!.jobs[0], platform);
    const typo = {
      ...cr,
      spec: { ...cr.spec, template: { ...cr.spec.template, executor: { ...cr.spec.template.executor, instance: 3 } } },
    };
    assert.match(crdErrors(typo).join("\n"), /additional properties \(instance\)/);
    const badPolicy = { ...cr, spec: { ...cr.spec, concurrencyPolicy: "Skip" } };
    assert.match(crdErrors(badPolicy).join("\n"), /allowed values/);
  });
});

describe("Spark applications", () => {
  const [sales, payroll] = dev.spark!.jobs;

  it("run as the owning domain's service account with the platform's event log", () => {
    const spec = sparkApplicationSpec(sales, platform);
    assert.equal(spec.driver.serviceAccount, "spark-sales");
    assert.equal(spec.sparkConf["spark.eventLog.dir"], platform.eventLogDir);
    assert.equal(spec.sparkConf["spark.eventLog.enabled"], "true");
    // Declared Iceberg datasets by name through the Glue catalog `lake`.
    assert.equal(spec.sparkConf["spark.sql.catalog.lake"], "org.apache.iceberg.spark.SparkCatalog");
    assert.equal(spec.sparkConf["spark.sql.catalog.lake.catalog-impl"], "org.apache.iceberg.aws.glue.GlueCatalog");
    assert.equal(spec.sparkConf["spark.sql.catalog.lake.client.region"], platform.region);
    assert.deepEqual(spec.arguments, ["--date", "{{ ds }}"]);
    assert.equal(spec.image, dev.spark!.image);
    assert.equal(spec.mainApplicationFile, "s3a://acme-code/jobs/orders.py");
    assert.equal(spec.driver.labels["data-platform/domain"], "sales");
    assert.equal(spec.restartPolicy.onFailureRetries, 2);
  });

  it("harden driver and executor pods to Pod Security restricted", () => {
    const spec = sparkApplicationSpec(payroll, platform);
    for (const pod of [spec.driver, spec.executor]) {
      assert.equal(pod.podSecurityContext.runAsNonRoot, true);
      assert.equal(pod.podSecurityContext.runAsUser, SPARK_UID);
      assert.equal(pod.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(pod.securityContext.capabilities?.drop, ["ALL"]);
      assert.equal(pod.securityContext.seccompProfile?.type, "RuntimeDefault");
    }
  });

  it("send executors, never drivers, to the dedicated spot group, and only for spot jobs", () => {
    const spot = sparkApplicationSpec(sales, platform);
    assert.deepEqual(spot.executor.nodeSelector, { "data-platform/node-group": "spark-spot" });
    assert.deepEqual(
      spot.executor.tolerations?.map((t) => t.key),
      ["data-platform/dedicated"],
    );
    assert.equal(spot.driver.nodeSelector, undefined);
    assert.equal(spot.driver.tolerations, undefined);
    assert.equal(spot.sparkConf["spark.decommission.enabled"], "true");
    const onDemand = sparkApplicationSpec(payroll, platform);
    assert.equal(onDemand.executor.tolerations, undefined);
    assert.equal(onDemand.sparkConf["spark.decommission.enabled"], undefined);
    assert.throws(() => sparkApplicationSpec(sales, { ...platform, spot: undefined }), /no spot group/);
  });

  it("schedule from config and ad hoc runs share one definition", () => {
    const scheduled = scheduledSparkApplication(payroll, platform);
    const adHoc = adHocSparkApplication(payroll, platform);
    assert.equal(scheduled.spec.schedule, "@monthly");
    assert.equal(scheduled.spec.concurrencyPolicy, "Forbid");
    assert.equal(scheduled.spec.timeZone, "UTC");
    assert.equal(scheduled.spec.template.mainClass, "com.acme.Payroll");
    assert.deepEqual(
      { ...adHoc.spec, timeToLiveSeconds: undefined },
      { ...scheduled.spec.template, timeToLiveSeconds: undefined },
    );
    assert.equal(adHoc.metadata.generateName, "payroll-monthly-adhoc-");
    assert.ok(adHoc.spec.timeToLiveSeconds! > 0);
  });
});

describe("namespace network policies", () => {
  const policies = namespaceNetworkPolicies({ namespace: "spark", labels, intraNamespace: true, httpsEgress: true });
  const byName = (n: string) => policies.find((p) => p.metadata?.name === n)!;

  it("start from deny-all in both directions", () => {
    const deny = byName("default-deny");
    assert.deepEqual(deny.spec?.podSelector, {});
    assert.deepEqual(deny.spec?.policyTypes, ["Ingress", "Egress"]);
    assert.equal(deny.spec?.ingress, undefined);
    assert.equal(deny.spec?.egress, undefined);
  });

  it("open DNS to kube-dns only, the Pod Identity agent, and HTTPS except instance metadata", () => {
    const dns = byName("allow-dns").spec!.egress![0];
    assert.deepEqual(dns.to?.[0].podSelector?.matchLabels, { "k8s-app": "kube-dns" });
    assert.deepEqual(
      dns.ports?.map((p) => `${p.protocol}/${p.port}`),
      ["UDP/53", "TCP/53"],
    );
    assert.equal(byName("allow-pod-identity-agent").spec!.egress![0].to?.[0].ipBlock?.cidr, POD_IDENTITY_AGENT);
    const https = byName("allow-https-egress").spec!.egress![0];
    assert.deepEqual(https.to?.[0].ipBlock?.except, ["169.254.169.254/32"]);
    assert.deepEqual(
      https.ports?.map((p) => p.port),
      [443],
    );
  });

  it("open nothing else unless asked", () => {
    const minimal = namespaceNetworkPolicies({ namespace: "x", labels, intraNamespace: false, httpsEgress: false });
    assert.deepEqual(
      minimal.map((p) => p.metadata?.name),
      ["default-deny", "allow-dns", "allow-pod-identity-agent"],
    );
  });
});

describe("the history server and the load balancer", () => {
  it("runs the history server read-only-root, non-root, without a service account token", () => {
    const { deployment } = historyServer({
      namespace: "spark",
      image: "img:1",
      serviceAccount: "spark-history",
      eventLogDir: "s3a://b/event-logs/",
      region: "eu-west-1",
      retentionDays: 30,
      labels,
    });
    const pod = deployment.spec!.template!.spec!;
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, "spark-history");
    const c = pod.containers![0];
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
    assert.match(
      c.env!.find((e) => e.name === "SPARK_HISTORY_OPTS")!.value!,
      /logDirectory=s3a:\/\/b\/event-logs\/ .*maxAge=30d/,
    );
  });

  it("puts BI traffic on an internal NLB, with TLS at the NLB for trino and passthrough for presto", () => {
    const trino = loadBalancerService({
      engine: "trino",
      namespace: "q",
      labels,
      certificateArn: "arn:aws:acm:eu-west-1:1:certificate/c",
      allowedCidrs: ["10.0.0.0/16"],
    });
    const a = trino.metadata!.annotations!;
    assert.equal(a["service.beta.kubernetes.io/aws-load-balancer-internal"], "true");
    assert.equal(a["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"], "arn:aws:acm:eu-west-1:1:certificate/c");
    assert.deepEqual(
      trino.spec!.ports!.map((p) => [p.port, p.targetPort]),
      [[443, 8080]],
    );
    assert.deepEqual(trino.spec!.loadBalancerSourceRanges, ["10.0.0.0/16"]);
    assert.equal(trino.spec!.selector!["app.kubernetes.io/component"], "coordinator");
    const presto = loadBalancerService({ engine: "presto", namespace: "q", labels, allowedCidrs: ["10.0.0.0/16"] });
    assert.equal(presto.metadata!.annotations!["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"], undefined);
    assert.deepEqual(
      presto.spec!.ports!.map((p) => [p.port, p.targetPort]),
      [[443, 8443]],
    );
    const devPlain = loadBalancerService({ engine: "trino", namespace: "q", labels, allowedCidrs: ["10.0.0.0/16"] });
    assert.deepEqual(
      devPlain.spec!.ports!.map((p) => p.port),
      [80],
    );
  });
});
