import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platformRole, serviceTrust } from "../core/iam";
import { baseTags } from "../core/tags";
import type { NetworkRefs, PlatformContext, SecurityRefs } from "../core/types";
import type { RunnerConfig } from "./cluster-config";
import { RUNNER_IMAGE, runnerBuildspec, runnerPolicy, runnerRoleName, runnerTokenSecretName } from "./runner";

export interface DeployRunnerArgs {
  readonly ctx: PlatformContext;
  readonly network: NetworkRefs;
  readonly security: SecurityRefs;
  readonly accountId: pulumi.Input<string>;
  /** The cluster the runner deploys into (plain: the name is fixed before the cluster exists). */
  readonly clusterName: string;
  readonly config: RunnerConfig;
  /** @default `<organization>/<project>/<env>-workloads`, `<env>` being this stack's name without `-foundation` */
  readonly workloadStack?: string;
  /** Build logs' retention. */
  readonly logRetentionDays: number;
}

/**
 * The in-VPC deployer of the workload layer: a CodeBuild project in the private subnets, with its own egress-only
 * security group (which the cluster security group admits on 443), a least-privilege role under the permissions
 * boundary, encrypted build logs, and the secret that holds the Pulumi backend's token (value set by the operator).
 */
export class DeployRunner extends pulumi.ComponentResource {
  readonly projectName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  readonly tokenSecretArn: pulumi.Output<string>;

  constructor(name: string, args: DeployRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:compute:DeployRunner", name, {}, opts);
    const { ctx } = args;
    const p = { parent: this };
    const tags = baseTags(ctx, "compute", { "data-platform:app": "deploy-runner" });
    const accountId = pulumi.output(args.accountId);
    const projectName = `${ctx.prefix}-deploy`;
    // `<env>-foundation` (or the single stack `<env>`) deploys `<env>-workloads` of the same organisation and project.
    const workloadStack =
      args.workloadStack ??
      `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack().replace(/-foundation$/, "")}-workloads`;

    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.network.vpcId,
        description: `Deploy runner of ${ctx.prefix}: admitted to the cluster API, admits nothing`,
        ingress: [],
        egress: [
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["0.0.0.0/0"],
            description: "HTTPS: the cluster API, AWS APIs, the Pulumi backend, npm",
          },
        ],
        tags: { ...tags, Name: `${ctx.prefix}-deploy-runner` },
      },
      p,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/codebuild/${projectName}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.security.keyArns.internal,
        tags,
      },
      p,
    );
    const token = new aws.secretsmanager.Secret(
      `${name}-token`,
      {
        name: runnerTokenSecretName(ctx.prefix),
        description: "The Pulumi backend's access token the deploy runner signs in with; set by the operator",
        kmsKeyId: args.security.keyArns.confidential,
        recoveryWindowInDays: ctx.allowDestroyData ? 7 : 30,
        tags,
      },
      p,
    );
    const keyArns = pulumi.all(Object.values(args.security.keyArns));
    const { role } = platformRole(
      `${name}-deployer`,
      {
        ctx,
        roleName: runnerRoleName(ctx.prefix),
        description: `Deploys the workload layer of ${ctx.prefix} from CodeBuild inside the VPC`,
        permissionsBoundaryArn: args.security.permissionsBoundaryArn,
        assumeRolePolicy: accountId.apply((a) => serviceTrust("codebuild.amazonaws.com", a)),
        policy: pulumi
          .all([accountId, args.network.vpcId, args.security.permissionsBoundaryArn, keyArns, logGroup.arn, token.arn])
          .apply(([a, vpcId, boundary, keys, logGroupArn, tokenSecretArn]) =>
            runnerPolicy({
              region: ctx.region,
              accountId: a,
              prefix: ctx.prefix,
              clusterName: args.clusterName,
              vpcId,
              permissionsBoundaryArn: boundary,
              keyArns: keys,
              logGroupArn,
              tokenSecretArn,
            }),
          ),
        tags,
      },
      p,
    );
    const project = new aws.codebuild.Project(
      `${name}-project`,
      {
        name: projectName,
        description: `pulumi preview/up of ${workloadStack} from inside the VPC`,
        serviceRole: role.arn,
        buildTimeout: args.config.timeoutMinutes,
        encryptionKey: args.security.keyArns.internal,
        source: { type: "NO_SOURCE", buildspec: runnerBuildspec({ workloadStack, environment: ctx.environment }) },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: {
          type: "LINUX_CONTAINER",
          computeType: args.config.computeType,
          image: RUNNER_IMAGE,
          privilegedMode: false,
          environmentVariables: [
            { name: "PULUMI_ACCESS_TOKEN", type: "SECRETS_MANAGER", value: token.arn },
            { name: "AWS_REGION", type: "PLAINTEXT", value: ctx.region },
          ],
        },
        vpcConfig: {
          vpcId: args.network.vpcId,
          subnets: args.network.privateSubnetIds,
          securityGroupIds: [sg.id],
        },
        logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name } },
        tags,
      },
      p,
    );
    this.projectName = project.name;
    this.roleArn = role.arn;
    this.securityGroupId = sg.id;
    this.tokenSecretArn = token.arn;
    this.registerOutputs({ projectName: this.projectName, roleArn: this.roleArn, securityGroupId: sg.id });
  }
}
