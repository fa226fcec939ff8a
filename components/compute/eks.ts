import * as k8s from "./kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { doc, PolicyDocument } from "../core/iam";
import type { PlatformContext, SecurityRefs } from "../core/types";
import type { EksClusterConfig, NodeGroupConfig } from "./config";
import { DomainRef, LakeAccess } from "./identity";
import { EksRefs } from "./pod-identity";
import type { Toleration } from "./k8s";

// What the compute components share about the cluster (the target they deploy to, workload arguments, spot
// scheduling) and the pure parts of the EKS cluster: security group rules, key policy, node group shape, kubeconfig.

/** Where the compute components put their Kubernetes objects. Build one with KubernetesCluster, or pass your own provider. */
export interface KubernetesTarget {
  /** Every Kubernetes resource of the compute module is created with this provider. */
  readonly provider: k8s.Provider;
  /** Present on a platform-managed EKS cluster: pod identities become Pod Identity associations. */
  readonly eks?: EksRefs;
  /** How Spark executors reach spot capacity; absent when the cluster has no dedicated spot group. */
  readonly spotExecutors?: SpotScheduling;
}

/** What every workload on the cluster (Spark, the query engine) takes besides its own config. */
export interface ComputeWorkloadArgs {
  readonly ctx: PlatformContext;
  readonly kubernetes: KubernetesTarget;
  readonly security: SecurityRefs;
  readonly accountId: pulumi.Input<string>;
  readonly lake: LakeAccess;
  /** Declared domains; a restricted domain gets the restricted bucket and clearance. */
  readonly domains: readonly DomainRef[];
  /** VPC CIDR (plain, from config): where the API server, the load balancer's clients, the warehouse and brokers live. */
  readonly vpcCidr: string;
}

export interface SpotScheduling {
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: readonly Toleration[];
}

/** Control-plane log types the platform always ships: API calls, the audit trail, and authentication decisions. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator"] as const;
export const NODE_GROUP_LABEL = "data-platform/node-group";
export const DEDICATED_TAINT_KEY = "data-platform/dedicated";
export const CLUSTER_ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
/** ARN of an AWS-managed IAM policy. */
export const MANAGED = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** Scheduling that sends executors to a dedicated spot group and nowhere else. */
export function spotScheduling(groupName: string): SpotScheduling {
  return {
    nodeSelector: { [NODE_GROUP_LABEL]: groupName },
    tolerations: [{ key: DEDICATED_TAINT_KEY, operator: "Equal", value: "spark-executors", effect: "NoSchedule" }],
  };
}

/** The EKS arguments that carry the security posture; kept pure so tests and policies see the same values. */
export function clusterSecurityArgs(
  config: Pick<EksClusterConfig, "endpointPublicAccess" | "publicAccessCidrs">,
  secretsKeyArn: pulumi.Input<string>,
) {
  return {
    // API mode: access entries only; the aws-auth ConfigMap cannot grant anything.
    accessConfig: { authenticationMode: "API" },
    encryptionConfig: { provider: { keyArn: secretsKeyArn }, resources: ["secrets"] },
    enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
    endpoint: {
      endpointPrivateAccess: true,
      endpointPublicAccess: config.endpointPublicAccess,
      ...(config.endpointPublicAccess ? { publicAccessCidrs: [...config.publicAccessCidrs] } : {}),
    },
  };
}

/** What the control plane may do with the secrets key: envelope-encrypt Kubernetes secrets, nothing else. */
export function clusterKeyPolicy(keyArn: string): PolicyDocument {
  return doc(
    {
      Sid: "EnvelopeEncryption",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants"],
      Resource: keyArn,
    },
    {
      Sid: "GrantsForEks",
      Effect: "Allow",
      Action: "kms:CreateGrant",
      Resource: keyArn,
      Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
    },
  );
}

/** Node group arguments derived from config: capacity, labels, and the taint that reserves dedicated groups. */
export function nodeGroupSpec(name: string, g: NodeGroupConfig) {
  return {
    capacityType: g.capacityType === "spot" ? "SPOT" : "ON_DEMAND",
    instanceTypes: [...g.instanceTypes],
    amiType: "AL2023_x86_64_STANDARD",
    scalingConfig: { minSize: g.minSize, maxSize: g.maxSize, desiredSize: g.desiredSize },
    labels: { [NODE_GROUP_LABEL]: name, "data-platform/capacity": g.capacityType },
    taints: g.dedicatedTo ? [{ key: DEDICATED_TAINT_KEY, value: g.dedicatedTo, effect: "NO_SCHEDULE" }] : [],
  };
}

/** Kubeconfig that authenticates with the caller's AWS identity (`aws eks get-token`); holds no credential. */
export function eksKubeconfig(clusterName: string, endpoint: string, caData: string, region: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": caData } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    "current-context": clusterName,
    users: [
      {
        name: clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}

/** vpc-cni enforces NetworkPolicy objects only when asked to; without this the namespaces' default-deny is decoration. */
export const VPC_CNI_CONFIGURATION = JSON.stringify({ enableNetworkPolicy: "true" });
