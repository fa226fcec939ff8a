// Pod security for every pod the platform runs: its own workloads, Spark drivers and executors, and the pods Helm
// charts render. Chart pods are judged from the values the platform passes over the pinned chart's defaults (the
// security-relevant part of each chart's values.yaml, below), so a chart default that changes is a reviewed change.
// Sources: Kubernetes Pod Security Standard "restricted"; Checkov CKV_K8S_20/22/23/28/30/37/38/11-13/40.
import type { PolicyResource } from "@pulumi/policy";
import { PlatformRule, SECURITY, stackRule } from "./define";
import { containersOf, get, K8S, Obj, objs, platformWorkloads, WORKLOAD_TYPES } from "./kubernetes";
import { list } from "./util";
import { stackIndex } from "./stack-index";

/** One pod a chart renders: where its values keep the pod and container security contexts and the resources. */
interface ChartPod {
  readonly name: string;
  /** Values path of the pod security context; the first of several that is set wins (a per-role one, then common). */
  readonly pod: string | readonly string[];
  /** Values path of the container security context; none when the chart renders no container context. */
  readonly container?: string;
  readonly resources: string;
  /** Why the image needs a writable root filesystem, when it does. */
  readonly writableRoot?: string;
  /** What the pod does with the Kubernetes API (read from the chart's RBAC): then it keeps its token. */
  readonly callsApi?: string;
  /** Values path of the service account the pod runs as, when the chart does not create it (`create` is false). */
  readonly serviceAccount?: { readonly create: string; readonly name: string };
}

interface ChartModel {
  readonly pods: readonly ChartPod[];
  /** The pinned version's defaults at those paths (values.yaml of that version). */
  readonly defaults: Obj;
  /** Pods that grow with load (a query engine), not a fixed-size operator: its namespace needs a quota. */
  readonly scalesWithLoad?: boolean;
}

const ESO_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  enabled: true,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: { type: "RuntimeDefault" },
};
const SPARK_OPERATOR_CONTAINER = {
  readOnlyRootFilesystem: true,
  privileged: false,
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Chart name@version → its pods, with the defaults of values.yaml at the chart's release tag (cluster-autoscaler:
 * `cluster-autoscaler-chart-9.51.0` in kubernetes/autoscaler; external-secrets: `helm-chart-2.9.0`; spark-operator:
 * `v2.5.2` in kubeflow/spark-operator; trino: `trino-1.42.2` in trinodb/charts; presto: `presto-0.4.0` in
 * prestodb/presto-helm-charts). A release of a chart not listed here is a finding: nobody has read its defaults.
 */
export const CHART_PODS: Readonly<Record<string, ChartModel>> = {
  "cluster-autoscaler@9.51.0": {
    pods: [
      {
        name: "autoscaler",
        pod: "securityContext",
        container: "containerSecurityContext",
        resources: "resources",
        callsApi: "watches pods and nodes to plan scaling, and cordons and drains nodes it removes",
      },
    ],
    // The chart ships empty security contexts (its hardened ones are comments) and renders none when empty.
    defaults: { securityContext: {}, containerSecurityContext: {}, resources: {} },
  },
  "external-secrets@2.9.0": {
    pods: [
      ["", "controller", "reads ExternalSecrets and SecretStores and writes the Secrets they describe"],
      ["webhook.", "webhook", "reads its serving certificate Secret and the stores it validates"],
      ["certController.", "certController", "writes the CA bundle into the CRDs and webhook configurations"],
    ].map(([p, name, callsApi]) => ({
      name,
      pod: `${p}podSecurityContext`,
      container: `${p}securityContext`,
      resources: `${p}resources`,
      callsApi,
    })),
    defaults: {
      podSecurityContext: { enabled: true },
      securityContext: ESO_CONTAINER,
      resources: {},
      webhook: { podSecurityContext: { enabled: true }, securityContext: ESO_CONTAINER, resources: {} },
      certController: { podSecurityContext: { enabled: true }, securityContext: ESO_CONTAINER, resources: {} },
    },
  },
  "spark-operator@2.5.2": {
    pods: [
      ["controller", "watches SparkApplications and creates drivers, services and ingresses for them"],
      ["webhook", "reads the SparkApplication of each Spark pod it mutates and manages its certificate"],
    ].map(([p, callsApi]) => ({
      name: p,
      pod: `${p}.podSecurityContext`,
      container: `${p}.securityContext`,
      resources: `${p}.resources`,
      callsApi,
    })),
    defaults: {
      controller: { podSecurityContext: { fsGroup: 185 }, securityContext: SPARK_OPERATOR_CONTAINER, resources: {} },
      webhook: { podSecurityContext: { fsGroup: 185 }, securityContext: SPARK_OPERATOR_CONTAINER, resources: {} },
    },
  },
  "trino@1.42.2": {
    scalesWithLoad: true,
    pods: ["coordinator", "worker"].map((p) => ({
      name: p,
      pod: "securityContext",
      container: "containerSecurityContext",
      resources: `${p}.resources`,
      writableRoot: "Trino writes its data directory and spill files under the image's root filesystem",
      // The pods set no automountServiceAccountToken and the chart's own service account none either: the token
      // is the service account's to turn off.
      serviceAccount: { create: "serviceAccount.create", name: "serviceAccount.name" },
    })),
    defaults: {
      securityContext: { runAsUser: 1000, runAsGroup: 1000 },
      containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      coordinator: { resources: {} },
      worker: { resources: {} },
      serviceAccount: { create: false, name: "" },
    },
  },
  // The deployments render `coordinator.securityContext` (or `worker.…`) or else the common `securityContext` at
  // pod level, and no container security context at all: privilege escalation and capabilities cannot be set, so
  // presto cannot meet the restricted standard (the config refuses it where that is mandatory).
  "presto@0.4.0": {
    scalesWithLoad: true,
    pods: ["coordinator", "worker"].map((p) => ({
      name: p,
      pod: [`${p}.securityContext`, "securityContext"],
      resources: `${p}.resources`,
      writableRoot: "Presto writes its data directory under the image's root filesystem",
      serviceAccount: { create: "serviceAccount.create", name: "serviceAccount.name" },
    })),
    defaults: {
      securityContext: {},
      coordinator: { securityContext: {}, resources: {} },
      worker: { securityContext: {}, resources: {} },
      serviceAccount: { create: true, name: null },
    },
  },
};

const at = (o: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((cur, k) => (cur && typeof cur === "object" ? (cur as Obj)[k] : undefined), o);

/** The value at the first path that holds a non-empty one (Helm's `or` over the chart's values), else the last's. */
function firstSet(values: unknown, paths: string | readonly string[]): unknown {
  const all = typeof paths === "string" ? [paths] : paths;
  const set = all.map((p) => at(values, p)).find((v) => v && (typeof v !== "object" || Object.keys(v).length > 0));
  return set ?? at(values, all[all.length - 1]);
}

/** Helm's merge: maps merge key by key, everything else (lists included) is replaced. */
function merged(defaults: unknown, values: unknown): unknown {
  if (values === undefined || values === null) return defaults;
  if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) return values;
  if (typeof values !== "object" || Array.isArray(values)) return values;
  const out: Obj = { ...(defaults as Obj) };
  for (const [k, v] of Object.entries(values as Obj)) out[k] = merged((defaults as Obj)[k], v);
  return out;
}

/** A security context as the chart renders it: external-secrets renders none when its `enabled` is false. */
function context(v: unknown): unknown {
  if (!v || typeof v !== "object") return v;
  const { enabled, ...rest } = v as Obj;
  return enabled === false ? undefined : "enabled" in (v as Obj) ? rest : v;
}

/** A chart's pods as pod specs (the same shape the workload checks read). */
function chartPods(release: PolicyResource): { pods: Obj[]; problem?: string } {
  const key = `${String(release.props.chart)}@${String(release.props.version)}`;
  const model = CHART_PODS[key];
  if (!model) return { pods: [], problem: `chart ${key} has no pod-security model: read its values.yaml and add it` };
  const values = merged(model.defaults, get(release.props, "values"));
  const pods = model.pods.map((p) => ({
    name: p.name,
    securityContext: context(firstSet(values, p.pod)),
    writableRoot: p.writableRoot,
    callsApi: p.callsApi,
    // A service account the chart creates itself carries no automount setting in these charts: the token mounts.
    serviceAccountName:
      p.serviceAccount && !flag(at(values, p.serviceAccount.create))
        ? at(values, p.serviceAccount.name) || "default"
        : undefined,
    chartServiceAccount: p.serviceAccount ? flag(at(values, p.serviceAccount.create)) : undefined,
    containers: [
      {
        name: p.name,
        securityContext: p.container === undefined ? undefined : context(at(values, p.container)),
        resources: at(values, p.resources),
      },
    ],
  }));
  return { pods };
}

/** Every pod of the stack the platform runs, with the resource that declares it. */
function everyPod(resources: readonly PolicyResource[]): { resource: PolicyResource; pods: Obj[]; problem?: string }[] {
  return [
    ...platformWorkloads(resources),
    ...stackIndex(resources)
      .ofType(K8S.helmRelease)
      .map((r) => ({ resource: r, ...chartPods(r) })),
  ];
}

const flag = (v: unknown) => v === true || v === "true";

/** The restricted Pod Security Standard's container checks (with pod-level inheritance). */
export function restrictedFindings(pod: Obj): string[] {
  const found: string[] = [];
  const podSc = get(pod, "securityContext");
  for (const c of containersOf(pod)) {
    const sc = get(c, "securityContext");
    const name = String(c.name ?? "container");
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    const uid = sc.runAsUser ?? podSc.runAsUser;
    if (!flag(nonRoot) || uid === 0) found.push(`${name} may run as root`);
    if (sc.allowPrivilegeEscalation !== false) found.push(`${name} does not forbid privilege escalation`);
    if (flag(sc.privileged)) found.push(`${name} is privileged`);
    const seccomp = get(sc, "seccompProfile").type ?? get(podSc, "seccompProfile").type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
      found.push(`${name} has no RuntimeDefault seccomp profile`);
    const drop = list(get(sc, "capabilities").drop as string | string[] | undefined).map((x) =>
      String(x).toUpperCase(),
    );
    if (!drop.includes("ALL")) found.push(`${name} does not drop all capabilities`);
  }
  return found;
}

function podRule(def: {
  name: string;
  description: string;
  remediation: string;
  check: (pod: Obj, resource: PolicyResource, all: readonly PolicyResource[]) => string[];
}): PlatformRule {
  return stackRule({
    name: def.name,
    description: def.description,
    remediation: def.remediation,
    group: "security",
    resourceTypes: [K8S.namespace, K8S.helmRelease, ...WORKLOAD_TYPES],
    enforcement: SECURITY,
    validate(resources, report) {
      for (const w of everyPod(resources)) {
        if (w.problem) report(w.problem, w.resource.urn);
        const findings = [...new Set(w.pods.flatMap((p) => def.check(p, w.resource, resources)))];
        if (findings.length > 0) report(`${w.resource.name}: ${findings.join("; ")}`, w.resource.urn);
      }
    },
  });
}

/** The namespace a pod runs in: a workload's metadata, a release's `namespace`. */
const namespaceOf = (r: PolicyResource): unknown =>
  r.type === K8S.helmRelease ? r.props.namespace : get(r.props, "metadata").namespace;

/**
 * Whether a RoleBinding in the pod's namespace binds its service account: then it calls the Kubernetes API. Not for
 * Spark executors, which share the driver's bound service account but never call the API themselves.
 */
function boundToRole(pod: Obj, r: PolicyResource, all: readonly PolicyResource[]): boolean {
  const ns = namespaceOf(r);
  const sa = pod.serviceAccountName ?? pod.serviceAccount ?? "default";
  return all.some(
    (b) =>
      /rbac.authorization.k8s.io\/v1:(Role|ClusterRole)Binding$/.test(b.type) &&
      objs(b.props.subjects).some((s) => s.kind === "ServiceAccount" && s.name === sa && (s.namespace ?? ns) === ns),
  );
}

/**
 * Whether Kubernetes mounts a token into the pod: the pod's automountServiceAccountToken wins, else its service
 * account's (one the plan declares in that namespace), else it does. A service account the chart creates, or one
 * the plan does not declare, is taken to mount it.
 */
export function mountsToken(pod: Obj, r: PolicyResource, all: readonly PolicyResource[]): boolean {
  if (pod.automountServiceAccountToken !== undefined) return flag(pod.automountServiceAccountToken);
  if (pod.chartServiceAccount === true) return true;
  const ns = namespaceOf(r);
  const name = pod.serviceAccountName ?? pod.serviceAccount ?? "default";
  const sa = all.find(
    (s) =>
      s.type === "kubernetes:core/v1:ServiceAccount" &&
      get(s.props, "metadata").name === name &&
      get(s.props, "metadata").namespace === ns,
  );
  return sa?.props.automountServiceAccountToken === undefined ? true : flag(sa.props.automountServiceAccountToken);
}

export const podSecurityRules: PlatformRule[] = [
  podRule({
    name: "k8s-pod-restricted",
    description:
      "Every pod the platform runs (its own, Spark drivers and executors, chart-rendered) meets the restricted Pod Security Standard: non-root, no privilege escalation, RuntimeDefault seccomp, all capabilities dropped.",
    remediation:
      "Use restrictedPodSecurity()/restrictedContainerSecurity() (components/compute/k8s.ts) in pod specs and in chart values.",
    check: restrictedFindings,
  }),
  podRule({
    name: "k8s-pod-read-only-root",
    description:
      "Containers run with a read-only root filesystem (writable paths are emptyDir volumes), except where the image needs it (Spark's work directories, Trino's data directory).",
    remediation: "Set readOnlyRootFilesystem: true and mount an emptyDir where the process writes.",
    check: (pod) =>
      pod.spark || pod.writableRoot
        ? []
        : containersOf(pod)
            .filter((c) => !flag(get(c, "securityContext").readOnlyRootFilesystem))
            .map((c) => `${String(c.name ?? "container")} has a writable root filesystem`),
  }),
  podRule({
    name: "k8s-pod-limits",
    description:
      "Every container has a memory limit (requests size scheduling; a limit stops one pod starving its node).",
    remediation: "Set resources.limits.memory (and requests) in the pod spec or the chart's values.",
    check: (pod) =>
      containersOf(pod)
        .filter((c) => get(get(c, "resources"), "limits").memory === undefined)
        .map((c) => `${String(c.name ?? "container")} has no memory limit`),
  }),
  podRule({
    name: "k8s-pod-no-token-automount",
    description:
      "Only pods that call the Kubernetes API mount a service-account token: the operators, the autoscaler, external-secrets and Spark drivers (which create their executors); Spark executors, query engines and the platform's own pods do not.",
    remediation:
      "Set automountServiceAccountToken: false on the pod spec or its service account (for Spark executors, in the executor's pod template); a pod that calls the API gets a RoleBinding for its service account.",
    check: (pod, r, all) =>
      pod.callsApi || (!pod.spark && boundToRole(pod, r, all)) || !mountsToken(pod, r, all)
        ? []
        : [`${String(pod.spark ?? pod.name ?? "the pod")} mounts a service-account token it does not need`],
  }),
  stackRule({
    name: "k8s-namespace-quota",
    description:
      "Every platform namespace that runs jobs or a query engine (pods that grow with load) has a ResourceQuota, so one job cannot take the whole cluster.",
    remediation:
      "Declare a ResourceQuota (and LimitRange) in the namespace (namespace() in components/compute/k8s.ts).",
    group: "reliability",
    resourceTypes: [K8S.namespace, "kubernetes:core/v1:ResourceQuota", K8S.helmRelease, ...WORKLOAD_TYPES],
    enforcement: SECURITY,
    validate(resources, report) {
      const quotas = new Set(
        resources
          .filter((r) => r.type === "kubernetes:core/v1:ResourceQuota")
          .map((r) => get(r.props, "metadata").namespace),
      );
      const used = new Set([
        ...platformWorkloads(resources).map((w) => get(w.resource.props, "metadata").namespace),
        ...resources
          .filter(
            (r) =>
              r.type === K8S.helmRelease &&
              CHART_PODS[`${String(r.props.chart)}@${String(r.props.version)}`]?.scalesWithLoad,
          )
          .map((r) => r.props.namespace),
      ]);
      for (const ns of stackIndex(resources).ofType(K8S.namespace)) {
        const name = get(ns.props, "metadata").name;
        if (used.has(name) && !quotas.has(name))
          report(`namespace '${String(name)}' runs workloads without a ResourceQuota`, ns.urn);
      }
    },
  }),
];
