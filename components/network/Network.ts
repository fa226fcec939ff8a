import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { doc, platformRole, serviceTrust } from "../core/iam";
import { baseTags } from "../core/tags";
import { NetworkRefs, PlatformContext, WORKLOAD_KINDS, WorkloadKind } from "../core/types";
import { planSubnets } from "./subnets";

/** A new VPC laid out by the profile. */
export interface NewVpcArgs {
  readonly ctx: PlatformContext;
  /** VPC CIDR, /16 to /24. @default profile: dev 10.10.0.0/16, staging 10.20.0.0/16, prod 10.30.0.0/16 */
  readonly cidr: string;
  /** AZ names; their count is the AZ count (dev 2, prod 3). */
  readonly availabilityZones: readonly string[];
  /** @default dev/staging "single", prod "per-az" */
  readonly natGateways: "single" | "per-az";
  /** Interface endpoints for AWS APIs (Secrets Manager, STS, KMS, Logs, SQS, ECR). @default false (the dev profile: they cost per hour) */
  readonly interfaceEndpoints?: boolean;
  /** KMS key for the flow-log group. */
  readonly logKeyArn: pulumi.Input<string>;
  /** @default dev 7, staging 30, prod 365 */
  readonly flowLogRetentionDays: number;
  /** Carried by the flow-log delivery role. */
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  readonly existing?: undefined;
}

/** The VPC a platform team already runs: what the components attach to. */
export interface ExistingVpc {
  readonly vpcId: pulumi.Input<string>;
  /** The VPC's CIDR: workloads may reach data stores inside it. */
  readonly cidr: pulumi.Input<string>;
  /** At least two, in different AZs: data stores and functions go here. */
  readonly privateSubnetIds: readonly pulumi.Input<string>[];
  /** @default [] */
  readonly publicSubnetIds?: readonly pulumi.Input<string>[];
}

/** Bring your own VPC: the workload security groups are created, endpoints only when asked. */
export interface ExistingVpcArgs {
  readonly ctx: PlatformContext;
  readonly existing: ExistingVpc;
  /**
   * Route tables to attach S3 and DynamoDB gateway endpoints to. @default none: an existing VPC usually has them,
   * and a second S3 endpoint on the same route table is refused
   */
  readonly gatewayEndpointRouteTableIds?: readonly pulumi.Input<string>[];
  /** Interface endpoints for AWS APIs in the private subnets. @default false: their private DNS names can exist only once per VPC */
  readonly interfaceEndpoints?: boolean;
}

export type NetworkArgs = NewVpcArgs | ExistingVpcArgs;

const INTERFACE_SERVICES = ["secretsmanager", "sts", "kms", "logs", "sqs", "ecr.api", "ecr.dkr", "monitoring"];

/**
 * The VPC every other component lives in: private subnets for data and compute, NAT per profile, gateway
 * endpoints so lake and table traffic never leaves AWS's network, flow logs, and the workload security groups
 * that data stores admit by reference. Given an existing VPC, only the workload security groups, plus the
 * endpoints asked for.
 */
export class Network extends pulumi.ComponentResource implements NetworkRefs {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly azCount: number;
  readonly workloadSecurityGroupIds: Record<WorkloadKind, pulumi.Output<string>>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:network:Network", name, {}, opts);
    const { ctx } = args;
    const tags = (extra: Record<string, string> = {}) => baseTags(ctx, "network", extra);
    const p = { parent: this };
    this.azCount = args.existing ? args.existing.privateSubnetIds.length : args.availabilityZones.length;

    let gatewayRouteTableIds: readonly pulumi.Input<string>[];
    if (args.existing) {
      this.vpcId = pulumi.output(args.existing.vpcId);
      this.vpcCidr = pulumi.output(args.existing.cidr);
      this.privateSubnetIds = args.existing.privateSubnetIds.map((s) => pulumi.output(s));
      this.publicSubnetIds = (args.existing.publicSubnetIds ?? []).map((s) => pulumi.output(s));
      gatewayRouteTableIds = args.gatewayEndpointRouteTableIds ?? [];
    } else {
      const plan = planSubnets(args.cidr, args.availabilityZones.length);
      const vpc = new aws.ec2.Vpc(
        name,
        {
          cidrBlock: args.cidr,
          enableDnsHostnames: true,
          enableDnsSupport: true,
          tags: tags({ Name: `${ctx.prefix}-vpc` }),
        },
        p,
      );
      this.vpcId = vpc.id;
      this.vpcCidr = vpc.cidrBlock;
      // Lock down the default security group: nothing should ever use it.
      new aws.ec2.DefaultSecurityGroup(
        `${name}-default`,
        { vpcId: vpc.id, ingress: [], egress: [], tags: tags({ Name: `${ctx.prefix}-default-deny` }) },
        p,
      );
      const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: tags({ Name: `${ctx.prefix}-igw` }) }, p);
      const publicRt = new aws.ec2.RouteTable(
        `${name}-public`,
        {
          vpcId: vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
          tags: tags({ Name: `${ctx.prefix}-public` }),
        },
        p,
      );

      const publicSubnets = args.availabilityZones.map((az, i) => {
        const subnet = new aws.ec2.Subnet(
          `${name}-public-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock: plan.public[i],
            availabilityZone: az,
            mapPublicIpOnLaunch: false,
            tags: tags({ Name: `${ctx.prefix}-public-${az}`, "kubernetes.io/role/elb": "1" }),
          },
          p,
        );
        new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRt.id }, p);
        return subnet;
      });
      const natCount = args.natGateways === "per-az" ? args.availabilityZones.length : 1;
      const nats = publicSubnets.slice(0, natCount).map((subnet, i) => {
        const eip = new aws.ec2.Eip(
          `${name}-nat-${i}`,
          { domain: "vpc", tags: tags({ Name: `${ctx.prefix}-nat-${i}` }) },
          p,
        );
        return new aws.ec2.NatGateway(
          `${name}-nat-${i}`,
          { allocationId: eip.id, subnetId: subnet.id, tags: tags({ Name: `${ctx.prefix}-nat-${i}` }) },
          p,
        );
      });
      const privateSubnets = args.availabilityZones.map((az, i) => {
        const subnet = new aws.ec2.Subnet(
          `${name}-private-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock: plan.private[i],
            availabilityZone: az,
            tags: tags({ Name: `${ctx.prefix}-private-${az}`, "kubernetes.io/role/internal-elb": "1" }),
          },
          p,
        );
        // Each AZ routes through its own NAT when there is one, so losing an AZ's NAT only affects that AZ.
        const rt = new aws.ec2.RouteTable(
          `${name}-private-${i}`,
          {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id }],
            tags: tags({ Name: `${ctx.prefix}-private-${az}` }),
          },
          p,
        );
        new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: rt.id }, p);
        return { subnet, rt };
      });
      this.privateSubnetIds = privateSubnets.map((s) => s.subnet.id);
      this.publicSubnetIds = publicSubnets.map((s) => s.id);
      gatewayRouteTableIds = privateSubnets.map((s) => s.rt.id);

      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-flow-logs`,
        {
          name: `/${ctx.prefix}/vpc/flow-logs`,
          retentionInDays: args.flowLogRetentionDays,
          kmsKeyId: args.logKeyArn,
          tags: tags(),
        },
        p,
      );
      const { role: flowRole } = platformRole(
        `${name}-flow-logs`,
        {
          ctx,
          description: "VPC flow logs delivery",
          permissionsBoundaryArn: args.permissionsBoundaryArn,
          assumeRolePolicy: serviceTrust("vpc-flow-logs.amazonaws.com"),
          policy: logGroup.arn.apply((arn) =>
            doc({
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
              Resource: [arn, `${arn}:*`],
            }),
          ),
          tags: tags(),
        },
        p,
      );
      new aws.ec2.FlowLog(
        `${name}`,
        {
          vpcId: vpc.id,
          trafficType: "ALL",
          logDestinationType: "cloud-watch-logs",
          logDestination: logGroup.arn,
          iamRoleArn: flowRole.arn,
          tags: tags(),
        },
        p,
      );
    }

    // Gateway endpoints are free and keep S3/DynamoDB traffic off the NAT (cheaper) and off the internet.
    for (const service of gatewayRouteTableIds.length > 0 ? ["s3", "dynamodb"] : []) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          vpcId: this.vpcId,
          serviceName: `com.amazonaws.${ctx.region}.${service}`,
          vpcEndpointType: "Gateway",
          routeTableIds: [...gatewayRouteTableIds],
          tags: tags({ Name: `${ctx.prefix}-${service}` }),
        },
        p,
      );
    }

    if (args.interfaceEndpoints) {
      const sg = new aws.ec2.SecurityGroup(
        `${name}-endpoints`,
        {
          vpcId: this.vpcId,
          description: "AWS API interface endpoints: HTTPS from inside the VPC",
          ingress: [
            {
              protocol: "tcp",
              fromPort: 443,
              toPort: 443,
              cidrBlocks: [this.vpcCidr],
              description: "HTTPS from the VPC",
            },
          ],
          egress: [],
          tags: tags({ Name: `${ctx.prefix}-endpoints` }),
        },
        p,
      );
      for (const service of INTERFACE_SERVICES) {
        new aws.ec2.VpcEndpoint(
          `${name}-${service.replace(".", "-")}`,
          {
            vpcId: this.vpcId,
            serviceName: `com.amazonaws.${ctx.region}.${service}`,
            vpcEndpointType: "Interface",
            privateDnsEnabled: true,
            subnetIds: this.privateSubnetIds,
            securityGroupIds: [sg.id],
            tags: tags({ Name: `${ctx.prefix}-${service}` }),
          },
          p,
        );
      }
    }

    const workload = {} as Record<WorkloadKind, pulumi.Output<string>>;
    for (const kind of WORKLOAD_KINDS) {
      // Egress-only identity groups: data stores admit these by reference, so access follows the workload, not an IP range.
      const sg = new aws.ec2.SecurityGroup(
        `${name}-${kind}`,
        {
          vpcId: this.vpcId,
          description: `${kind} workloads of ${ctx.prefix}`,
          ingress: [],
          egress: [
            {
              protocol: "tcp",
              fromPort: 0,
              toPort: 65535,
              cidrBlocks: [this.vpcCidr],
              description: "to data stores and services in the VPC",
            },
            {
              protocol: "tcp",
              fromPort: 443,
              toPort: 443,
              cidrBlocks: ["0.0.0.0/0"],
              description: "HTTPS to AWS APIs and external sources",
            },
          ],
          tags: tags({ Name: `${ctx.prefix}-${kind}`, "data-platform:workload": kind }),
        },
        p,
      );
      workload[kind] = sg.id;
    }
    this.workloadSecurityGroupIds = workload;

    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
      workloadSecurityGroupIds: this.workloadSecurityGroupIds,
    });
  }
}
