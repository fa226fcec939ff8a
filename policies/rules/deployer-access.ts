import type { PolicyResource } from "@pulumi/policy";
import { ALWAYS, PlatformRule, resourceRule, stackRule } from "./define";
import { dependenciesOf, grants, servicePrincipals } from "./graph";
import { K8S } from "./kubernetes";
import { EC2, sgRules } from "./security-groups";
import { list, parsePolicy, Stmt } from "./util";
import { stackIndex } from "./stack-index";

// How `pulumi up` reaches the private cluster (docs/deployment.md): the in-VPC deploy runner (a CodeBuild project),
// its role, and the one door into the cluster security group. `eks-endpoint-not-public` and
// `eks-public-endpoint-restricted` (kubernetes.ts) guard the other mode, a public endpoint for listed CIDRs.

export const DEPLOY = {
  project: "aws:codebuild/project:Project",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

const ROLE_CREATION = [
  "iam:CreateRole",
  "iam:PutRolePolicy",
  "iam:AttachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
];

const conditionKeys = (s: Stmt): string[] =>
  Object.values(s.Condition ?? {}).flatMap((block) => Object.keys(block).map((k) => k.toLowerCase()));

/** What a deploy role's inline statement must not do: act on everything, or create roles outside the boundary. */
export function deployStatementProblems(s: Stmt): string[] {
  if (s.Effect !== "Allow") return [];
  const problems: string[] = [];
  const actions = list(s.Action);
  const wild = actions.filter((a) => a === "*" || /^[a-z0-9-]+:\*$/i.test(a));
  if (wild.length > 0 || s.NotAction !== undefined)
    problems.push(`allows ${wild.length > 0 ? wild.join(", ") : "everything but NotAction"}`);
  const creates = ROLE_CREATION.filter((a) => grants(s, a));
  if (creates.length > 0 && !conditionKeys(s).includes("iam:permissionsboundary"))
    problems.push(`allows ${creates.join(", ")} without an iam:PermissionsBoundary condition`);
  if (grants(s, "iam:PassRole") && !conditionKeys(s).includes("iam:passedtoservice"))
    problems.push("allows iam:PassRole without an iam:PassedToService condition");
  return problems;
}

/** The role a CodeBuild project runs as: a dependency, or the role whose path and name end its `serviceRole`. */
function serviceRoles(project: PolicyResource, resources: readonly PolicyResource[]): PolicyResource[] {
  const arn = String(project.props.serviceRole ?? "");
  const byArn = resources.filter(
    (r) =>
      r.type === DEPLOY.role &&
      typeof r.props.name === "string" &&
      arn.endsWith(`:role${String(r.props.path ?? "/")}${r.props.name}`),
  );
  return [...new Set([...dependenciesOf(project, DEPLOY.role), ...byArn])];
}

const inlinePolicies = (role: PolicyResource, resources: readonly PolicyResource[]) =>
  resources.filter(
    (r) =>
      r.type === DEPLOY.rolePolicy &&
      (r.dependencies.some((d) => d.urn === role.urn) || (role.props.name && r.props.role === role.props.name)),
  );

/** Security groups a deploy runner (any CodeBuild project) runs in. */
const runnerGroups = (resources: readonly PolicyResource[]) =>
  new Set(
    resources
      .filter((r) => r.type === DEPLOY.project)
      .flatMap((p) => dependenciesOf(p, EC2.securityGroup).map((sg) => sg.urn)),
  );

export const deployerAccessRules: PlatformRule[] = [
  resourceRule({
    name: "deploy-runner-private",
    description:
      "A deploy runner (CodeBuild project) runs inside the VPC, in its own security group, unprivileged, with its artifacts encrypted by a customer-managed key.",
    remediation:
      "Create the runner with DeployRunner (compute.cluster.deployerAccess: runner): private subnets, its own group, privilegedMode false, encryptionKey.",
    group: "security",
    resourceTypes: [DEPLOY.project],
    enforcement: ALWAYS,
    validate(r, report) {
      const vpc = (r.props.vpcConfig ?? {}) as { subnets?: unknown; securityGroupIds?: unknown };
      if (list(vpc.subnets as string[] | undefined).length === 0)
        report("runs outside the VPC (no vpcConfig.subnets): it cannot reach a private cluster endpoint");
      else if (list(vpc.securityGroupIds as string[] | undefined).length === 0)
        report("has no security group of its own for the cluster to admit");
      if ((r.props.environment as { privilegedMode?: boolean } | undefined)?.privilegedMode === true)
        report("runs privileged (Docker daemon access): a deployer needs no root on the build host");
      if (typeof r.props.encryptionKey !== "string" || r.props.encryptionKey === "")
        report("has no customer-managed encryptionKey for its artifacts and logs");
    },
  }),
  stackRule({
    name: "deploy-runner-role-bounded",
    description:
      "A deploy runner's role carries the permissions boundary, can be assumed by CodeBuild of this account only, and its inline policy grants no service-wide action, creates roles only under the boundary and passes roles only to a named service.",
    remediation:
      "Use DeployRunner's role (components/compute/runner.ts runnerPolicy): platformRole with serviceTrust('codebuild.amazonaws.com', account).",
    group: "security",
    resourceTypes: [DEPLOY.project, DEPLOY.role, DEPLOY.rolePolicy],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const project of stackIndex(resources).ofType(DEPLOY.project)) {
        const roles = serviceRoles(project, resources);
        if (roles.length === 0) {
          report(
            `'${project.name}' runs as a role this stack does not declare, so its rights cannot be checked`,
            project.urn,
          );
          continue;
        }
        for (const role of roles) {
          if (typeof role.props.permissionsBoundary !== "string" || role.props.permissionsBoundary === "")
            report(`'${role.name}' deploys without a permissions boundary`, role.urn);
          for (const s of parsePolicy(role.props.assumeRolePolicy)?.Statement ?? []) {
            if (s.Effect !== "Allow") continue;
            const services = servicePrincipals(s);
            if (services.length !== 1 || services[0] !== "codebuild.amazonaws.com" || s.Principal === "*")
              report(`'${role.name}' can be assumed by ${JSON.stringify(s.Principal)}, not CodeBuild alone`, role.urn);
            else if (!conditionKeys(s).some((k) => k === "aws:sourceaccount" || k === "aws:sourcearn"))
              report(`'${role.name}' trusts CodeBuild of any account (no aws:SourceAccount condition)`, role.urn);
          }
          for (const p of inlinePolicies(role, resources))
            for (const s of parsePolicy(p.props.policy)?.Statement ?? [])
              for (const problem of deployStatementProblems(s))
                report(`'${role.name}' ${problem}${s.Sid ? ` (statement ${s.Sid})` : ""}`, p.urn);
        }
      }
    },
  }),
  stackRule({
    name: "eks-api-ingress-runner-only",
    description:
      "The cluster security group admits HTTPS from the deploy runner's security group only: never an address range, never another port.",
    remediation:
      "Let KubernetesCluster add the rule for the DeployRunner (compute.cluster.deployerAccess: runner); reach the API from inside the VPC.",
    group: "security",
    resourceTypes: [EC2.ingressRule, EC2.securityGroupRule],
    enforcement: ALWAYS,
    validate(resources, report) {
      const runners = runnerGroups(resources);
      const clusters = new Set(
        stackIndex(resources)
          .ofType(K8S.cluster)
          .map((c) => c.urn),
      );
      for (const r of stackIndex(resources).ofType(EC2.ingressRule, EC2.securityGroupRule)) {
        if (!r.dependencies.some((d) => clusters.has(d.urn))) continue; // not the cluster security group
        const [rule] = sgRules(r);
        if (!rule || rule.direction !== "ingress") continue;
        if (rule.cidrs.length > 0)
          report(`'${r.name}' admits ${rule.cidrs.join(", ")} to the cluster API: only the runner's group may`, r.urn);
        else if (!dependenciesOf(r, EC2.securityGroup).some((sg) => runners.has(sg.urn)))
          report(`'${r.name}' admits a security group that is not a deploy runner's`, r.urn);
        if (rule.protocol !== "tcp" || rule.from !== 443 || rule.to !== 443)
          report(
            `'${r.name}' opens ${rule.protocol} ${rule.from}-${rule.to} on the cluster group, not HTTPS alone`,
            r.urn,
          );
      }
    },
  }),
];
