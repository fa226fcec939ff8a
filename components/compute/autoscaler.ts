import { doc, PolicyDocument } from "../core/iam";
import type { AutoscalerConfig, NodeGroupConfig } from "./config";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./k8s";
import { CHARTS } from "./versions";

// The Kubernetes Cluster Autoscaler on a platform-managed EKS cluster: the chart's values and its AWS identity, as
// plain functions. It finds the managed node groups through the tags EKS puts on their Auto Scaling groups, adds
// nodes when pods are pending and removes underused ones, within each group's minSize and maxSize.

/** Where the autoscaler runs and the service account its Pod Identity association targets. */
export const CLUSTER_AUTOSCALER = {
  namespace: "kube-system",
  serviceAccount: "cluster-autoscaler",
  release: "cluster-autoscaler",
} as const;
/** `nobody`: the image is distroless and needs no user of its own. */
const AUTOSCALER_UID = 65534;

/** The tags EKS sets on every managed node group's Auto Scaling group; discovery needs both. */
export function autoDiscoveryTags(clusterName: string): [string, string] {
  return ["k8s.io/cluster-autoscaler/enabled", `k8s.io/cluster-autoscaler/${clusterName}`];
}

/** The on-demand group without a taint that runs system pods; config validation guarantees one exists. */
export function systemNodeGroup(groups: Readonly<Record<string, NodeGroupConfig>>): string {
  const general = Object.entries(groups)
    .filter(([, g]) => g.capacityType === "on-demand" && !g.dedicatedTo)
    .map(([name]) => name);
  const name = general.includes("system") ? "system" : general[0];
  if (!name) throw new Error("the cluster has no on-demand node group without dedicatedTo to run the autoscaler on");
  return name;
}

export interface ClusterAutoscalerValuesInput {
  readonly clusterName: string;
  readonly region: string;
  readonly config: AutoscalerConfig;
  /** Node selector that pins the autoscaler to the system group (never onto capacity it may remove). */
  readonly nodeSelector: Record<string, string>;
}

/** Values for the `cluster-autoscaler` chart (CHARTS.clusterAutoscaler); every key is in that version's values.yaml. */
export function clusterAutoscalerValues(input: ClusterAutoscalerValuesInput) {
  const { config } = input;
  const [enabledTag, clusterTag] = autoDiscoveryTags(input.clusterName);
  return {
    cloudProvider: "aws",
    awsRegion: input.region,
    autoDiscovery: { clusterName: input.clusterName, tags: [enabledTag, clusterTag] },
    // Pinned explicitly: the autoscaler's minor version follows the control plane's (KUBERNETES_VERSION).
    image: { tag: `v${CHARTS.clusterAutoscaler.appVersion}` },
    fullnameOverride: CLUSTER_AUTOSCALER.release,
    rbac: { create: true, serviceAccount: { create: true, name: CLUSTER_AUTOSCALER.serviceAccount } },
    replicaCount: config.replicas,
    extraArgs: {
      // Scale-from-zero: for an empty managed group (dev's spark-spot) the autoscaler reads the group's labels and
      // taints from eks:DescribeNodegroup (1.33 does, when the ASG carries the eks:nodegroup-name tag EKS sets), so
      // a pending executor with the spot nodeSelector and toleration is matched to it without node-template ASG tags.
      expander: "least-waste",
      "balance-similar-node-groups": true,
      "scale-down-unneeded-time": config.scaleDownUnneededTime,
      "scale-down-delay-after-add": config.scaleDownDelayAfterAdd,
      "scale-down-utilization-threshold": config.scaleDownUtilizationThreshold,
      // skip-nodes-with-system-pods stays true: only the system group hosts kube-system pods, and it is the group
      // that should keep its nodes; spot nodes carry none, so they scale down anyway.
    },
    // Never evicted by its own scale-down: removing the node under the leader would stall scaling mid-operation.
    podAnnotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" },
    nodeSelector: input.nodeSelector,
    // Memory grows with the number of nodes and pods it simulates; no CPU limit so a burst of pending pods is not throttled.
    resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
    securityContext: restrictedPodSecurity(AUTOSCALER_UID),
    containerSecurityContext: restrictedContainerSecurity(),
  };
}
export type ClusterAutoscalerValues = ReturnType<typeof clusterAutoscalerValues>;

export interface ClusterAutoscalerPolicyInput {
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
}

/** Read actions the autoscaler needs to discover groups and size templates; none of them supports resource scoping. */
export const AUTOSCALER_DESCRIBE_ACTIONS = [
  "autoscaling:DescribeAutoScalingGroups",
  "autoscaling:DescribeAutoScalingInstances",
  "autoscaling:DescribeLaunchConfigurations",
  "autoscaling:DescribeScalingActivities",
  "autoscaling:DescribeTags",
  "ec2:DescribeImages",
  "ec2:DescribeInstanceTypes",
  "ec2:DescribeLaunchTemplateVersions",
  "ec2:GetInstanceTypesFromInstanceRequirements",
];
export const AUTOSCALER_SCALE_ACTIONS = [
  "autoscaling:SetDesiredCapacity",
  "autoscaling:TerminateInstanceInAutoScalingGroup",
];

/**
 * The autoscaler's identity: read anything it needs to plan, read this cluster's node groups, and change the size
 * of only the Auto Scaling groups EKS tagged as owned by this cluster. Another cluster's groups, or any other
 * Auto Scaling, EC2 or EKS write, are out of reach.
 */
export function clusterAutoscalerPolicy(input: ClusterAutoscalerPolicyInput): PolicyDocument {
  const { region, accountId, clusterName } = input;
  return doc(
    { Sid: "Discover", Effect: "Allow", Action: AUTOSCALER_DESCRIBE_ACTIONS, Resource: "*" },
    {
      Sid: "ReadNodeGroups",
      Effect: "Allow",
      Action: "eks:DescribeNodegroup",
      Resource: `arn:aws:eks:${region}:${accountId}:nodegroup/${clusterName}/*/*`,
    },
    {
      Sid: "ScaleOwnedGroups",
      Effect: "Allow",
      Action: AUTOSCALER_SCALE_ACTIONS,
      Resource: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
      Condition: { StringEquals: { [`aws:ResourceTag/${autoDiscoveryTags(clusterName)[1]}`]: "owned" } },
    },
  );
}
