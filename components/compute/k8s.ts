import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../core/types";

// Pure builders of the plain Kubernetes objects the compute components create. They return fully resolved objects
// (no Outputs) typed against the Kubernetes API, so tests validate them against the OpenAPI schemas and the
// components hand them to `k8s.*` resources unchanged.

export type Plain<T> = pulumi.Unwrap<T>;
export type Namespace = Plain<k8s.types.input.core.v1.Namespace> & { apiVersion: "v1"; kind: "Namespace" };
export type ResourceQuota = Plain<k8s.types.input.core.v1.ResourceQuota> & { apiVersion: "v1"; kind: "ResourceQuota" };
export type LimitRange = Plain<k8s.types.input.core.v1.LimitRange> & { apiVersion: "v1"; kind: "LimitRange" };
export type NetworkPolicy = Plain<k8s.types.input.networking.v1.NetworkPolicy> & {
  apiVersion: "networking.k8s.io/v1";
  kind: "NetworkPolicy";
};
export type ServiceAccount = Plain<k8s.types.input.core.v1.ServiceAccount> & {
  apiVersion: "v1";
  kind: "ServiceAccount";
};
export type Role = Plain<k8s.types.input.rbac.v1.Role> & { apiVersion: "rbac.authorization.k8s.io/v1"; kind: "Role" };
export type RoleBinding = Plain<k8s.types.input.rbac.v1.RoleBinding> & {
  apiVersion: "rbac.authorization.k8s.io/v1";
  kind: "RoleBinding";
};
export type Service = Plain<k8s.types.input.core.v1.Service> & { apiVersion: "v1"; kind: "Service" };
export type Deployment = Plain<k8s.types.input.apps.v1.Deployment> & { apiVersion: "apps/v1"; kind: "Deployment" };
export type ConfigMap = Plain<k8s.types.input.core.v1.ConfigMap> & { apiVersion: "v1"; kind: "ConfigMap" };
export type HorizontalPodAutoscaler = Plain<k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler> & {
  apiVersion: "autoscaling/v2";
  kind: "HorizontalPodAutoscaler";
};
export type PodSecurityContext = Plain<k8s.types.input.core.v1.PodSecurityContext>;
export type SecurityContext = Plain<k8s.types.input.core.v1.SecurityContext>;
export type Toleration = Plain<k8s.types.input.core.v1.Toleration>;
type NetworkPolicyPeer = Plain<k8s.types.input.networking.v1.NetworkPolicyPeer>;
type NetworkPolicyPort = Plain<k8s.types.input.networking.v1.NetworkPolicyPort>;
export type Labels = Record<string, string>;

/** Labels on every platform object: what it is part of, who manages it, and which component owns it. */
export function platformLabels(
  ctx: Pick<PlatformContext, "prefix" | "environment">,
  component: string,
  extra: Labels = {},
): Labels {
  return {
    "app.kubernetes.io/part-of": ctx.prefix,
    "app.kubernetes.io/managed-by": "pulumi",
    "data-platform/component": component,
    "data-platform/environment": ctx.environment,
    ...extra,
  };
}

/** Pod Security Admission levels; `restricted` forbids privileged pods, host namespaces, hostPath and root. */
export type PodSecurityLevel = "restricted" | "baseline";

/** A namespace with Pod Security Admission enforced (and always warned/audited at `restricted`). */
export function namespace(name: string, labels: Labels, enforce: PodSecurityLevel = "restricted"): Namespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        ...labels,
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      },
    },
  };
}

export interface QuotaInput {
  readonly cpu: string;
  readonly memory: string;
  readonly pods: number;
  /** LoadBalancer services allowed in the namespace. @default 0 */
  readonly loadBalancers?: number;
}

/** A namespace's ceiling: one runaway job cannot starve the others, and nothing exposes a node port. */
export function resourceQuota(ns: string, labels: Labels, q: QuotaInput): ResourceQuota {
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "compute-quota", namespace: ns, labels },
    spec: {
      hard: {
        "requests.cpu": q.cpu,
        "requests.memory": q.memory,
        "limits.memory": q.memory,
        pods: String(q.pods),
        "services.loadbalancers": String(q.loadBalancers ?? 0),
        "services.nodeports": String(q.loadBalancers ?? 0),
      },
    },
  };
}

/** Defaults for containers that declare nothing, so the quota can account for them; and a per-container ceiling. */
export function limitRange(ns: string, labels: Labels, max: { cpu: string; memory: string }): LimitRange {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "container-defaults", namespace: ns, labels },
    spec: {
      limits: [
        {
          type: "Container",
          defaultRequest: { cpu: "250m", memory: "512Mi" },
          default: { memory: "1Gi" },
          max: { cpu: max.cpu, memory: max.memory },
        },
      ],
    },
  };
}

export interface ServiceAccountInput {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  /** Only pods that call the Kubernetes API (Spark drivers) mount a token. @default false */
  readonly automountToken?: boolean;
}

export function serviceAccount(input: ServiceAccountInput): ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: input.name, namespace: input.namespace, labels: input.labels },
    automountServiceAccountToken: input.automountToken ?? false,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Network policies: default deny, then one policy per thing that is allowed, each named after what it allows.

const IMDS = "169.254.169.254/32";
/** The EKS Pod Identity agent listens on this link-local address on every node. */
export const POD_IDENTITY_AGENT = "169.254.170.23/32";

function policy(ns: string, name: string, labels: Labels, spec: NetworkPolicy["spec"]): NetworkPolicy {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns, labels }, spec };
}

const tcp = (port: number): NetworkPolicyPort => ({ protocol: "TCP", port });

export interface NamespaceNetworkInput {
  readonly namespace: string;
  readonly labels: Labels;
  /** Pods in the namespace talk to each other (Spark driver and executors, coordinator and workers). */
  readonly intraNamespace: boolean;
  /** HTTPS anywhere except the instance metadata service: AWS APIs, S3, the Kubernetes API. */
  readonly httpsEgress: boolean;
  /** Egress to CIDRs inside the VPC on given ports (warehouse, Kafka). */
  readonly egressTo?: readonly {
    readonly name: string;
    readonly cidrs: readonly string[];
    readonly ports: readonly number[];
  }[];
  /** Ingress from CIDRs to selected pods on given ports (load balancer, API server webhooks). */
  readonly ingressFrom?: readonly {
    readonly name: string;
    readonly podSelector: Labels;
    readonly cidrs: readonly string[];
    readonly ports: readonly number[];
  }[];
}

/**
 * Default deny in both directions, then: DNS to kube-system, the Pod Identity agent (credentials), and only what
 * the input opens. Instance metadata stays closed so pods cannot borrow the node's role.
 */
export function namespaceNetworkPolicies(input: NamespaceNetworkInput): NetworkPolicy[] {
  const { namespace: ns, labels } = input;
  const policies: NetworkPolicy[] = [
    policy(ns, "default-deny", labels, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    policy(ns, "allow-dns", labels, {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [{ protocol: "UDP", port: 53 }, tcp(53)],
        },
      ],
    }),
    policy(ns, "allow-pod-identity-agent", labels, {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }], ports: [tcp(80)] }],
    }),
  ];
  if (input.intraNamespace) {
    const sameNamespace: NetworkPolicyPeer[] = [{ podSelector: {} }];
    policies.push(
      policy(ns, "allow-same-namespace", labels, {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: sameNamespace }],
        egress: [{ to: sameNamespace }],
      }),
    );
  }
  if (input.httpsEgress) {
    policies.push(
      policy(ns, "allow-https-egress", labels, {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [IMDS] } }], ports: [tcp(443)] }],
      }),
    );
  }
  for (const e of input.egressTo ?? []) {
    policies.push(
      policy(ns, `allow-egress-${e.name}`, labels, {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: e.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: e.ports.map(tcp) }],
      }),
    );
  }
  for (const i of input.ingressFrom ?? []) {
    policies.push(
      policy(ns, `allow-ingress-${i.name}`, labels, {
        podSelector: { matchLabels: i.podSelector },
        policyTypes: ["Ingress"],
        ingress: [{ from: i.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: i.ports.map(tcp) }],
      }),
    );
  }
  return policies;
}

// ---------------------------------------------------------------------------------------------------------------
// Pod hardening shared by every workload the platform defines itself.

/** Non-root, default seccomp profile: what Pod Security `restricted` requires at pod level. */
export function restrictedPodSecurity(uid: number): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** No privilege escalation, no capabilities, read-only root filesystem. */
export function restrictedContainerSecurity(readOnlyRootFilesystem = true): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function configMap(name: string, ns: string, labels: Labels, data: Record<string, string>): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels }, data };
}
