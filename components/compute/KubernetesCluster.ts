import * as aws from "@pulumi/aws";
import * as k8s from "./kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { platformRole, serviceTrust } from "../core/iam";
import { baseTags } from "../core/tags";
import type { NetworkRefs, PlatformContext, SecurityRefs, Tags } from "../core/types";
import type { EksClusterConfig, ExistingClusterConfig } from "./config";
import { CLUSTER_AUTOSCALER, clusterAutoscalerPolicy, clusterAutoscalerValues, systemNodeGroup } from "./autoscaler";
import { podIdentityTrust } from "./identity";
import { EksRefs, podIdentity } from "./pod-identity";
import {
  KubernetesTarget,
  NODE_GROUP_LABEL,
  CLUSTER_ADMIN_POLICY_ARN,
  clusterSecurityArgs,
  clusterKeyPolicy,
  nodeGroupSpec,
  eksKubeconfig,
  VPC_CNI_CONFIGURATION,
  MANAGED,
  spotScheduling,
} from "./eks";
import { CHARTS, EksAddonName } from "./versions";

export interface KubernetesClusterArgs {
  readonly ctx: PlatformContext;
  readonly network: NetworkRefs;
  readonly security: SecurityRefs;
  readonly accountId: pulumi.Input<string>;
  /** `platform.compute.cluster`, resolved. */
  readonly config: EksClusterConfig | ExistingClusterConfig;
  /**
   * The identity that runs `pulumi up`: given cluster admin through an access entry so the program can create
   * Kubernetes objects. @default none: the cluster creator gets EKS's bootstrap admin entry instead
   */
  readonly deployerRoleArn?: pulumi.Input<string>;
  /** @default `${ctx.prefix}-eks` */
  readonly clusterName?: string;
  /**
   * The in-VPC deploy runner (DeployRunner): its role becomes a cluster admin through an access entry, and its
   * security group is admitted to the cluster security group on 443. @default none
   */
  readonly runner?: { readonly roleArn: pulumi.Input<string>; readonly securityGroupId: pulumi.Input<string> };
  /**
   * Declare the Kubernetes provider and the cluster's own objects (the autoscaler's release). False in the
   * foundation layer, which never calls the Kubernetes API; the workload layer declares them. @default true
   */
  readonly kubernetesObjects?: boolean;
}

/**
 * The Kubernetes the compute module runs on. `mode: eks`: a private EKS cluster with encrypted secrets, control-plane
 * logs, access entries, pinned core add-ons, managed node groups sized by the Cluster Autoscaler, and Pod Identity.
 * `mode: existing`: only a provider for a cluster you bring; Spark and the query engine then run on any Kubernetes.
 */
export class KubernetesCluster extends pulumi.ComponentResource {
  /** Absent with `kubernetesObjects: false`. */
  readonly target?: KubernetesTarget;
  /** Absent with `kubernetesObjects: false`. */
  readonly provider?: k8s.Provider;
  readonly clusterName?: pulumi.Output<string>;
  readonly clusterArn?: pulumi.Output<string>;
  readonly endpoint?: pulumi.Output<string>;
  /** Node security groups: the EKS cluster group and the platform's `compute` workload group. */
  readonly nodeSecurityGroupIds?: pulumi.Output<string>[];
  readonly nodeRoleArn?: pulumi.Output<string>;
  /** The security group EKS creates for the control plane and nodes. */
  readonly clusterSecurityGroupId?: pulumi.Output<string>;
  /** Base64 certificate authority of the API endpoint. */
  readonly certificateAuthority?: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: KubernetesClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:compute:KubernetesCluster", name, {}, opts);
    const { ctx, config } = args;

    if (config.mode === "existing") {
      // Bring your own cluster: the kubeconfig is a secret; without one the provider uses the ambient kubeconfig.
      this.kubeconfig = pulumi.secret(config.kubeconfig ?? "");
      this.provider = new k8s.Provider(
        `${name}-k8s`,
        { kubeconfig: config.kubeconfig ? this.kubeconfig : undefined, context: config.context },
        { parent: this },
      );
      this.target = { provider: this.provider };
      this.registerOutputs({});
      return;
    }

    const p = { parent: this };
    const tags = (extra: Tags = {}) => baseTags(ctx, "compute", extra);
    const clusterName = args.clusterName ?? `${ctx.prefix}-eks`;
    const accountId = pulumi.output(args.accountId);
    const secretsKeyArn = args.security.keyArns.confidential;

    // EKS writes to this fixed name; creating it first gives it retention and encryption instead of "never expire".
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      {
        name: `/aws/eks/${clusterName}/cluster`,
        retentionInDays: config.logRetentionDays,
        kmsKeyId: args.security.keyArns.internal,
        tags: tags(),
      },
      { parent: this, retainOnDelete: ctx.retainOnDelete },
    );

    const { role: clusterRole } = platformRole(
      `${name}-cluster`,
      {
        ctx,
        description: `EKS control plane of ${clusterName}`,
        permissionsBoundaryArn: args.security.permissionsBoundaryArn,
        assumeRolePolicy: accountId.apply((a) => serviceTrust("eks.amazonaws.com", a)),
        policy: secretsKeyArn.apply(clusterKeyPolicy),
        tags: tags(),
      },
      p,
    );
    const clusterPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-cluster`,
      { role: clusterRole.name, policyArn: MANAGED("AmazonEKSClusterPolicy") },
      p,
    );

    const security = clusterSecurityArgs(config, secretsKeyArn);
    const cluster = new aws.eks.Cluster(
      name,
      {
        name: clusterName,
        version: config.version,
        roleArn: clusterRole.arn,
        vpcConfig: { subnetIds: args.network.privateSubnetIds, ...security.endpoint },
        accessConfig: {
          ...security.accessConfig,
          bootstrapClusterCreatorAdminPermissions: args.deployerRoleArn === undefined,
        },
        encryptionConfig: security.encryptionConfig,
        enabledClusterLogTypes: security.enabledClusterLogTypes,
        // Standard support only: extended support costs six times as much and hides overdue upgrades.
        upgradePolicy: { supportType: "STANDARD" },
        deletionProtection: ctx.protect,
        bootstrapSelfManagedAddons: false,
        tags: tags({ Name: clusterName }),
      },
      { parent: this, dependsOn: [logGroup, clusterPolicy], protect: ctx.protect },
    );
    const eks: EksRefs = { clusterName: cluster.name, clusterArn: cluster.arn };
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.endpoint = cluster.endpoint;
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    this.certificateAuthority = cluster.certificateAuthority.data;

    // Nodes: ECR pulls and node registration only. The CNI's permissions go to its own pod identity, not every pod's node.
    const { role: nodeRole } = platformRole(
      `${name}-node`,
      {
        ctx,
        description: `Managed nodes of ${clusterName}`,
        permissionsBoundaryArn: args.security.permissionsBoundaryArn,
        assumeRolePolicy: accountId.apply((a) => serviceTrust("ec2.amazonaws.com", a)),
        tags: tags(),
      },
      p,
    );
    const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"].map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policy}`,
          { role: nodeRole.name, policyArn: MANAGED(policy) },
          p,
        ),
    );
    this.nodeRoleArn = nodeRole.arn;

    const addonVersion = (addon: EksAddonName) => config.addonVersions[addon];
    const addon = (addonName: EksAddonName, extra: Partial<aws.eks.AddonArgs>, dependsOn: pulumi.Resource[]) =>
      new aws.eks.Addon(
        `${name}-${addonName}`,
        {
          clusterName: cluster.name,
          addonName,
          addonVersion: addonVersion(addonName),
          resolveConflictsOnCreate: "OVERWRITE",
          resolveConflictsOnUpdate: "OVERWRITE",
          tags: tags(),
          ...extra,
        },
        { parent: this, dependsOn },
      );
    const addonRole = (suffix: string, managedPolicy: string) => {
      const { role } = platformRole(
        `${name}-${suffix}`,
        {
          ctx,
          description: `${suffix} add-on of ${clusterName} (EKS Pod Identity)`,
          permissionsBoundaryArn: args.security.permissionsBoundaryArn,
          assumeRolePolicy: pulumi.all([accountId, cluster.arn]).apply(([a, c]) => podIdentityTrust(a, c)),
          tags: tags(),
        },
        p,
      );
      const attachment = new aws.iam.RolePolicyAttachment(
        `${name}-${suffix}`,
        { role: role.name, policyArn: MANAGED(managedPolicy) },
        p,
      );
      return { role, attachment };
    };

    // Pod Identity and the CNI go in before nodes so the first node already runs the configured versions.
    const podIdentityAgent = addon("eks-pod-identity-agent", {}, []);
    const cni = addonRole("vpc-cni", "AmazonEKS_CNI_Policy");
    const vpcCni = addon(
      "vpc-cni",
      {
        configurationValues: VPC_CNI_CONFIGURATION,
        podIdentityAssociations: [{ roleArn: cni.role.arn, serviceAccount: "aws-node" }],
      },
      [podIdentityAgent, cni.attachment],
    );
    const kubeProxy = addon("kube-proxy", {}, []);

    this.nodeSecurityGroupIds = [
      cluster.vpcConfig.clusterSecurityGroupId,
      pulumi.output(args.network.workloadSecurityGroupIds.compute),
    ];
    const nodeGroups = Object.entries(config.nodeGroups).map(([group, g]) => {
      const groupTags = tags({ [NODE_GROUP_LABEL]: group });
      const template = new aws.ec2.LaunchTemplate(
        `${name}-${group}`,
        {
          description: `${clusterName} ${group} nodes`,
          // The compute group is what the warehouse and Kafka admit; the cluster group keeps node <-> control plane traffic.
          vpcSecurityGroupIds: this.nodeSecurityGroupIds,
          // IMDSv2 with one hop: pods cannot reach the node's credentials, so Pod Identity is the only way to AWS.
          metadataOptions: {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
          },
          blockDeviceMappings: [
            {
              deviceName: "/dev/xvda",
              ebs: { volumeSize: g.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            },
          ],
          tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
            resourceType,
            tags: groupTags,
          })),
          updateDefaultVersion: true,
          tags: groupTags,
        },
        p,
      );
      const spec = nodeGroupSpec(group, g);
      return new aws.eks.NodeGroup(
        `${name}-${group}`,
        {
          clusterName: cluster.name,
          nodeRoleArn: nodeRole.arn,
          subnetIds: args.network.privateSubnetIds,
          version: config.version,
          ...spec,
          launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
          updateConfig: { maxUnavailablePercentage: 33 },
          tags: groupTags,
        },
        { parent: this, dependsOn: [...nodePolicies, vpcCni, kubeProxy], ignoreChanges: ["scalingConfig.desiredSize"] },
      );
    });

    // Deployments need nodes to schedule on; creating them earlier leaves the add-ons degraded until nodes join.
    addon("coredns", {}, nodeGroups);
    addon("metrics-server", {}, nodeGroups);
    const ebs = addonRole("ebs-csi", "service-role/AmazonEBSCSIDriverPolicy");
    addon(
      "aws-ebs-csi-driver",
      { podIdentityAssociations: [{ roleArn: ebs.role.arn, serviceAccount: "ebs-csi-controller-sa" }] },
      [...nodeGroups, podIdentityAgent, ebs.attachment],
    );

    // Access entries, never aws-auth: the deployer and the configured administrators get the admin access policy.
    const admins: pulumi.Input<string>[] = [
      ...(args.deployerRoleArn ? [args.deployerRoleArn] : []),
      ...config.adminRoleArns,
      ...(args.runner ? [args.runner.roleArn] : []),
    ];
    const accessEntries = admins.map((principalArn, i) => {
      const entry = new aws.eks.AccessEntry(
        `${name}-admin-${i}`,
        { clusterName: cluster.name, principalArn, type: "STANDARD", tags: tags() },
        p,
      );
      return new aws.eks.AccessPolicyAssociation(
        `${name}-admin-${i}`,
        {
          clusterName: cluster.name,
          principalArn,
          policyArn: CLUSTER_ADMIN_POLICY_ARN,
          accessScope: { type: "cluster" },
        },
        { parent: this, dependsOn: [entry] },
      );
    });

    if (args.runner) {
      // The runner reaches the private endpoint: 443 from its security group, never from an address range.
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-runner-api`,
        {
          securityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
          referencedSecurityGroupId: args.runner.securityGroupId,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          description: "The deploy runner reaches the Kubernetes API",
          tags: tags(),
        },
        p,
      );
    }

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data])
        .apply(([n, e, ca]) => eksKubeconfig(n, e, ca, ctx.region)),
    );
    const autoscalerId = () =>
      autoscalerIdentity(`${name}-autoscaler`, { ctx, accountId, args, eks, clusterName }, this, podIdentityAgent);
    if (args.kubernetesObjects === false) {
      // The autoscaler's pod identity is AWS and stays here; its release comes with the workload layer.
      if (config.autoscaler.enabled) autoscalerId();
      this.registerOutputs({ clusterName: this.clusterName, clusterArn: this.clusterArn, endpoint: this.endpoint });
      return;
    }
    // Objects wait for nodes and admin access, so the first `up` does not race the cluster it creates.
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig },
      { parent: this, dependsOn: [...nodeGroups, ...accessEntries] },
    );
    const spotGroup = Object.entries(config.nodeGroups).find(([, g]) => g.dedicatedTo === "spark-executors");
    this.target = { provider: this.provider, eks, spotExecutors: spotGroup ? spotScheduling(spotGroup[0]) : undefined };

    // Node groups only change size when something asks: the Cluster Autoscaler, with its own Pod Identity (the AWS
    // SDK bundled in 1.33, v1.48, reads Pod Identity credentials).
    if (config.autoscaler.enabled) {
      const association = autoscalerId();
      autoscalerRelease(
        `${name}-autoscaler`,
        { ctx, config, clusterName },
        { parent: this, provider: this.provider, dependsOn: [association] },
      );
    }

    this.registerOutputs({
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      endpoint: this.endpoint,
      nodeRoleArn: this.nodeRoleArn,
    });
  }
}

/** The Cluster Autoscaler's AWS side: its Pod Identity, which may exist before the release. */
function autoscalerIdentity(
  name: string,
  i: {
    ctx: PlatformContext;
    accountId: pulumi.Output<string>;
    args: KubernetesClusterArgs;
    eks: EksRefs;
    clusterName: string;
  },
  parent: pulumi.Resource,
  podIdentityAgent: pulumi.Resource,
): pulumi.Resource {
  const { association } = podIdentity(
    name,
    {
      ctx: i.ctx,
      accountId: i.accountId,
      permissionsBoundaryArn: i.args.security.permissionsBoundaryArn,
      eks: i.eks,
      namespace: CLUSTER_AUTOSCALER.namespace,
      serviceAccount: CLUSTER_AUTOSCALER.serviceAccount,
      policy: i.accountId.apply((a) =>
        clusterAutoscalerPolicy({ region: i.ctx.region, accountId: a, clusterName: i.clusterName }),
      ),
      description: `Cluster Autoscaler of ${i.clusterName}: sizes its managed node groups (EKS Pod Identity)`,
      tags: baseTags(i.ctx, "compute"),
    },
    { parent, dependsOn: [podIdentityAgent] },
  );
  return association;
}

/** The Cluster Autoscaler's release: in the cluster's component, or in the workload layer's. */
export function autoscalerRelease(
  name: string,
  i: { ctx: PlatformContext; config: EksClusterConfig; clusterName: string },
  opts: pulumi.CustomResourceOptions,
): k8s.HelmRelease {
  return new k8s.helm.v3.Release(
    name,
    {
      name: CLUSTER_AUTOSCALER.release,
      chart: CHARTS.clusterAutoscaler.chart,
      version: CHARTS.clusterAutoscaler.version,
      repositoryOpts: { repo: CHARTS.clusterAutoscaler.repo },
      namespace: CLUSTER_AUTOSCALER.namespace,
      values: clusterAutoscalerValues({
        clusterName: i.clusterName,
        region: i.ctx.region,
        config: i.config.autoscaler,
        nodeSelector: { [NODE_GROUP_LABEL]: systemNodeGroup(i.config.nodeGroups) },
      }),
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 5,
    },
    opts,
  );
}
