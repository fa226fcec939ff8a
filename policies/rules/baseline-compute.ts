import type { PolicyResource } from "@pulumi/policy";
// Hardening checks of the industry scanners (Checkov's AWS checks, AWS Security Hub's Foundational Security Best
// Practices) for compute and network resources, each citing the check it follows: functions, EKS, launch templates,
// route tables. (Unattached Elastic IPs are network.ts's ec2-eip-in-use.)
import { ALWAYS, PlatformRule, resourceRule, SECURITY, stackRule } from "./define";
import { SECRET_VALUE } from "./ingestion";
import { list } from "./util";
import { stackIndex } from "./stack-index";

const T = {
  fn: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  cluster: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  routeTable: "aws:ec2/routeTable:RouteTable",
  route: "aws:ec2/route:Route",
  association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  subnet: "aws:ec2/subnet:Subnet",
} as const;

/**
 * Lambda runtimes AWS still supports (Lambda runtime deprecation schedule, checked 2026-12): a deprecated runtime
 * gets no security patches and, some months later, can no longer be updated.
 */
export const SUPPORTED_LAMBDA_RUNTIMES: readonly string[] = [
  "nodejs22.x",
  "nodejs24.x",
  "python3.12",
  "python3.13",
  "python3.14",
  "java17",
  "java21",
  "java25",
  "dotnet8",
  "dotnet10",
  "ruby3.3",
  "ruby3.4",
  "provided.al2023",
];

/** EKS Kubernetes versions in AWS standard or extended support (Amazon EKS Kubernetes release calendar, 2026-12). */
export const SUPPORTED_EKS_VERSIONS: readonly string[] = ["1.31", "1.32", "1.33", "1.34", "1.35"];

/** Environment names and values that point a function at a data store reached over the VPC's network. */
const PRIVATE_ENDPOINT_NAME = /(_HOST|_BROKERS|_BOOTSTRAP_SERVERS|_JDBC_URL|_DB_ENDPOINT)$/;
const PRIVATE_ENDPOINT_VALUE = /\.(kafka|redshift-serverless|redshift|rds)\.[a-z0-9-]+\.amazonaws\.com/;

const envOf = (r: { props: Record<string, unknown> }): Record<string, string> =>
  ((r.props.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {}) as Record<
    string,
    string
  >;

export const baselineComputeRules: PlatformRule[] = [
  // Security Hub Lambda.2, Checkov CKV_AWS_363.
  resourceRule({
    name: "lambda-supported-runtime",
    description: `Every function runs on a runtime AWS supports (${SUPPORTED_LAMBDA_RUNTIMES.slice(0, 3).join(", ")}, …); deprecated runtimes get no security patches.`,
    remediation: "Move the function to a supported runtime (the platform's functions use nodejs22.x).",
    group: "security",
    resourceTypes: [T.fn],
    enforcement: SECURITY,
    validate(r, report) {
      const runtime = r.props.runtime as string | undefined;
      if (r.props.packageType === "Image") return;
      if (!runtime || !SUPPORTED_LAMBDA_RUNTIMES.includes(runtime))
        report(`runtime ${runtime ?? "(unset)"} is not supported`);
    },
  }),
  // Checkov CKV_AWS_173.
  resourceRule({
    name: "lambda-environment-cmk",
    description:
      "A function with environment variables encrypts them with a customer-managed KMS key, not Lambda's default key.",
    remediation: "Set kmsKeyArn to the stack's key of the function's classification (PlatformFunction does).",
    group: "security",
    resourceTypes: [T.fn],
    enforcement: SECURITY,
    validate(r, report) {
      if (Object.keys(envOf(r)).length > 0 && !r.props.kmsKeyArn)
        report("environment variables are encrypted with Lambda's default key");
    },
  }),
  // Checkov CKV_AWS_117, Security Hub Lambda.3.
  resourceRule({
    name: "lambda-private-data-in-vpc",
    description:
      "A function that reaches a private data store (warehouse, Kafka, database host in its environment) runs in the VPC, so that traffic never leaves it.",
    remediation: "Give the function vpcConfig with the private subnets and a security group the data store admits.",
    group: "security",
    resourceTypes: [T.fn],
    enforcement: SECURITY,
    validate(r, report) {
      const vpc = r.props.vpcConfig as { subnetIds?: unknown[] } | undefined;
      if (vpc && list(vpc.subnetIds).length > 0) return;
      const reaches = Object.entries(envOf(r)).filter(
        ([k, v]) => PRIVATE_ENDPOINT_NAME.test(k) || PRIVATE_ENDPOINT_VALUE.test(String(v)),
      );
      if (reaches.length > 0) report(`reaches ${reaches.map(([k]) => k).join(", ")} from outside the VPC`);
    },
  }),
  // Checkov CKV_AWS_364, Security Hub Lambda.1.
  resourceRule({
    name: "lambda-permission-source-arn",
    description:
      "Every invoke permission for an AWS service names the source (sourceArn), so no other account's bucket, rule or API can invoke the function through the same service.",
    remediation: "Set sourceArn to the rule, API or bucket that invokes the function (and sourceAccount for S3).",
    group: "security",
    resourceTypes: [T.permission],
    enforcement: SECURITY,
    validate(r, report) {
      const principal = String(r.props.principal ?? "");
      if (principal.endsWith(".amazonaws.com") && !r.props.sourceArn)
        report(`lets ${principal} invoke from any source`);
    },
  }),
  // Security Hub EKS.2.
  resourceRule({
    name: "eks-supported-version",
    description: `EKS clusters run a Kubernetes version AWS supports (${SUPPORTED_EKS_VERSIONS.join(", ")}).`,
    remediation: "Upgrade the cluster (compute.kubernetesVersion) to a supported minor version.",
    group: "security",
    resourceTypes: [T.cluster],
    enforcement: SECURITY,
    validate(r, report) {
      const version = r.props.version as string | undefined;
      if (!version || !SUPPORTED_EKS_VERSIONS.includes(version))
        report(`Kubernetes ${version ?? "(unset)"} is not supported`);
    },
  }),
  // Checkov CKV_AWS_100.
  resourceRule({
    name: "eks-nodegroup-no-remote-access",
    description: "Node groups open no SSH access to their nodes; nodes are reached through SSM if at all.",
    remediation: "Remove remoteAccess from the node group.",
    group: "security",
    resourceTypes: [T.nodeGroup],
    enforcement: SECURITY,
    validate(r, report) {
      const remote = r.props.remoteAccess as { ec2SshKey?: string } | undefined;
      if (remote && (remote.ec2SshKey || Object.keys(remote).length > 0)) report("allows SSH access to its nodes");
    },
  }),
  // EKS best practices (access entries), Checkov CKV_AWS_58 family.
  resourceRule({
    name: "eks-no-creator-admin",
    description:
      "The identity that creates an EKS cluster is not made its administrator behind the scenes: admins are access entries the stack declares.",
    remediation: "Set accessConfig.bootstrapClusterCreatorAdminPermissions to false and declare access entries.",
    group: "security",
    resourceTypes: [T.cluster],
    enforcement: SECURITY,
    validate(r, report) {
      const access = r.props.accessConfig as { bootstrapClusterCreatorAdminPermissions?: boolean } | undefined;
      if (access?.bootstrapClusterCreatorAdminPermissions !== false)
        report("makes its creator a cluster administrator");
    },
  }),
  // Security Hub EC2.25, Checkov CKV_AWS_88.
  resourceRule({
    name: "ec2-launch-template-no-public-ip",
    description: "Launch templates give their instances no public IP address.",
    remediation: "Set associatePublicIpAddress to false (or leave it unset) on every network interface.",
    group: "security",
    resourceTypes: [T.launchTemplate],
    enforcement: SECURITY,
    validate(r, report) {
      for (const ni of list(r.props.networkInterfaces) as { associatePublicIpAddress?: unknown }[])
        if (String(ni.associatePublicIpAddress) === "true") report("gives instances a public IP address");
    },
  }),
  // Checkov CKV_AWS_46.
  resourceRule({
    name: "ec2-user-data-no-secrets",
    description: "Launch templates carry no credentials in user data, which anyone with ec2:Describe* can read.",
    remediation: "Read secrets at boot from Secrets Manager with the instance role instead.",
    group: "security",
    resourceTypes: [T.launchTemplate],
    enforcement: ALWAYS,
    validate(r, report) {
      const raw = r.props.userData as string | undefined;
      if (!raw) return;
      const text = /^[A-Za-z0-9+/=\s]+$/.test(raw) ? Buffer.from(raw, "base64").toString("utf8") : raw;
      const assigned = /(password|passwd|secret|token)\w*\s*[=:]\s*["']?[^\s"'$]{6,}/i;
      if (SECRET_VALUE.some((re) => re.test(text)) || assigned.test(text)) report("user data contains a credential");
    },
  }),
  // Checkov CKV2_AWS_44 (private route tables), Security Hub EC2.15 family.
  stackRule({
    name: "ec2-private-routes-no-igw",
    description:
      "Route tables of private subnets (those tagged for internal load balancers) send no traffic to an internet gateway: they reach out through NAT only.",
    remediation: "Route 0.0.0.0/0 of private subnets to the AZ's NAT gateway.",
    group: "security",
    resourceTypes: [T.routeTable, T.route, T.association],
    enforcement: SECURITY,
    validate(resources, report) {
      const privateSubnets = resources.filter(
        (r) =>
          r.type === T.subnet &&
          (r.props.tags as Record<string, string> | undefined)?.["kubernetes.io/role/internal-elb"] === "1",
      );
      const index = stackIndex(resources);
      // The first resource of a list (in plan order) that `a` depends on.
      const firstDependency = (a: PolicyResource, among: readonly PolicyResource[]) => {
        const deps = new Set(a.dependencies.map((d) => d.urn));
        return among.find((r) => deps.has(r.urn));
      };
      for (const a of index.ofType(T.association)) {
        const subnet = firstDependency(a, privateSubnets);
        if (!subnet) continue;
        const table = firstDependency(a, index.ofType(T.routeTable));
        if (!table) continue;
        const routes = [
          ...(list(table.props.routes) as Record<string, unknown>[]),
          ...index.dependents(table, T.route).map((r) => r.props),
        ];
        if (routes.some((route) => /^igw-/.test(String(route.gatewayId ?? ""))))
          report(`routes private subnet ${subnet.name} to an internet gateway`, table.urn);
      }
    },
  }),
];
