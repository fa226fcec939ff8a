import { strict as assert } from "node:assert";
import type { PlannedResource } from "../../policies/engine/args";
import type { PlatformRule } from "../../policies/rules/define";
import { K8S, kubernetesRules } from "../../policies/rules/kubernetes";
import { planned, violations } from "../support/policy";
import { clusterSecurityArgs } from "../../components/compute/eks";
import { historyServer, scheduledSparkApplication, sparkOperatorValues } from "../../components/compute/spark";
import { namespace, namespaceNetworkPolicies } from "../../components/compute/k8s";
import { resolved, sampleCompute } from "./support";

const rule = (name: string): PlatformRule => {
  const r = kubernetesRules.find((x) => x.name === name);
  assert.ok(r, name);
  return r;
};

// A cluster exactly as KubernetesCluster declares it (the same pure function builds both).
const security = clusterSecurityArgs(
  { endpointPublicAccess: false, publicAccessCidrs: [] },
  "arn:aws:kms:eu-west-1:123456789012:key/k",
);
const goodCluster = {
  name: "acme-data-prod-eks",
  vpcConfig: { subnetIds: ["subnet-1", "subnet-2"], ...security.endpoint },
  accessConfig: security.accessConfig,
  encryptionConfig: security.encryptionConfig,
  enabledClusterLogTypes: security.enabledClusterLogTypes,
};
const cluster = (patch: Record<string, unknown>) => planned(K8S.cluster, { ...goodCluster, ...patch });

const labels = { "app.kubernetes.io/part-of": "acme-data-prod" };
const ns = (name: string) => planned(K8S.namespace, namespace(name, labels) as unknown as Record<string, unknown>);
const policies = (name: string) =>
  namespaceNetworkPolicies({ namespace: name, labels, intraNamespace: true, httpsEgress: true }).map((p) =>
    planned(K8S.networkPolicy, p as unknown as Record<string, unknown>),
  );
const job = resolved(sampleCompute(), "prod").spark!.jobs[0];
const sparkCr = (patch: (spec: Record<string, unknown>) => void = () => undefined) => {
  const cr = structuredClone(
    scheduledSparkApplication(job, {
      namespace: "spark",
      region: "eu-west-1",
      eventLogDir: "s3a://b/event-logs/",
      labels,
    }),
  ) as unknown as { metadata: object; spec: { template: Record<string, unknown> } };
  patch(cr.spec.template);
  return planned("kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication", {
    apiVersion: "sparkoperator.k8s.io/v1beta2",
    kind: "ScheduledSparkApplication",
    ...cr,
  });
};
const deployment = (patch: (pod: Record<string, unknown>) => void = () => undefined, namespaceName = "spark") => {
  const { deployment: d } = historyServer({
    namespace: namespaceName,
    image: "apache/spark:3.5.6",
    serviceAccount: "spark-history",
    eventLogDir: "s3a://b/e/",
    region: "eu-west-1",
    retentionDays: 7,
    labels,
  });
  const copy = structuredClone(d) as unknown as { spec: { template: { spec: Record<string, unknown> } } };
  patch(copy.spec.template.spec);
  return planned("kubernetes:apps/v1:Deployment", copy as unknown as Record<string, unknown>);
};
const containers = (pod: Record<string, unknown>) => pod.containers as Record<string, unknown>[];

describe("kubernetes rules: EKS", () => {
  it("eks-endpoint-not-public passes a private endpoint and flags a public or unset one", async () => {
    assert.deepEqual(await violations(rule("eks-endpoint-not-public"), cluster({})), []);
    assert.match(
      (
        await violations(
          rule("eks-endpoint-not-public"),
          cluster({
            vpcConfig: {
              subnetIds: [],
              endpointPrivateAccess: true,
              endpointPublicAccess: true,
              publicAccessCidrs: ["203.0.113.0/24"],
            },
          }),
        )
      )[0],
      /reachable from the internet/,
    );
    assert.equal(
      (await violations(rule("eks-endpoint-not-public"), cluster({ vpcConfig: { subnetIds: [] } }))).length,
      2,
      "AWS defaults: public on, private off",
    );
    assert.deepEqual(rule("eks-endpoint-not-public").meta.enforcement, {
      dev: "advisory",
      staging: "advisory",
      prod: "mandatory",
    });
  });

  it("eks-public-endpoint-restricted passes listed CIDRs and flags 0.0.0.0/0 or none", async () => {
    const pub = (cidrs?: string[]) =>
      cluster({
        vpcConfig: {
          subnetIds: [],
          endpointPrivateAccess: true,
          endpointPublicAccess: true,
          ...(cidrs ? { publicAccessCidrs: cidrs } : {}),
        },
      });
    assert.deepEqual(await violations(rule("eks-public-endpoint-restricted"), pub(["203.0.113.0/24"])), []);
    assert.deepEqual(await violations(rule("eks-public-endpoint-restricted"), cluster({})), []);
    assert.equal((await violations(rule("eks-public-endpoint-restricted"), pub(["0.0.0.0/0"]))).length, 1);
    assert.equal((await violations(rule("eks-public-endpoint-restricted"), pub())).length, 1);
  });

  it("eks-secrets-encryption passes KMS envelope encryption and flags its absence", async () => {
    assert.deepEqual(await violations(rule("eks-secrets-encryption"), cluster({})), []);
    assert.match(
      (await violations(rule("eks-secrets-encryption"), cluster({ encryptionConfig: undefined })))[0],
      /not envelope-encrypted/,
    );
    assert.match(
      (
        await violations(
          rule("eks-secrets-encryption"),
          cluster({ encryptionConfig: { resources: ["secrets"], provider: {} } }),
        )
      )[0],
      /no KMS key/,
    );
  });

  it("eks-control-plane-logging passes api+audit+authenticator and names what is missing", async () => {
    assert.deepEqual(await violations(rule("eks-control-plane-logging"), cluster({})), []);
    assert.deepEqual(
      await violations(rule("eks-control-plane-logging"), cluster({ enabledClusterLogTypes: ["api"] })),
      ["control-plane log types missing: audit, authenticator"],
    );
  });

  it("eks-access-entries passes API mode and flags the ConfigMap modes", async () => {
    assert.deepEqual(await violations(rule("eks-access-entries"), cluster({})), []);
    assert.equal(
      (
        await violations(
          rule("eks-access-entries"),
          cluster({ accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } }),
        )
      ).length,
      1,
    );
    assert.equal((await violations(rule("eks-access-entries"), cluster({ accessConfig: undefined }))).length, 1);
  });
});

describe("kubernetes rules: workloads in platform namespaces", () => {
  it("k8s-no-privileged-pods passes the platform's own workloads and flags privilege in pods and Spark apps", async () => {
    const r = rule("k8s-no-privileged-pods");
    assert.deepEqual(await violations(r, [ns("spark"), deployment(), sparkCr()]), []);
    const privileged = deployment((pod) => {
      containers(pod)[0].securityContext = {
        privileged: true,
        allowPrivilegeEscalation: true,
        capabilities: { add: ["SYS_ADMIN"] },
      };
      pod.hostNetwork = true;
    });
    const [msg] = await violations(r, [ns("spark"), privileged]);
    assert.match(
      msg,
      /hostNetwork is true; history-server is privileged; history-server allows privilege escalation; history-server adds SYS_ADMIN/,
    );
    const sparkHost = sparkCr((t) => ((t.executor as Record<string, unknown>).hostNetwork = true));
    assert.equal((await violations(r, [ns("spark"), sparkHost])).length, 1);
  });

  it("k8s-no-host-path flags a hostPath volume in a Deployment and in a Spark application", async () => {
    const r = rule("k8s-no-host-path");
    assert.deepEqual(await violations(r, [ns("spark"), deployment(), sparkCr()]), []);
    const hostPath = deployment((pod) =>
      (pod.volumes as unknown[]).push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } }),
    );
    assert.deepEqual(await violations(r, [ns("spark"), hostPath]), [
      "Deployment 'spark-history-server': volume 'docker' mounts host path /var/run/docker.sock",
    ]);
    assert.equal(
      (await violations(r, [ns("spark"), sparkCr((t) => (t.volumes = [{ name: "h", hostPath: { path: "/" } }]))]))
        .length,
      1,
    );
  });

  it("k8s-no-latest-image flags latest and untagged images, including init containers and Spark overrides", async () => {
    const r = rule("k8s-no-latest-image");
    assert.deepEqual(await violations(r, [ns("spark"), deployment(), sparkCr()]), []);
    const latest = deployment((pod) => (pod.initContainers = [{ name: "fetch", image: "busybox" }]));
    assert.deepEqual(await violations(r, [ns("spark"), latest]), [
      "Deployment 'spark-history-server': container 'fetch' runs unpinned image 'busybox'",
    ]);
    assert.equal(
      (
        await violations(r, [
          ns("spark"),
          sparkCr((t) => ((t.driver as Record<string, unknown>).image = "spark:latest")),
        ])
      ).length,
      1,
    );
  });

  it("workload rules judge only the namespaces the stack creates", async () => {
    const elsewhere = deployment((pod) => (containers(pod)[0].securityContext = { privileged: true }), "kube-system");
    assert.deepEqual(await violations(rule("k8s-no-privileged-pods"), [ns("spark"), elsewhere]), []);
  });

  it("k8s-namespace-guardrails requires restricted Pod Security and a default-deny policy", async () => {
    const r = rule("k8s-namespace-guardrails");
    assert.deepEqual(await violations(r, [ns("spark"), ...policies("spark")]), []);
    assert.match((await violations(r, [ns("spark")]))[0], /no default-deny NetworkPolicy/);
    const open = planned(K8S.namespace, { metadata: { name: "open", labels } });
    const found = await violations(r, [open, ...policies("open")]);
    assert.deepEqual(found, [
      "namespace 'open' does not enforce restricted Pod Security (pod-security.kubernetes.io/enforce is unset)",
    ]);
    const baseline = planned(K8S.namespace, {
      metadata: { name: "base", labels: { ...labels, "pod-security.kubernetes.io/enforce": "baseline" } },
    });
    assert.deepEqual(await violations(r, [baseline, ...policies("base")]), [
      "namespace 'base' does not enforce restricted Pod Security (pod-security.kubernetes.io/enforce is baseline)",
    ]);
    // A policy that allows something is not a default deny.
    const allowAll = planned(K8S.networkPolicy, {
      metadata: { name: "allow-all", namespace: "spark" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] },
    });
    assert.equal((await violations(r, [ns("spark"), allowAll])).length, 1);
  });
});

describe("kubernetes rules: Helm and pod identities", () => {
  const release = (patch: Record<string, unknown>) =>
    planned(K8S.helmRelease, {
      chart: "spark-operator",
      version: "2.5.2",
      repositoryOpts: { repo: "https://kubeflow.github.io/spark-operator" },
      values: sparkOperatorValues({ jobNamespace: "spark", highAvailability: false }),
      ...patch,
    });

  it("helm-chart-version-pinned passes an exact version from https and flags ranges, gaps and latest images", async () => {
    const r = rule("helm-chart-version-pinned");
    assert.deepEqual(await violations(r, release({})), []);
    assert.deepEqual(await violations(r, release({ version: "2.5.0-rc.0" })), []);
    assert.match((await violations(r, release({ version: "^2.5.0" })))[0], /not an exact version/);
    assert.match((await violations(r, release({ version: undefined })))[0], /unpinned/);
    assert.match((await violations(r, release({ repositoryOpts: { repo: "http://charts.example" } })))[0], /not https/);
    assert.match((await violations(r, release({ repositoryOpts: undefined })))[0], /no chart repository/);
    assert.match((await violations(r, release({ values: { image: { tag: "latest" } } })))[0], /latest/);
  });

  const BOUNDARY = "arn:aws:iam::123456789012:policy/acme-data-prod-permissions-boundary";
  const podTrust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
    ],
  });
  const role = (trust: string, boundary?: string, name?: string) =>
    planned(
      "aws:iam/role:Role",
      { assumeRolePolicy: trust, ...(boundary ? { permissionsBoundary: boundary } : {}) },
      name ? { name } : {},
    );
  const association = (dependsOn: PlannedResource[]) =>
    planned(
      K8S.podIdentity,
      {
        clusterName: "c",
        namespace: "spark",
        serviceAccount: "spark-sales",
        roleArn: "arn:aws:iam::123456789012:role/x",
      },
      { dependencies: dependsOn.map((d) => d.urn) },
    );

  it("k8s-pod-identity-boundary passes bounded pod roles and flags associations with unbounded or undeclared roles", async () => {
    const r = rule("k8s-pod-identity-boundary");
    const good = role(podTrust, BOUNDARY);
    assert.deepEqual(await violations(r, [good, association([good])]), []);
    const bad = role(podTrust, undefined, "unbounded");
    const found = await violations(r, [bad, association([bad])]);
    assert.equal(found.length, 1, "the role itself is iam-role-permissions-boundary's finding");
    assert.match(found[0], /uses role 'unbounded', which has no permissions boundary/);
    assert.match((await violations(r, [association([])]))[0], /not declared in this stack/);
  });

  it("every rule carries catalogue metadata and only judges its declared types", async () => {
    for (const r of kubernetesRules) {
      assert.ok(r.meta.remediation.length > 10, r.name);
      assert.ok(r.meta.resourceTypes.length > 0, r.name);
      assert.deepEqual(await violations(r, planned("aws:s3/bucket:Bucket", { bucket: "x" })), [], r.name);
    }
    assert.equal(new Set(kubernetesRules.map((r) => r.name)).size, kubernetesRules.length);
  });
});
