import type { PolicyResource } from "@pulumi/policy";
import { isPinnedImage } from "../../components/compute/images";
import { ALWAYS, PlatformRule, resourceRule, SECURITY, stackRule } from "./define";
import { list } from "./util";
import { stackIndex } from "./stack-index";

// EKS, Kubernetes workloads and Helm releases. Workload rules judge what the program declares in the namespaces it
// creates (Pod Security `restricted` enforces the same in the cluster for what Helm charts render).

export const K8S = {
  cluster: "aws:eks/cluster:Cluster",
  podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  role: "aws:iam/role:Role",
  namespace: "kubernetes:core/v1:Namespace",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  helmRelease: "kubernetes:helm.sh/v3:Release",
  helmChart: "kubernetes:helm.sh/v4:Chart",
} as const;

/** Where each workload kind keeps its pod spec(s). */
const POD_SPECS: Record<string, (spec: Obj) => Obj[]> = {
  "kubernetes:core/v1:Pod": (s) => [s],
  "kubernetes:apps/v1:Deployment": (s) => [get(s, "template", "spec")],
  "kubernetes:apps/v1:StatefulSet": (s) => [get(s, "template", "spec")],
  "kubernetes:apps/v1:DaemonSet": (s) => [get(s, "template", "spec")],
  "kubernetes:apps/v1:ReplicaSet": (s) => [get(s, "template", "spec")],
  "kubernetes:batch/v1:Job": (s) => [get(s, "template", "spec")],
  "kubernetes:batch/v1:CronJob": (s) => [get(s, "jobTemplate", "spec", "template", "spec")],
  "kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication": (s) => sparkPods(s),
  "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication": (s) => sparkPods(get(s, "template")),
};
export const WORKLOAD_TYPES = Object.keys(POD_SPECS);

export type Obj = Record<string, unknown>;
export function get(o: unknown, ...path: string[]): Obj {
  let cur: unknown = o;
  for (const key of path) cur = cur && typeof cur === "object" ? (cur as Obj)[key] : undefined;
  return cur && typeof cur === "object" ? (cur as Obj) : {};
}
export const objs = (v: unknown): Obj[] => list(v as Obj | Obj[] | undefined).filter((x) => x && typeof x === "object");

/**
 * A SparkApplication as pod-like views: the application (image, volumes) and its driver and executor (security
 * contexts, host network, their own images and sidecars), so the same checks apply to Spark as to any pod.
 */
function sparkPods(app: Obj): Obj[] {
  const driver = get(app, "driver");
  const pod = (role: Obj, defaultImage: unknown) => ({
    hostNetwork: role.hostNetwork,
    // Executors run as the driver's service account unless given their own (Spark's fallback); a pod template's
    // automountServiceAccountToken reaches the pod (Spark builds the pod from the template).
    serviceAccountName: role.serviceAccount ?? driver.serviceAccount,
    automountServiceAccountToken: get(role, "template", "spec").automountServiceAccountToken,
    securityContext: role.podSecurityContext,
    volumes: app.volumes,
    containers: [
      {
        name: "spark",
        image: role.image ?? defaultImage,
        securityContext: role.securityContext,
        // The operator turns the role's memory into the container's memory limit.
        resources: role.memory === undefined ? undefined : { limits: { memory: role.memory } },
      },
      ...objs(role.sidecars),
    ],
    initContainers: objs(role.initContainers),
  });
  return [
    // The driver creates, watches and deletes its executor pods through the Kubernetes API: it needs its token.
    { ...pod(driver, app.image), spark: "driver", callsApi: "the driver creates and watches its executor pods" },
    { ...pod(get(app, "executor"), app.image), spark: "executor" },
  ];
}

export interface Workload {
  readonly resource: PolicyResource;
  readonly pods: Obj[];
}

/** Workloads declared in namespaces the stack itself creates. */
export function platformWorkloads(resources: readonly PolicyResource[]): Workload[] {
  const namespaces = new Set(
    resources
      .filter((r) => r.type === K8S.namespace)
      .map((r) => get(r.props, "metadata").name)
      .filter((n): n is string => typeof n === "string"),
  );
  return resources
    .filter((r) => POD_SPECS[r.type] && namespaces.has(String(get(r.props, "metadata").namespace)))
    .map((r) => ({ resource: r, pods: POD_SPECS[r.type](get(r.props, "spec")) }));
}

export const containersOf = (pod: Obj): Obj[] => [
  ...objs(pod.containers),
  ...objs(pod.initContainers),
  ...objs(pod.ephemeralContainers),
];
const DANGEROUS_CAPABILITIES = ["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "NET_RAW", "BPF"];

/** Every reason a pod spec is privileged: the flags and host namespaces Pod Security `baseline` forbids. */
export function privilegeFindings(pod: Obj): string[] {
  const found: string[] = [];
  for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[ns] === true) found.push(`${ns} is true`);
  for (const c of containersOf(pod)) {
    const sc = get(c, "securityContext");
    const name = String(c.name ?? "container");
    if (sc.privileged === true) found.push(`${name} is privileged`);
    if (sc.allowPrivilegeEscalation === true) found.push(`${name} allows privilege escalation`);
    const added = list(get(sc, "capabilities").add as string | string[] | undefined).filter((cap) =>
      DANGEROUS_CAPABILITIES.includes(String(cap).toUpperCase()),
    );
    if (added.length > 0) found.push(`${name} adds ${added.join(", ")}`);
  }
  return found;
}

const describe = (r: PolicyResource) =>
  `${r.type.split(":").pop()} '${String(get(r.props, "metadata").name ?? r.name)}'`;

export function workloadRule(def: {
  name: string;
  description: string;
  remediation: string;
  check: (pod: Obj) => string[];
}): PlatformRule {
  return stackRule({
    name: def.name,
    description: def.description,
    remediation: def.remediation,
    group: "security",
    resourceTypes: [K8S.namespace, ...WORKLOAD_TYPES],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const w of platformWorkloads(resources)) {
        const findings = [...new Set(w.pods.flatMap(def.check))];
        if (findings.length > 0) report(`${describe(w.resource)}: ${findings.join("; ")}`, w.resource.urn);
      }
    },
  });
}

/** Semantic version without ranges or wildcards: what `helm install --version` resolves to one chart. */
export const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const kubernetesRules: PlatformRule[] = [
  resourceRule({
    name: "eks-endpoint-not-public",
    description:
      "The EKS API endpoint is private: never public in prod; in dev and staging a public endpoint for listed CIDRs (deployerAccess: public-endpoint) is reported, not refused.",
    remediation:
      "Keep platform.compute.cluster.deployerAccess: runner and deploy the workload layer from the in-VPC runner (docs/deployment.md).",
    group: "security",
    resourceTypes: [K8S.cluster],
    enforcement: { dev: "advisory", staging: "advisory", prod: "mandatory" },
    validate(r, report) {
      const vpc = get(r.props, "vpcConfig");
      // EKS makes the endpoint public when the flag is omitted, so only an explicit false passes.
      if (vpc.endpointPublicAccess !== false)
        report("the API endpoint is reachable from the internet (endpointPublicAccess is not false)");
      if (vpc.endpointPrivateAccess !== true)
        report("the API endpoint is not reachable from inside the VPC (endpointPrivateAccess is not true)");
    },
  }),
  resourceRule({
    name: "eks-public-endpoint-restricted",
    description: "A public EKS endpoint, where allowed, admits listed CIDRs only, never 0.0.0.0/0.",
    remediation:
      "Set platform.compute.cluster.publicAccessCidrs to the networks that need the API, or turn public access off.",
    group: "security",
    resourceTypes: [K8S.cluster],
    enforcement: ALWAYS,
    validate(r, report) {
      const vpc = get(r.props, "vpcConfig");
      if (vpc.endpointPublicAccess === false) return;
      const cidrs = list(vpc.publicAccessCidrs as string | string[] | undefined);
      if (cidrs.length === 0 || cidrs.includes("0.0.0.0/0"))
        report("the public endpoint admits any address (publicAccessCidrs empty or 0.0.0.0/0)");
    },
  }),
  resourceRule({
    name: "eks-secrets-encryption",
    description: "EKS encrypts Kubernetes secrets with a customer-managed KMS key (envelope encryption).",
    remediation:
      'Set encryptionConfig { resources: ["secrets"], provider.keyArn } (KubernetesCluster uses the confidential key).',
    group: "security",
    resourceTypes: [K8S.cluster],
    enforcement: SECURITY,
    validate(r, report) {
      const enc = get(r.props, "encryptionConfig");
      const resources = list(enc.resources as string | string[] | undefined);
      if (!resources.includes("secrets")) report("Kubernetes secrets are not envelope-encrypted with KMS");
      else if (typeof get(enc, "provider").keyArn !== "string" || get(enc, "provider").keyArn === "")
        report("secrets encryption names no KMS key");
    },
  }),
  resourceRule({
    name: "eks-control-plane-logging",
    description: "EKS ships api, audit and authenticator control-plane logs to CloudWatch.",
    remediation: "Set enabledClusterLogTypes to include api, audit and authenticator.",
    group: "security",
    resourceTypes: [K8S.cluster],
    enforcement: SECURITY,
    validate(r, report) {
      const enabled = list(r.props.enabledClusterLogTypes as string | string[] | undefined);
      const missing = ["api", "audit", "authenticator"].filter((t) => !enabled.includes(t));
      if (missing.length > 0) report(`control-plane log types missing: ${missing.join(", ")}`);
    },
  }),
  resourceRule({
    name: "eks-access-entries",
    description: "EKS grants cluster access through access entries only; the aws-auth ConfigMap grants nothing.",
    remediation: 'Set accessConfig.authenticationMode to "API" and declare aws.eks.AccessEntry resources.',
    group: "security",
    resourceTypes: [K8S.cluster],
    enforcement: SECURITY,
    validate(r, report) {
      const mode = get(r.props, "accessConfig").authenticationMode;
      if (mode !== "API")
        report(`authentication mode is ${mode === undefined ? "unset (CONFIG_MAP)" : String(mode)}, not API`);
    },
  }),
  workloadRule({
    name: "k8s-no-privileged-pods",
    description:
      "Workloads in platform namespaces are not privileged: no privileged containers, privilege escalation, dangerous capabilities or host namespaces.",
    remediation:
      "Drop privileged/hostNetwork/hostPID/hostIPC, set allowPrivilegeEscalation: false and drop capabilities (see restrictedContainerSecurity()).",
    check: privilegeFindings,
  }),
  workloadRule({
    name: "k8s-no-host-path",
    description: "Workloads in platform namespaces mount no hostPath volumes.",
    remediation: "Use emptyDir, a PersistentVolumeClaim, a ConfigMap or a Secret instead of a host path.",
    check: (pod) =>
      objs(pod.volumes)
        .filter((v) => v.hostPath !== undefined)
        .map((v) => `volume '${String(v.name)}' mounts host path ${String(get(v, "hostPath").path ?? "")}`),
  }),
  workloadRule({
    name: "k8s-no-latest-image",
    description: "Workloads in platform namespaces run pinned images: a tag other than latest, or a digest.",
    remediation:
      "Pin the image to a release tag or a sha256 digest (config validation rejects latest and untagged images).",
    check: (pod) =>
      containersOf(pod)
        .filter((c) => typeof c.image !== "string" || !isPinnedImage(c.image))
        .map(
          (c) => `container '${String(c.name ?? "container")}' runs unpinned image '${String(c.image ?? "(none)")}'`,
        ),
  }),
  stackRule({
    name: "k8s-namespace-guardrails",
    description:
      "Every platform namespace enforces the restricted Pod Security Standard and denies all traffic by default.",
    remediation: "Create namespaces with namespace() and namespaceNetworkPolicies() from components/compute/k8s.ts.",
    group: "security",
    resourceTypes: [K8S.namespace, K8S.networkPolicy],
    enforcement: SECURITY,
    validate(resources, report) {
      const policies = stackIndex(resources).ofType(K8S.networkPolicy);
      for (const ns of stackIndex(resources).ofType(K8S.namespace)) {
        const meta = get(ns.props, "metadata");
        const name = String(meta.name ?? ns.name);
        const level = get(meta, "labels")["pod-security.kubernetes.io/enforce"];
        if (level !== "restricted")
          report(
            `namespace '${name}' does not enforce restricted Pod Security (pod-security.kubernetes.io/enforce is ${String(level ?? "unset")})`,
            ns.urn,
          );
        const denyAll = policies.some((np) => {
          const spec = get(np.props, "spec");
          const types = list(spec.policyTypes as string | string[] | undefined);
          return (
            get(np.props, "metadata").namespace === name &&
            Object.keys(get(spec, "podSelector")).length === 0 &&
            types.includes("Ingress") &&
            types.includes("Egress") &&
            spec.ingress === undefined &&
            spec.egress === undefined
          );
        });
        if (!denyAll)
          report(
            `namespace '${name}' has no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)`,
            ns.urn,
          );
      }
    },
  }),
  resourceRule({
    name: "helm-chart-version-pinned",
    description: "Helm releases pin an exact chart version from an HTTPS repository, and never an image tagged latest.",
    remediation:
      "Set version to an exact chart version (components/compute/versions.ts holds them) and repositoryOpts.repo to an https:// URL.",
    group: "security",
    resourceTypes: [K8S.helmRelease, K8S.helmChart],
    enforcement: ALWAYS,
    validate(r, report) {
      const version = r.props.version;
      if (typeof version !== "string" || !EXACT_VERSION.test(version))
        report(
          `chart '${String(r.props.chart)}' version is ${version === undefined ? "unpinned" : `'${String(version)}', not an exact version`}`,
        );
      const repo =
        r.type === K8S.helmRelease
          ? get(r.props, "repositoryOpts").repo
          : r.props.repositoryOpts
            ? get(r.props, "repositoryOpts").repo
            : undefined;
      const chart = String(r.props.chart ?? "");
      if (repo !== undefined && (typeof repo !== "string" || !repo.startsWith("https://")))
        report(`chart repository '${String(repo)}' is not https`);
      if (repo === undefined && !chart.startsWith("oci://") && !chart.startsWith("https://"))
        report(
          "no chart repository: the chart name resolves against whatever repositories the deployer has configured",
        );
      if (get(get(r.props, "values"), "image").tag === "latest") report("values set image.tag to latest");
    },
  }),
  stackRule({
    name: "k8s-pod-identity-boundary",
    description:
      "Every Pod Identity association uses a role this stack declares, with the permissions boundary (that every role carries it is iam-role-permissions-boundary's check).",
    remediation:
      "Create pod roles with podIdentity() (components/compute/identity.ts), which uses platformRole() and the boundary.",
    group: "security",
    resourceTypes: [K8S.role, K8S.podIdentity],
    enforcement: ALWAYS,
    validate(resources, report) {
      const hasBoundary = (role: PolicyResource) =>
        typeof role.props.permissionsBoundary === "string" && role.props.permissionsBoundary !== "";
      for (const assoc of stackIndex(resources).ofType(K8S.podIdentity)) {
        const roles = assoc.dependencies.filter((d) => d.type === K8S.role);
        if (roles.length === 0)
          report(
            `pod identity '${assoc.name}' uses a role not declared in this stack; its boundary cannot be verified`,
            assoc.urn,
          );
        for (const role of roles)
          if (!hasBoundary(role))
            report(
              `pod identity '${assoc.name}' uses role '${role.name}', which has no permissions boundary`,
              assoc.urn,
            );
      }
    },
  }),
];
