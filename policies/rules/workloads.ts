// Who reaches the cluster and what runs in it, beyond pod specs: EKS access entries and add-ons, namespace quotas,
// Services, RBAC and External Secrets.
import { ALWAYS, PlatformRule, stackRule, resourceRule } from "./define";
import { K8S } from "./kubernetes";
import { configCredentials } from "./secrets";
import { isWorkloadLayer, list } from "./util";
import { stackIndex } from "./stack-index";

export const CLUSTER_TYPES = {
  accessEntry: "aws:eks/accessEntry:AccessEntry",
  accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  addon: "aws:eks/addon:Addon",
  quota: "kubernetes:core/v1:ResourceQuota",
  limitRange: "kubernetes:core/v1:LimitRange",
  service: "kubernetes:core/v1:Service",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  secretStore: "kubernetes:external-secrets.io/v1:SecretStore",
  clusterSecretStore: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
  externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
  configMap: "kubernetes:core/v1:ConfigMap",
  secret: "kubernetes:core/v1:Secret",
} as const;
const W = CLUSTER_TYPES;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" ? (v as Obj) : {});
const meta = (r: { props: Record<string, unknown> }) =>
  obj(r.props.metadata) as { name?: string; namespace?: string; annotations?: Record<string, string> };
const strings = (v: unknown): string[] => list(v as string | string[] | undefined).map(String);

/** Add-on versions as EKS publishes them (v1.2.3-eksbuild.4): exact, so an add-on upgrade is a reviewed change. */
export const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;
/** Quota keys that bound what one namespace can take from the shared node groups. */
export const QUOTA_KEYS = ["pods", "requests.cpu", "requests.memory", "limits.memory"];
/** Built-in roles that hand out (nearly) everything in their scope. */
const BROAD_CLUSTER_ROLES = ["cluster-admin", "admin", "edit"];
/** Groups every (or every unauthenticated) caller belongs to. */
const EVERYONE = /^system:(authenticated|unauthenticated|serviceaccounts)$/;

export const workloadRules: PlatformRule[] = [
  stackRule({
    name: "eks-access-principals-scoped",
    description:
      "EKS access entries and access-policy associations name IAM roles (never users or the account root), and every association's principal has an access entry on the same cluster.",
    remediation:
      "Grant cluster access to SSO or platform roles through KubernetesCluster's admin/access configuration; people assume roles.",
    group: "security",
    resourceTypes: [W.accessEntry, W.accessPolicy],
    enforcement: ALWAYS,
    validate(resources, report) {
      const entries = stackIndex(resources).ofType(W.accessEntry);
      for (const r of [...entries, ...stackIndex(resources).ofType(W.accessPolicy)]) {
        const principal = String(r.props.principalArn ?? "");
        if (!/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(principal))
          report(
            `'${r.name}' grants cluster access to ${principal || "an unknown principal"}, which is not an IAM role`,
            r.urn,
          );
        if (
          r.type === W.accessPolicy &&
          !entries.some((e) => e.props.principalArn === principal && e.props.clusterName === r.props.clusterName)
        ) {
          report(
            `'${r.name}' associates a policy with ${principal}, which has no access entry on ${r.props.clusterName ?? "the cluster"}`,
            r.urn,
          );
        }
      }
    },
  }),
  stackRule({
    name: "eks-addons-pinned",
    description:
      "EKS add-ons pin an exact version, and a cluster with Pod Identity associations runs the pod identity agent (without it, pods get no AWS credentials).",
    remediation:
      "Take add-on versions from components/compute/versions.ts; keep the eks-pod-identity-agent add-on while pods use Pod Identity.",
    group: "reliability",
    resourceTypes: [W.addon, K8S.podIdentity],
    enforcement: ALWAYS,
    validate(resources, report) {
      const addons = stackIndex(resources).ofType(W.addon);
      for (const a of addons) {
        if (!ADDON_VERSION.test(String(a.props.addonVersion ?? "")))
          report(
            `add-on ${a.props.addonName} runs ${a.props.addonVersion ? `version '${a.props.addonVersion}'` : "whatever version EKS picks"}, not an exact eksbuild version`,
            a.urn,
          );
      }
      // A workload layer's cluster and add-ons are the foundation's.
      const clusterElsewhere = addons.length === 0 && isWorkloadLayer(resources);
      for (const p of stackIndex(resources).ofType(K8S.podIdentity)) {
        if (
          !clusterElsewhere &&
          !addons.some(
            (a) => a.props.addonName === "eks-pod-identity-agent" && a.props.clusterName === p.props.clusterName,
          )
        )
          report(
            `'${p.name}' relies on Pod Identity, but ${p.props.clusterName} runs no eks-pod-identity-agent add-on`,
            p.urn,
          );
      }
    },
  }),
  stackRule({
    name: "k8s-quota-with-limits",
    description: `Every namespace quota caps ${QUOTA_KEYS.join(", ")}, and its namespace has a LimitRange with default requests (a quota rejects pods that declare none).`,
    remediation:
      "Create namespaces with the compute module's quota and container-defaults LimitRange; size the quota from the profile.",
    group: "reliability",
    resourceTypes: [W.quota, W.limitRange],
    enforcement: ALWAYS,
    validate(resources, report) {
      const ranges = stackIndex(resources).ofType(W.limitRange);
      for (const q of stackIndex(resources).ofType(W.quota)) {
        const hard = obj(obj(q.props.spec).hard);
        const missing = QUOTA_KEYS.filter((k) => hard[k] === undefined);
        if (missing.length > 0)
          report(`quota '${meta(q).name}' in ${meta(q).namespace} does not cap ${missing.join(", ")}`, q.urn);
        const defaults = ranges.some(
          (l) =>
            meta(l).namespace === meta(q).namespace &&
            list(obj(l.props.spec).limits as Obj[] | undefined).some(
              (x) => obj(x).type === "Container" && obj(x).defaultRequest,
            ),
        );
        if (!defaults)
          report(
            `namespace ${meta(q).namespace} has a quota but no LimitRange giving containers default requests`,
            q.urn,
          );
      }
    },
  }),
  resourceRule({
    name: "k8s-service-internal",
    description:
      "Kubernetes Services never open the cluster to the internet: no NodePort or external IPs, and load balancers are internal and never admit 0.0.0.0/0.",
    remediation:
      'Use ClusterIP, or a LoadBalancer with service.beta.kubernetes.io/aws-load-balancer-internal: "true" (or scheme internal) and private source ranges.',
    group: "security",
    resourceTypes: [W.service],
    enforcement: ALWAYS,
    validate(r, report) {
      const spec = obj(r.props.spec);
      const annotations = meta(r).annotations ?? {};
      if (spec.type === "NodePort") report("is a NodePort service (opens a port on every node)");
      if (strings(spec.externalIPs).length > 0) report("declares external IPs");
      if (spec.type === "LoadBalancer") {
        const internal =
          annotations["service.beta.kubernetes.io/aws-load-balancer-internal"] === "true" ||
          annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] === "internal";
        if (!internal)
          report("is an internet-facing load balancer (neither aws-load-balancer-internal nor scheme internal)");
        if (strings(spec.loadBalancerSourceRanges).some((c) => c === "0.0.0.0/0" || c === "::/0"))
          report("load balancer admits any address");
      }
    },
  }),
  stackRule({
    name: "k8s-rbac-least-privilege",
    description:
      "RBAC grants no wildcards and no secret reads, binds no broad built-in role (cluster-admin, admin, edit) and no everyone-group, and binds only ServiceAccounts the stack declares.",
    remediation:
      "Write a namespaced Role listing resources and verbs (as the Spark driver role does) and bind it to the workload's ServiceAccount.",
    group: "security",
    resourceTypes: [W.role, W.clusterRole, W.roleBinding, W.clusterRoleBinding, W.serviceAccount],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const role of stackIndex(resources).ofType(W.role, W.clusterRole)) {
        for (const rule of list(role.props.rules as Obj[] | undefined).map(obj)) {
          const [verbs, kinds, groups] = [strings(rule.verbs), strings(rule.resources), strings(rule.apiGroups)];
          if ([...verbs, ...kinds, ...groups].includes("*"))
            report(
              `role '${meta(role).name}' uses a wildcard (verbs ${verbs.join(",")}; resources ${kinds.join(",")})`,
              role.urn,
            );
          if (kinds.includes("secrets") && verbs.some((v) => ["get", "list", "watch", "*"].includes(v)))
            report(`role '${meta(role).name}' reads secrets`, role.urn);
        }
      }
      const accounts = new Set(
        stackIndex(resources)
          .ofType(W.serviceAccount)
          .map((s) => `${meta(s).namespace}/${meta(s).name}`),
      );
      for (const b of stackIndex(resources).ofType(W.roleBinding, W.clusterRoleBinding)) {
        const ref = obj(b.props.roleRef);
        if (ref.kind === "ClusterRole" && BROAD_CLUSTER_ROLES.includes(String(ref.name)))
          report(`binding '${meta(b).name}' grants the built-in ${ref.name} role`, b.urn);
        for (const s of list(b.props.subjects as Obj[] | undefined).map(obj)) {
          if (s.kind === "Group" && EVERYONE.test(String(s.name)))
            report(`binding '${meta(b).name}' grants ${s.name}`, b.urn);
          else if (s.kind === "ServiceAccount" && !accounts.has(`${s.namespace ?? meta(b).namespace}/${s.name}`))
            report(
              `binding '${meta(b).name}' binds ServiceAccount ${s.namespace ?? meta(b).namespace}/${s.name}, which this stack does not declare`,
              b.urn,
            );
        }
      }
    },
  }),
  resourceRule({
    name: "k8s-credentials-in-secrets",
    description:
      "Credentials live in Secrets, never in ConfigMaps (readable by anyone who may read the namespace's configuration), and no Secret is a long-lived service-account token.",
    remediation:
      "Move the value to Secrets Manager (synced by an ExternalSecret) or a Secret; let pods use projected, expiring service-account tokens.",
    group: "security",
    resourceTypes: [W.configMap, W.secret],
    enforcement: ALWAYS,
    validate(r, report) {
      // The Kubernetes provider keeps Secret data secret in state; a ConfigMap's data is plain text everywhere.
      if (r.type === W.secret) {
        if (r.props.type === "kubernetes.io/service-account-token")
          report(`Secret '${meta(r).name}' is a long-lived service-account token`);
        return;
      }
      const keys = configCredentials(obj(r.props.data));
      if (keys.length > 0) report(`ConfigMap '${meta(r).name}' carries credentials in ${keys.join(", ")}`);
    },
  }),
  stackRule({
    name: "k8s-external-secrets-scoped",
    description:
      "External Secrets are namespaced: stores authenticate through the pod's identity (no static keys), no ClusterSecretStore exists, and every ExternalSecret uses a store of its own namespace.",
    remediation:
      "Declare a SecretStore per namespace with the AWS provider and no auth.secretRef; its service account's Pod Identity role scopes which secrets it may read.",
    group: "security",
    resourceTypes: [W.secretStore, W.clusterSecretStore, W.externalSecret],
    enforcement: ALWAYS,
    validate(resources, report) {
      const stores = stackIndex(resources).ofType(W.secretStore);
      for (const s of stackIndex(resources).ofType(W.clusterSecretStore))
        report(`ClusterSecretStore '${meta(s).name}' lets every namespace read its secrets`, s.urn);
      for (const s of stores) {
        if (obj(obj(obj(obj(s.props.spec).provider).aws).auth).secretRef)
          report(`store '${meta(s).name}' authenticates with static access keys`, s.urn);
      }
      for (const e of stackIndex(resources).ofType(W.externalSecret)) {
        const ref = obj(obj(e.props.spec).secretStoreRef);
        const ns = meta(e).namespace;
        if ((ref.kind ?? "SecretStore") !== "SecretStore")
          report(`'${meta(e).name}' reads through a ${ref.kind}`, e.urn);
        else if (!stores.some((s) => meta(s).name === ref.name && meta(s).namespace === ns))
          report(`'${meta(e).name}' uses store '${ref.name}', which namespace ${ns} does not declare`, e.urn);
      }
    },
  }),
];
