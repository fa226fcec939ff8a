// Weakenings of the network, logs and secrets.
import type { Template } from "../model";

export const networkTemplates: readonly Template[] = [
  // ---- network ----
  {
    source: "CKV_AWS_24, Security Hub EC2.13",
    type: "aws:ec2/securityGroup:SecurityGroup",
    what: "ssh-from-internet",
    edit: (i) =>
      i.ingress.push({ cidrBlocks: ["0.0.0.0/0"], fromPort: 22, toPort: 22, protocol: "tcp", description: "ssh" }),
  },
  {
    source: "CKV_AWS_277, Security Hub EC2.18",
    type: "aws:ec2/securityGroup:SecurityGroup",
    what: "all-ports-from-internet",
    edit: (i) =>
      i.ingress.push({ cidrBlocks: ["0.0.0.0/0"], fromPort: 0, toPort: 65535, protocol: "-1", description: "all" }),
  },
  {
    source: "CKV_AWS_23",
    type: "aws:ec2/securityGroup:SecurityGroup",
    what: "undescribed-group",
    edit: (i) => delete i.description,
  },
  {
    source: "CKV2_AWS_12, Security Hub EC2.2",
    type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    what: "default-group-open",
    edit: (i) => i.ingress.push({ self: true, fromPort: 0, toPort: 0, protocol: "-1" }),
  },
  {
    source: "CKV_AWS_130, Security Hub EC2.15",
    type: "aws:ec2/subnet:Subnet",
    what: "public-ip-on-launch",
    edit: (i) => (i.mapPublicIpOnLaunch = true),
  },
  {
    source: "CKV2_AWS_11, Security Hub EC2.6",
    type: "aws:ec2/flowLog:FlowLog",
    what: "flow-logs-removed",
    dropBlaming: (_r, all) => all.find((v) => v.type === "aws:ec2/vpc:Vpc"),
  },
  {
    source: "CKV2_AWS_11, Security Hub EC2.6",
    type: "aws:ec2/flowLog:FlowLog",
    what: "accepted-traffic-only",
    blame: (_r, all) => all.find((v) => v.type === "aws:ec2/vpc:Vpc"),
    edit: (i) => (i.trafficType = "ACCEPT"),
  },
  {
    source: "CKV_AWS_79, Security Hub EC2.8",
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    what: "imdsv1-allowed",
    edit: (i) => (i.metadataOptions.httpTokens = "optional"),
  },
  {
    source: "Security Hub EC2.3, CKV_AWS_8 (its launch-configuration form)",
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    what: "unencrypted-volume",
    edit: (i) => (i.blockDeviceMappings[0].ebs.encrypted = "false"),
  },
  {
    source: "CKV_AWS_88, Security Hub EC2.25",
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    what: "public-ip",
    edit: (i) => (i.networkInterfaces = [{ associatePublicIpAddress: "true", deviceIndex: 0 }]),
  },
  {
    source: "CKV_AWS_46",
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    what: "secret-in-user-data",
    edit: (i) => (i.userData = Buffer.from("#!/bin/bash\nexport DB_PASSWORD=Sup3rS3cretValue\n").toString("base64")),
  },
  {
    source: "CKV2_AWS_35 (default route through a NAT gateway)",
    type: "aws:ec2/routeTable:RouteTable",
    what: "private-route-to-igw",
    pick: (r) => r.name.includes("private"),
    edit: (i) => (i.routes = [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-0123456789abcdef0" }]),
  },
  {
    source: "CKV2_AWS_19, Security Hub EC2.12",
    type: "aws:ec2/natGateway:NatGateway",
    what: "eip-left-unattached",
    dropBlaming: (r, all) => all.find((e) => e.type === "aws:ec2/eip:Eip" && r.dependencies.includes(e.urn)),
  },
  {
    source: "VPC best practice (S3 gateway endpoint)",
    type: "aws:ec2/vpcEndpoint:VpcEndpoint",
    what: "s3-endpoint-removed",
    pick: (r) => String(r.inputs.serviceName).endsWith(".s3"),
    dropBlaming: (_r, all) => all.find((v) => v.type === "aws:ec2/vpc:Vpc"),
  },
  {
    source: "VPC best practice (interface endpoints with private DNS), Security Hub EC2.55-58 family",
    type: "aws:ec2/vpcEndpoint:VpcEndpoint",
    what: "private-dns-off",
    pick: (r) => r.inputs.vpcEndpointType === "Interface",
    edit: (i) => (i.privateDnsEnabled = false),
  },
  // ---- logs, secrets ----
  {
    source: "CKV_AWS_66, Security Hub CloudWatch.16",
    type: "aws:cloudwatch/logGroup:LogGroup",
    what: "kept-forever",
    edit: (i) => delete i.retentionInDays,
  },
  { source: "CKV_AWS_158", type: "aws:cloudwatch/logGroup:LogGroup", what: "no-kms", edit: (i) => delete i.kmsKeyId },
  {
    source: "CKV_AWS_338, Security Hub CloudWatch.16",
    type: "aws:cloudwatch/logGroup:LogGroup",
    what: "one-month-retention",
    edit: (i) => (i.retentionInDays = 30),
  },
  {
    source: "CKV_AWS_149",
    type: "aws:secretsmanager/secret:Secret",
    what: "aws-managed-key",
    edit: (i) => delete i.kmsKeyId,
  },
  {
    source: "Secrets Manager best practice (recovery window)",
    type: "aws:secretsmanager/secret:Secret",
    what: "force-delete",
    edit: (i) => (i.recoveryWindowInDays = 0),
  },
];
