import type { PolicyResource } from "@pulumi/policy";
import { ALWAYS, DEV_PROFILE, PlatformRule, PROD_PROFILE, resourceRule, SECURITY, stackRule } from "./define";
import { dependenciesOf, dependents } from "./graph";
import { list } from "./util";

import { DATA_PORTS, EC2, eachRule, fromWorld, ports, portsHit, SG_TYPES, sgRules } from "./security-groups";
import { stackIndex } from "./stack-index";

const vpcsOf = (resources: readonly PolicyResource[]) => stackIndex(resources).ofType(EC2.vpc);
const azOf = (subnet: PolicyResource) =>
  (subnet.props.availabilityZone ?? subnet.props.availabilityZoneId) as string | undefined;

export const networkRules: PlatformRule[] = [
  resourceRule({
    name: "ec2-sg-no-world-ingress-data-ports",
    description:
      "No security group admits 0.0.0.0/0 or ::/0 on a data or admin port (PostgreSQL 5432, Redshift 5439, Kafka 9092-9098, Trino 8080, HTTPS 443, SSH 22, …).",
    remediation:
      "Admit the workload security groups (network.workloadSecurityGroupIds) by reference, never an address range.",
    group: "security",
    resourceTypes: SG_TYPES,
    enforcement: ALWAYS,
    validate(r, report) {
      eachRule(r, "ingress", (rule) => {
        const world = fromWorld(rule);
        const hit = portsHit(rule);
        if (world.length > 0 && hit.length > 0)
          report(
            `admits ${world.join(", ")} on ${ports(rule)} (${[...new Set(hit.map((p) => DATA_PORTS[p]))].join(", ")})`,
          );
      });
    },
  }),
  resourceRule({
    name: "ec2-sg-no-world-ingress",
    description:
      "No security group admits the internet on any other port either: the platform has no public endpoints.",
    remediation:
      "Put public entry points behind a managed service (API Gateway) or waive the one load balancer that needs it, with a reason.",
    group: "security",
    resourceTypes: SG_TYPES,
    enforcement: SECURITY,
    validate(r, report) {
      eachRule(r, "ingress", (rule) => {
        const world = fromWorld(rule);
        if (world.length > 0 && portsHit(rule).length === 0)
          report(`admits ${world.join(", ")} on ${rule.protocol} ${ports(rule)}`);
      });
    },
  }),
  resourceRule({
    name: "ec2-sg-no-world-egress-all",
    description:
      "No security group lets traffic out to the internet on every protocol and port; egress to the internet is HTTPS only.",
    remediation: "Allow tcp 443 to 0.0.0.0/0 and everything else to the VPC CIDR, as the workload groups do.",
    group: "security",
    resourceTypes: SG_TYPES,
    enforcement: SECURITY,
    validate(r, report) {
      eachRule(r, "egress", (rule) => {
        if (fromWorld(rule).length > 0 && rule.from === 0 && rule.to === 65535)
          report(
            `lets ${rule.protocol === "-1" || rule.protocol === "all" ? "all traffic" : `${rule.protocol} on every port`} out to the internet`,
          );
      });
    },
  }),
  resourceRule({
    name: "ec2-sg-rules-described",
    description:
      "Every security group and each of its rules says what it is for, so a reviewer can tell a needed rule from a leftover.",
    remediation: "Set description on the group (not Pulumi's default) and on every ingress and egress rule.",
    group: "governance",
    resourceTypes: SG_TYPES,
    enforcement: SECURITY,
    validate(r, report) {
      if (r.type === EC2.securityGroup && (!r.props.description || r.props.description === "Managed by Pulumi"))
        report("the group has no description");
      const undescribed = sgRules(r).filter((rule) => !rule.description);
      if (undescribed.length > 0)
        report(
          `${undescribed.length} rule(s) without a description (${undescribed.map((u) => `${u.direction} ${ports(u)}`).join(", ")})`,
        );
    },
  }),
  stackRule({
    name: "ec2-default-sg-closed",
    description:
      "Every VPC manages its default security group and leaves it without rules, so nothing attached to it by accident can talk.",
    remediation: "Declare aws.ec2.DefaultSecurityGroup for the VPC with ingress: [] and egress: [] (Network does).",
    group: "security",
    resourceTypes: [EC2.vpc, EC2.defaultSecurityGroup],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const vpc of vpcsOf(resources)) {
        if (dependents(resources, vpc, EC2.defaultSecurityGroup).length === 0)
          report(
            `vpc '${vpc.name}' leaves its default security group open (AWS's default admits all traffic between members)`,
            vpc.urn,
          );
      }
      for (const sg of stackIndex(resources).ofType(EC2.defaultSecurityGroup)) {
        const n = list(sg.props.ingress).length + list(sg.props.egress).length;
        if (n > 0) report(`default security group '${sg.name}' has ${n} rule(s)`, sg.urn);
      }
    },
  }),
  stackRule({
    name: "ec2-vpc-flow-logs",
    description: "Every VPC records flow logs of all traffic (accepted and rejected).",
    remediation: "Add an aws.ec2.FlowLog with vpcId and trafficType ALL to an encrypted log group (Network does).",
    group: "security",
    resourceTypes: [EC2.vpc, EC2.flowLog],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const vpc of vpcsOf(resources)) {
        const logs = dependents(resources, vpc, EC2.flowLog).filter((f) => f.props.vpcId !== undefined);
        if (logs.length === 0) report(`vpc '${vpc.name}' has no flow log`, vpc.urn);
        else if (!logs.some((f) => f.props.trafficType === "ALL"))
          report(`vpc '${vpc.name}' logs only ${logs.map((f) => f.props.trafficType).join(", ")} traffic`, vpc.urn);
      }
    },
  }),
  resourceRule({
    name: "ec2-vpc-dns-enabled",
    description: "VPCs resolve DNS and give instances host names; private interface endpoints and EKS depend on both.",
    remediation: "Set enableDnsSupport and enableDnsHostnames to true.",
    group: "reliability",
    resourceTypes: [EC2.vpc],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.enableDnsSupport === false) report("DNS support is off");
      if (r.props.enableDnsHostnames !== true) report("DNS host names are off");
    },
  }),
  resourceRule({
    name: "ec2-subnet-no-public-ip",
    description:
      "No subnet hands out public IPs on launch: nothing the platform runs needs to be addressable from the internet.",
    remediation: "Set mapPublicIpOnLaunch: false; NAT gateways get their Elastic IPs explicitly.",
    group: "security",
    resourceTypes: [EC2.subnet],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.mapPublicIpOnLaunch === true) report("maps public IPs on launch");
    },
  }),
  stackRule({
    name: "ec2-subnet-explicit-route-table",
    description:
      "Every subnet is associated with a route table of its own declaration, never silently with the VPC's main route table.",
    remediation: "Add an aws.ec2.RouteTableAssociation for the subnet.",
    group: "reliability",
    resourceTypes: [EC2.subnet, EC2.routeTableAssociation],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const subnet of stackIndex(resources).ofType(EC2.subnet)) {
        if (dependents(resources, subnet, EC2.routeTableAssociation).length === 0)
          report(`subnet '${subnet.name}' uses the main route table`, subnet.urn);
      }
    },
  }),
  stackRule({
    name: "ec2-nat-per-az",
    description:
      "In prod, every availability zone with subnets has its own NAT gateway, so losing one AZ does not cut the others off.",
    remediation: "Use the prod profile's network.natGateways: per-az.",
    group: "reliability",
    resourceTypes: [EC2.natGateway, EC2.subnet],
    enforcement: PROD_PROFILE,
    validate(resources, report) {
      const nats = resources.filter((r) => r.type === EC2.natGateway && r.props.connectivityType !== "private");
      if (nats.length === 0) return;
      const zones = new Set(
        resources
          .filter((r) => r.type === EC2.subnet)
          .map(azOf)
          .filter(Boolean),
      );
      const covered = new Set(nats.flatMap((n) => dependenciesOf(n, EC2.subnet).map(azOf)).filter(Boolean));
      const missing = [...zones].filter((z) => !covered.has(z));
      if (missing.length > 0)
        report(
          `${nats.length} NAT gateway(s) for ${zones.size} AZs: ${missing.join(", ")} route through another AZ`,
          nats[0].urn,
        );
    },
  }),
  stackRule({
    name: "ec2-s3-gateway-endpoint",
    description: "Every VPC has an S3 gateway endpoint, so lake traffic stays on AWS's network (and off the NAT bill).",
    remediation: "Add a Gateway VpcEndpoint for com.amazonaws.<region>.s3 on the private route tables (Network does).",
    group: "security",
    resourceTypes: [EC2.vpc, EC2.vpcEndpoint],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const vpc of vpcsOf(resources)) {
        const s3 = dependents(resources, vpc, EC2.vpcEndpoint).some(
          (e) => /\.s3$/.test(String(e.props.serviceName)) && (e.props.vpcEndpointType ?? "Gateway") === "Gateway",
        );
        if (!s3) report(`vpc '${vpc.name}' has no S3 gateway endpoint`, vpc.urn);
      }
    },
  }),
  resourceRule({
    name: "ec2-vpc-endpoint-configured",
    description:
      "Interface endpoints use private DNS, live in subnets and are guarded by a security group; gateway endpoints are attached to route tables.",
    remediation:
      "Set privateDnsEnabled, subnetIds and securityGroupIds on interface endpoints; routeTableIds on gateway endpoints.",
    group: "security",
    resourceTypes: [EC2.vpcEndpoint],
    enforcement: ALWAYS,
    validate(r, report) {
      const type = r.props.vpcEndpointType ?? "Gateway";
      if (type === "Interface") {
        if (r.props.privateDnsEnabled !== true)
          report("private DNS is off: clients would reach the public service endpoint");
        if (list(r.props.securityGroupIds).length === 0)
          report("has no security group (the VPC default group would apply)");
        if (list(r.props.subnetIds).length === 0) report("has no subnets");
      } else if (type === "Gateway" && list(r.props.routeTableIds).length === 0)
        report("is attached to no route table");
    },
  }),
  stackRule({
    name: "ec2-eip-in-use",
    description:
      "Every Elastic IP is used by a NAT gateway, instance or association: an idle one is billed by the hour, and an address nobody watches can be attached to anything later (Checkov CKV2_AWS_19, Security Hub EC2.12).",
    remediation: "Remove the Elastic IP or attach it.",
    group: "security",
    resourceTypes: [EC2.eip, EC2.natGateway],
    enforcement: SECURITY,
    validate(resources, report) {
      for (const eip of stackIndex(resources).ofType(EC2.eip)) {
        const used =
          eip.props.instance || eip.props.networkInterface || stackIndex(resources).dependents(eip).length > 0;
        if (!used) report(`elastic IP '${eip.name}' is not attached to anything`, eip.urn);
      }
    },
  }),
  resourceRule({
    name: "ec2-imdsv2-required",
    description:
      "Instances and launch templates require IMDSv2 tokens with a hop limit of 1, so containers cannot borrow the node's role.",
    remediation:
      "Set metadataOptions { httpTokens: required, httpPutResponseHopLimit: 1 }; pods reach AWS through Pod Identity.",
    group: "security",
    resourceTypes: [EC2.launchTemplate, EC2.instance],
    enforcement: ALWAYS,
    validate(r, report) {
      const m = (r.props.metadataOptions ?? {}) as {
        httpEndpoint?: string;
        httpTokens?: string;
        httpPutResponseHopLimit?: number;
      };
      if (m.httpEndpoint === "disabled") return;
      if (m.httpTokens !== "required") report("allows IMDSv1 (httpTokens is not 'required')");
      if ((m.httpPutResponseHopLimit ?? 1) > 1)
        report(`metadata hop limit is ${m.httpPutResponseHopLimit}: containers can reach the instance role`);
    },
  }),
  resourceRule({
    name: "ec2-ebs-encrypted",
    description: "Every EBS volume, instance disk and launch-template block device is encrypted.",
    remediation: 'Set encrypted on the volume / block device mapping (launch templates take the string "true").',
    group: "security",
    resourceTypes: [EC2.launchTemplate, EC2.instance, EC2.volume],
    enforcement: ALWAYS,
    validate(r, report) {
      const on = (v: unknown) => v === true || v === "true";
      if (r.type === EC2.volume && !on(r.props.encrypted)) report("is not encrypted");
      if (r.type === EC2.launchTemplate) {
        const maps = list(r.props.blockDeviceMappings) as { deviceName?: string; ebs?: { encrypted?: unknown } }[];
        if (maps.length === 0) report("declares no block devices, so the AMI's unencrypted defaults apply");
        for (const m of maps)
          if (m.ebs && !on(m.ebs.encrypted)) report(`block device ${m.deviceName ?? "?"} is not encrypted`);
      }
      if (r.type === EC2.instance) {
        if (!on(r.props.rootBlockDevice?.encrypted)) report("root volume is not encrypted");
        for (const d of list(r.props.ebsBlockDevices) as { deviceName?: string; encrypted?: unknown }[])
          if (!on(d.encrypted)) report(`volume ${d.deviceName ?? "?"} is not encrypted`);
      }
    },
  }),
  stackRule({
    name: "cost-dev-nat-gateways",
    description: "Dev runs at most one NAT gateway (each costs by the hour and by the gigabyte).",
    remediation: "Use the dev profile's network.natGateways: single.",
    group: "cost",
    resourceTypes: [EC2.natGateway],
    enforcement: DEV_PROFILE,
    validate(resources, report) {
      const nats = stackIndex(resources).ofType(EC2.natGateway);
      if (nats.length > 1) report(`${nats.length} NAT gateways; dev needs one`, nats[1].urn);
    },
  }),
  resourceRule({
    name: "cost-dev-no-interface-endpoints",
    description:
      "Dev has no interface VPC endpoints (each costs per AZ and hour); traffic to AWS APIs goes through the NAT.",
    remediation: "Leave network.interfaceEndpoints off in dev (the profile default).",
    group: "cost",
    resourceTypes: [EC2.vpcEndpoint],
    enforcement: DEV_PROFILE,
    validate(r, report) {
      if (r.props.vpcEndpointType === "Interface")
        report(`interface endpoint for ${String(r.props.serviceName).replace(/^com\.amazonaws\.[a-z0-9-]+\./, "")}`);
    },
  }),
];
