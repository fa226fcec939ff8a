// Weakenings of the platform's own pods, Spark drivers and executors.
import type { Template } from "../model";
import { firstPodSpec, container, sparkRole, K8S } from "./shared";

export const workloadsTemplates: readonly Template[] = [
  // ---- Kubernetes: the platform's own pods ----
  {
    source: "CKV_K8S_23",
    type: K8S.deployment,
    what: "runs-as-root",
    edit: (i) => {
      firstPodSpec(i).securityContext.runAsNonRoot = false;
      container(i).securityContext.runAsNonRoot = false;
    },
  },
  {
    source: "CKV_K8S_20",
    type: K8S.deployment,
    what: "privilege-escalation",
    edit: (i) => (container(i).securityContext.allowPrivilegeEscalation = true),
  },
  {
    source: "CKV_K8S_16",
    type: K8S.deployment,
    what: "privileged",
    edit: (i) => (container(i).securityContext.privileged = true),
  },
  {
    source: "CKV_K8S_22",
    type: K8S.deployment,
    what: "writable-root",
    edit: (i) => (container(i).securityContext.readOnlyRootFilesystem = false),
  },
  {
    source: "CKV_K8S_31",
    type: K8S.deployment,
    what: "seccomp-unconfined",
    edit: (i) => {
      firstPodSpec(i).securityContext.seccompProfile = { type: "Unconfined" };
      container(i).securityContext.seccompProfile = { type: "Unconfined" };
    },
  },
  {
    source: "CKV_K8S_37",
    type: K8S.deployment,
    what: "capabilities-kept",
    edit: (i) => (container(i).securityContext.capabilities = { drop: [] }),
  },
  {
    source: "CKV_K8S_28",
    type: K8S.deployment,
    what: "net-raw-added",
    edit: (i) => (container(i).securityContext.capabilities.add = ["NET_RAW"]),
  },
  {
    source: "CKV_K8S_38",
    type: K8S.deployment,
    what: "token-automounted",
    edit: (i) => (firstPodSpec(i).automountServiceAccountToken = true),
  },
  {
    source: "CKV_K8S_13",
    type: K8S.deployment,
    what: "no-memory-limit",
    edit: (i) => delete container(i).resources.limits,
  },
  {
    source: "CKV_K8S_19",
    type: K8S.deployment,
    what: "host-network",
    edit: (i) => (firstPodSpec(i).hostNetwork = true),
  },
  { source: "CKV_K8S_17", type: K8S.deployment, what: "host-pid", edit: (i) => (firstPodSpec(i).hostPID = true) },
  {
    source: "CKV_K8S_27",
    type: K8S.deployment,
    what: "host-path",
    edit: (i) => firstPodSpec(i).volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } }),
  },
  {
    source: "CKV_K8S_14",
    type: K8S.deployment,
    what: "latest-image",
    edit: (i) => (container(i).image = "apache/spark:latest"),
  },
  // ---- Spark drivers and executors ----
  ...(["driver", "executor"] as const).flatMap((role): Template[] => [
    {
      source: "CKV_K8S_23",
      type: K8S.spark,
      what: `${role}-runs-as-root`,
      edit: (i) => {
        sparkRole(role)(i).podSecurityContext.runAsNonRoot = false;
        sparkRole(role)(i).securityContext.runAsNonRoot = false;
      },
    },
    {
      source: "CKV_K8S_20",
      type: K8S.spark,
      what: `${role}-privilege-escalation`,
      edit: (i) => (sparkRole(role)(i).securityContext.allowPrivilegeEscalation = true),
    },
    {
      source: "CKV_K8S_16",
      type: K8S.spark,
      what: `${role}-privileged`,
      edit: (i) => (sparkRole(role)(i).securityContext.privileged = true),
    },
    {
      source: "CKV_K8S_31",
      type: K8S.spark,
      what: `${role}-seccomp-unconfined`,
      edit: (i) => {
        sparkRole(role)(i).podSecurityContext.seccompProfile = { type: "Unconfined" };
        sparkRole(role)(i).securityContext.seccompProfile = { type: "Unconfined" };
      },
    },
    {
      source: "CKV_K8S_37",
      type: K8S.spark,
      what: `${role}-capabilities-kept`,
      edit: (i) => (sparkRole(role)(i).securityContext.capabilities = { drop: [] }),
    },
    { source: "CKV_K8S_13", type: K8S.spark, what: `${role}-no-memory`, edit: (i) => delete sparkRole(role)(i).memory },
    {
      source: "CKV_K8S_19",
      type: K8S.spark,
      what: `${role}-host-network`,
      edit: (i) => (sparkRole(role)(i).hostNetwork = true),
    },
  ]),
  {
    source: "CKV_K8S_38",
    type: K8S.spark,
    what: "executor-token-automounted",
    edit: (i) => delete sparkRole("executor")(i).template,
  },
];
