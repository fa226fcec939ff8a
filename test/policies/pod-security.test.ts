import { strict as assert } from "node:assert";
import { CHART_PODS, podSecurityRules } from "../../policies/rules/pod-security";
import { planned, violations } from "../support/policy";

// Token automount for chart-rendered pods and Spark drivers and executors, and the charts' defaults as the rules
// read them. Inputs are built as the program declares them; `violations` runs the rule as the policy runtime does.
const rule = (name: string) => {
  const r = podSecurityRules.find((x) => x.name === name);
  if (!r) throw new Error(name);
  return r;
};
const tokenRule = rule("k8s-pod-no-token-automount");
const restricted = rule("k8s-pod-restricted");

const ns = (name: string) =>
  planned("kubernetes:core/v1:Namespace", { metadata: { name, labels: {} } }, { name: `ns-${name}` });
const serviceAccount = (name: string, namespace: string, automount?: boolean) =>
  planned(
    "kubernetes:core/v1:ServiceAccount",
    { metadata: { name, namespace }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) },
    { name: `sa-${name}` },
  );
const release = (chart: string, version: string, values: object, namespace = "query") =>
  planned("kubernetes:helm.sh/v3:Release", { chart, version, namespace, values }, { name: `release-${chart}` });

const hardenedPod = { runAsNonRoot: true, runAsUser: 185, seccompProfile: { type: "RuntimeDefault" } };
const hardened = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
const sparkApp = (executor: object) =>
  planned(
    "kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication",
    {
      metadata: { name: "job", namespace: "spark" },
      spec: {
        image: "spark@sha256:0",
        driver: { serviceAccount: "spark-sales", podSecurityContext: hardenedPod, securityContext: hardened },
        executor: { podSecurityContext: hardenedPod, securityContext: hardened, ...executor },
      },
    },
    { name: "spark-job" },
  );

describe("pod security: service-account tokens", () => {
  const driverBinding = planned(
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    {
      metadata: { name: "spark-driver", namespace: "spark" },
      subjects: [{ kind: "ServiceAccount", name: "spark-sales", namespace: "spark" }],
    },
    { name: "driver-binding" },
  );
  const sparkNs = [ns("spark"), serviceAccount("spark-sales", "spark", true), driverBinding];
  const noToken = { template: { spec: { automountServiceAccountToken: false } } };

  it("lets the Spark driver keep its token and passes an executor whose template turns it off", async () => {
    assert.deepEqual(await violations(tokenRule, [...sparkNs, sparkApp(noToken)]), []);
  });

  it("flags an executor that inherits the driver's bound, token-mounting service account", async () => {
    assert.deepEqual(await violations(tokenRule, [...sparkNs, sparkApp({})]), [
      "spark-job: executor mounts a service-account token it does not need",
    ]);
  });

  it("flags an executor template that mounts the token explicitly", async () => {
    const found = await violations(tokenRule, [
      ...sparkNs,
      sparkApp({ template: { spec: { automountServiceAccountToken: true } } }),
    ]);
    assert.equal(found.length, 1);
  });

  it("passes an executor whose own service account does not mount a token", async () => {
    const found = await violations(tokenRule, [
      ...sparkNs,
      serviceAccount("spark-exec", "spark", false),
      sparkApp({ serviceAccount: "spark-exec" }),
    ]);
    assert.deepEqual(found, []);
  });

  const trino = (values: object) => release("trino", "1.42.2", values);
  it("passes Trino running as a declared service account that does not mount a token", async () => {
    const found = await violations(tokenRule, [
      serviceAccount("query-engine", "query", false),
      trino({ serviceAccount: { create: false, name: "query-engine" } }),
    ]);
    assert.deepEqual(found, []);
  });

  it("flags Trino on a token-mounting, a chart-created or the default service account (it never calls the API)", async () => {
    const message =
      "release-trino: coordinator mounts a service-account token it does not need; worker mounts a service-account token it does not need";
    assert.deepEqual(
      await violations(tokenRule, [
        serviceAccount("query-engine", "query", true),
        trino({ serviceAccount: { create: false, name: "query-engine" } }),
      ]),
      [message],
    );
    assert.deepEqual(await violations(tokenRule, [trino({ serviceAccount: { create: true } })]), [message]);
    assert.deepEqual(await violations(tokenRule, [trino({})]), [message]);
  });

  it("lets the operators, the autoscaler and external-secrets keep their tokens (they call the API)", async () => {
    const found = await violations(tokenRule, [
      release("cluster-autoscaler", "9.51.0", {}, "kube-system"),
      release("external-secrets", "2.9.0", {}),
      release("spark-operator", "2.5.2", {}, "spark-operator"),
    ]);
    assert.deepEqual(found, []);
    for (const [key, model] of Object.entries(CHART_PODS))
      for (const pod of model.pods)
        assert.ok(pod.callsApi || pod.serviceAccount, `${key} ${pod.name}: says whether it calls the API`);
  });
});

describe("pod security: the pinned charts' defaults", () => {
  it("cluster-autoscaler 9.51.0 ships empty security contexts: values must set them", async () => {
    const found = await violations(restricted, release("cluster-autoscaler", "9.51.0", {}, "kube-system"));
    assert.equal(found.length, 1);
    assert.match(found[0], /autoscaler may run as root; autoscaler does not forbid privilege escalation/);
  });

  it("spark-operator 2.5.2 hardens its containers but leaves the user to the pod: runAsUser 0 is still refused", async () => {
    assert.deepEqual(await violations(restricted, release("spark-operator", "2.5.2", {})), []);
    const root = { podSecurityContext: { runAsUser: 0 } };
    const found = await violations(restricted, release("spark-operator", "2.5.2", { controller: root }));
    assert.deepEqual(found, ["release-spark-operator: controller may run as root"]);
  });

  it("external-secrets 2.9.0 renders no security context when `enabled` is false", async () => {
    assert.deepEqual(await violations(restricted, release("external-secrets", "2.9.0", {})), []);
    const found = await violations(
      restricted,
      release("external-secrets", "2.9.0", { webhook: { securityContext: { enabled: false } } }),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /^release-external-secrets: webhook may run as root; webhook does not forbid/);
  });

  it("presto 0.4.0 renders a pod context (per role, else common) and no container context: it cannot be restricted", async () => {
    const pod = { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } };
    const found = await violations(restricted, release("presto", "0.4.0", { securityContext: pod }));
    assert.deepEqual(found, [
      "release-presto: coordinator does not forbid privilege escalation; coordinator does not drop all capabilities; " +
        "worker does not forbid privilege escalation; worker does not drop all capabilities",
    ]);
    const rootWorker = await violations(
      restricted,
      release("presto", "0.4.0", { securityContext: pod, worker: { securityContext: { runAsUser: 0 } } }),
    );
    assert.match(rootWorker[0], /worker may run as root/, "the worker's own context replaces the common one");
    assert.doesNotMatch(rootWorker[0], /coordinator may run as root/);
  });
});
