import type { ResourceView } from "./define";
import { list } from "./util";

// The security-group model the network rules judge: every rule of a group, whichever of the three ways it was
// declared (inline, SecurityGroupRule, the per-direction rule resources), normalised to one shape.

export const EC2 = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  routeTableAssociation: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  natGateway: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
  vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  flowLog: "aws:ec2/flowLog:FlowLog",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  instance: "aws:ec2/instance:Instance",
  volume: "aws:ebs/volume:Volume",
} as const;

/** Ports of data stores, engines and remote administration: never reachable from the internet. */
export const DATA_PORTS: Readonly<Record<number, string>> = {
  22: "SSH",
  443: "HTTPS",
  1433: "SQL Server",
  1521: "Oracle",
  2181: "ZooKeeper",
  3306: "MySQL",
  3389: "RDP",
  4040: "Spark UI",
  5432: "PostgreSQL",
  5439: "Redshift",
  6379: "Redis",
  7077: "Spark master",
  8020: "HDFS",
  8080: "Trino / Spark UI",
  8443: "HTTPS admin",
  9000: "object store / HDFS",
  9083: "Hive metastore",
  9092: "Kafka",
  9093: "Kafka",
  9094: "Kafka TLS",
  9095: "Kafka",
  9096: "Kafka SCRAM",
  9097: "Kafka",
  9098: "Kafka IAM",
  9200: "OpenSearch",
  10000: "HiveServer2",
  18080: "Spark history",
  27017: "MongoDB",
};

const WORLD = new Set(["0.0.0.0/0", "::/0"]);
export const SG_TYPES = [EC2.securityGroup, EC2.securityGroupRule, EC2.ingressRule, EC2.egressRule];

/** One rule of a security group, whichever of the three ways it was declared. */
export interface SgRule {
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly cidrs: string[];
  readonly description?: string;
}

interface RawRule {
  protocol?: string;
  ipProtocol?: string;
  fromPort?: number;
  toPort?: number;
  cidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
  cidrIpv4?: string;
  cidrIpv6?: string;
  description?: string;
  type?: string;
}

function normalise(direction: SgRule["direction"], raw: RawRule): SgRule {
  const protocol = String(raw.protocol ?? raw.ipProtocol ?? "tcp").toLowerCase();
  const all = protocol === "-1" || protocol === "all";
  return {
    direction,
    protocol,
    from: all ? 0 : Number(raw.fromPort ?? 0),
    to: all ? 65535 : Number(raw.toPort ?? raw.fromPort ?? 65535),
    cidrs: [...list(raw.cidrBlocks), ...list(raw.ipv6CidrBlocks), ...list(raw.cidrIpv4), ...list(raw.cidrIpv6)],
    description: raw.description,
  };
}

/** The rules a security-group-ish resource declares, normalised. */
export function sgRules(r: { type: string; props: Record<string, unknown> }): SgRule[] {
  const p = r.props as RawRule & { ingress?: RawRule[]; egress?: RawRule[] };
  switch (r.type) {
    case EC2.securityGroup:
      return [
        ...list(p.ingress).map((x) => normalise("ingress", x)),
        ...list(p.egress).map((x) => normalise("egress", x)),
      ];
    case EC2.securityGroupRule:
      return [normalise(p.type === "egress" ? "egress" : "ingress", p)];
    case EC2.ingressRule:
      return [normalise("ingress", p)];
    case EC2.egressRule:
      return [normalise("egress", p)];
    default:
      return [];
  }
}

export const ports = (rule: SgRule) => (rule.from === rule.to ? `port ${rule.from}` : `ports ${rule.from}-${rule.to}`);
export const portsHit = (rule: SgRule) =>
  Object.keys(DATA_PORTS)
    .map(Number)
    .filter((p) => rule.protocol !== "icmp" && rule.protocol !== "icmpv6" && p >= rule.from && p <= rule.to);
export const fromWorld = (rule: SgRule) => rule.cidrs.filter((c) => WORLD.has(c));

export function eachRule(r: ResourceView, direction: SgRule["direction"], fn: (rule: SgRule) => void) {
  for (const rule of sgRules(r)) if (rule.direction === direction) fn(rule);
}
