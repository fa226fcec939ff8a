// Weakenings of chart-rendered pods, namespaces and cluster objects.
import type { Template } from "../model";
import { inp, chart, nsOfQuota, K8S } from "./shared";

export const chartsTemplates: readonly Template[] = [
  // ---- chart-rendered pods (values over the pinned chart's defaults) ----
  {
    source: "CKV_K8S_23",
    type: K8S.release,
    what: "autoscaler-runs-as-root",
    pick: chart("cluster-autoscaler"),
    edit: (i) => {
      i.values.securityContext.runAsNonRoot = false;
      i.values.containerSecurityContext.runAsNonRoot = false;
    },
  },
  {
    source: "CKV_K8S_22",
    type: K8S.release,
    what: "autoscaler-writable-root",
    pick: chart("cluster-autoscaler"),
    edit: (i) => (i.values.containerSecurityContext.readOnlyRootFilesystem = false),
  },
  {
    source: "CKV_K8S_16",
    type: K8S.release,
    what: "autoscaler-privileged",
    pick: chart("cluster-autoscaler"),
    edit: (i) => (i.values.containerSecurityContext.privileged = true),
  },
  {
    source: "CKV_K8S_31",
    type: K8S.release,
    what: "autoscaler-seccomp-unconfined",
    pick: chart("cluster-autoscaler"),
    edit: (i) => {
      i.values.securityContext.seccompProfile = { type: "Unconfined" };
      i.values.containerSecurityContext.seccompProfile = { type: "Unconfined" };
    },
  },
  {
    source: "CKV_K8S_13",
    type: K8S.release,
    what: "autoscaler-no-limits",
    pick: chart("cluster-autoscaler"),
    edit: (i) => delete i.values.resources.limits,
  },
  {
    source: "CKV_K8S_23",
    type: K8S.release,
    what: "trino-runs-as-root",
    pick: chart("trino"),
    edit: (i) => {
      i.values.securityContext.runAsNonRoot = false;
      i.values.securityContext.runAsUser = 0;
    },
  },
  {
    source: "CKV_K8S_20",
    type: K8S.release,
    what: "trino-privilege-escalation",
    pick: chart("trino"),
    edit: (i) => (i.values.containerSecurityContext.allowPrivilegeEscalation = true),
  },
  {
    source: "CKV_K8S_31",
    type: K8S.release,
    what: "trino-seccomp-unconfined",
    pick: chart("trino"),
    edit: (i) => (i.values.securityContext.seccompProfile = { type: "Unconfined" }),
  },
  {
    source: "CKV_K8S_13",
    type: K8S.release,
    what: "trino-worker-no-limits",
    pick: chart("trino"),
    edit: (i) => delete i.values.worker.resources.limits,
  },
  {
    source: "CKV_K8S_38",
    type: K8S.release,
    what: "trino-token-automounted",
    pick: chart("trino"),
    edit: (i) => (i.values.serviceAccount = { create: true }),
  },
  {
    source: "CKV_K8S_23",
    type: K8S.release,
    what: "spark-operator-runs-as-root",
    pick: chart("spark-operator"),
    edit: (i) => {
      i.values.controller.podSecurityContext.runAsNonRoot = false;
      i.values.controller.securityContext.runAsNonRoot = false;
    },
  },
  {
    source: "CKV_K8S_22",
    type: K8S.release,
    what: "spark-operator-writable-root",
    pick: chart("spark-operator"),
    edit: (i) => (i.values.webhook.securityContext.readOnlyRootFilesystem = false),
  },
  {
    source: "CKV_K8S_37",
    type: K8S.release,
    what: "spark-operator-capabilities-kept",
    pick: chart("spark-operator"),
    edit: (i) => (i.values.controller.securityContext.capabilities = { drop: [] }),
  },
  {
    source: "CKV_K8S_13",
    type: K8S.release,
    what: "spark-operator-no-limits",
    pick: chart("spark-operator"),
    edit: (i) => delete i.values.controller.resources.limits,
  },
  {
    source: "CKV_K8S_23",
    type: K8S.release,
    what: "external-secrets-runs-as-root",
    pick: chart("external-secrets"),
    edit: (i) => (i.values.securityContext = { runAsNonRoot: false, runAsUser: 0 }),
  },
  {
    source: "CKV_K8S_16",
    type: K8S.release,
    what: "external-secrets-webhook-privileged",
    pick: chart("external-secrets"),
    edit: (i) => (i.values.webhook.securityContext = { privileged: true }),
  },
  {
    source: "CKV_K8S_13",
    type: K8S.release,
    what: "external-secrets-no-limits",
    pick: chart("external-secrets"),
    edit: (i) => delete i.values.resources.limits,
  },
  {
    source: "CKV_K8S_14 (chart image)",
    type: K8S.release,
    what: "latest-image",
    edit: (i) => (i.values.image = { ...(i.values.image ?? {}), tag: "latest" }),
  },
  {
    source: "CKV_K8S_14 family (pinned chart version)",
    type: K8S.release,
    what: "floating-chart",
    edit: (i) => (i.version = "^1.0.0"),
  },
  // ---- namespaces and cluster objects ----
  {
    source: "Kubernetes Pod Security Standards (restricted)",
    type: K8S.namespace,
    what: "privileged-pod-security",
    edit: (i) => (i.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"),
  },
  {
    source: "Kubernetes best practice (ResourceQuota per namespace)",
    type: "kubernetes:core/v1:ResourceQuota",
    what: "quota-removed",
    dropBlaming: nsOfQuota,
  },
  {
    source: "Kubernetes best practice (ResourceQuota per namespace)",
    type: "kubernetes:core/v1:ResourceQuota",
    what: "no-memory-limit-cap",
    edit: (i) => delete i.spec.hard["limits.memory"],
  },
  {
    source: "Kubernetes best practice (default-deny NetworkPolicy)",
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    what: "default-deny-removed",
    pick: (r) =>
      Object.keys(inp(r).spec?.podSelector ?? {}).length === 0 && !inp(r).spec?.ingress && !inp(r).spec?.egress,
    dropBlaming: (r, all) =>
      all.find((n) => n.type === K8S.namespace && inp(n).metadata?.name === inp(r).metadata?.namespace),
  },
  {
    source: "Kubernetes best practice (no NodePort or LoadBalancer Services)",
    type: "kubernetes:core/v1:Service",
    what: "node-port",
    edit: (i) => (i.spec.type = "NodePort"),
  },
  {
    source: "CKV_K8S_49, CKV_K8S_155",
    type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    what: "wildcard-rules",
    edit: (i) => i.rules.push({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }),
  },
  {
    source: "Kubernetes RBAC best practice (least get/list/watch on Secrets)",
    type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    what: "secret-read",
    edit: (i) => i.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }),
  },
  {
    source: "Kubernetes best practice (credentials in Secrets, never ConfigMaps)",
    type: "kubernetes:core/v1:ConfigMap",
    what: "password-in-configmap",
    edit: (i) => (i.data = { ...(i.data ?? {}), password: "Sup3rS3cretValue" }),
  },
];
