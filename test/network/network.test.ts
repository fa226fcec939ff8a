import { strict as assert } from "node:assert";
import fc from "fast-check";
import { planSubnets } from "../../components/network/subnets";
import type { PlannedResource } from "../../policies/engine/args";
import { by, planFile, resourcesOf, stackVariant } from "../support/plan";

const toInt = (ip: string) => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
const range = (cidr: string): [number, number] => {
  const [ip, bits] = cidr.split("/");
  const start = toInt(ip);
  return [start, start + 2 ** (32 - Number(bits)) - 1];
};

describe("Network", () => {
  it("plans disjoint subnets inside the VPC for every allowed CIDR and AZ count", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 24 }),
        fc.integer({ min: 0, max: 2 ** 24 - 1 }),
        fc.integer({ min: 2, max: 3 }),
        (prefix, raw, azs) => {
          const base = 10 * 2 ** 24 + raw - ((10 * 2 ** 24 + raw) % 2 ** (32 - prefix));
          const cidr = `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join(".")}/${prefix}`;
          const plan = planSubnets(cidr, azs);
          const [vs, ve] = range(cidr);
          const all = [...plan.private, ...plan.public].map(range);
          assert.equal(plan.private.length, azs);
          for (const [s, e] of all) assert.ok(s >= vs && e <= ve, `${cidr} contains subnet`);
          for (let i = 0; i < all.length; i++)
            for (let j = i + 1; j < all.length; j++)
              assert.ok(all[i][1] < all[j][0] || all[j][1] < all[i][0], "disjoint");
          for (const s of [...plan.private, ...plan.public])
            assert.ok(Number(s.split("/")[1]) <= 28, "AWS subnets are /28 or larger");
        },
      ),
    );
  });

  let dev: PlannedResource[];
  let prod: PlannedResource[];
  before(async () => {
    dev = await resourcesOf("dev");
    prod = await resourcesOf("prod");
  });

  it("is cheap in dev and survives an AZ in prod", () => {
    assert.equal(by.type(dev, "aws:ec2/natGateway:NatGateway").length, 1);
    assert.equal(by.type(prod, "aws:ec2/natGateway:NatGateway").length, 3);
    const azs = (rs: PlannedResource[]) =>
      new Set(by.type(rs, "aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZone)).size;
    assert.equal(azs(dev), 2);
    assert.equal(azs(prod), 3);
    const interfaceEndpoints = (rs: PlannedResource[]) =>
      by.type(rs, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.vpcEndpointType === "Interface").length;
    assert.equal(interfaceEndpoints(dev), 0);
    assert.ok(interfaceEndpoints(prod) >= 6);
  });

  it("routes each private subnet through its own AZ's NAT in prod", () => {
    const nats = by.type(prod, "aws:ec2/natGateway:NatGateway");
    const privateTables = by.type(prod, "aws:ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"));
    const natIds = privateTables.map((t) => (t.inputs.routes as { natGatewayId: string }[])[0].natGatewayId);
    assert.equal(new Set(natIds).size, nats.length);
  });

  it("keeps S3 and DynamoDB traffic on gateway endpoints attached to the private route tables", () => {
    for (const service of ["s3", "dynamodb"]) {
      const ep = by
        .type(prod, "aws:ec2/vpcEndpoint:VpcEndpoint")
        .find((e) => e.inputs.serviceName === `com.amazonaws.eu-west-1.${service}`);
      assert.equal(ep?.inputs.vpcEndpointType, "Gateway");
      assert.equal((ep?.inputs.routeTableIds as string[]).length, 3);
    }
  });

  it("writes flow logs to a KMS-encrypted log group with the profile's retention", () => {
    const group = by
      .type(prod, "aws:cloudwatch/logGroup:LogGroup")
      .find((g) => String(g.inputs.name).endsWith("/vpc/flow-logs"));
    assert.equal(group?.inputs.retentionInDays, 365);
    assert.match(String(group?.inputs.kmsKeyId), /^arn:aws:kms:eu-west-1:123456789012:key\//);
    const [flow] = by.type(prod, "aws:ec2/flowLog:FlowLog");
    assert.equal(flow.inputs.trafficType, "ALL");
    assert.equal(flow.inputs.logDestination, `arn:aws:logs:eu-west-1:123456789012:log-group:${group?.inputs.name}`);
  });

  it("locks the default security group and makes workload groups egress-only", () => {
    const [def] = by.type(prod, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    assert.deepEqual([def.inputs.ingress, def.inputs.egress], [[], []]);
    const workloads = by
      .type(prod, "aws:ec2/securityGroup:SecurityGroup")
      .filter((g) => (g.inputs.tags as Record<string, string>)["data-platform:workload"]);
    assert.deepEqual(workloads.map((w) => (w.inputs.tags as Record<string, string>)["data-platform:workload"]).sort(), [
      "bi",
      "compute",
      "ingestion",
    ]);
    for (const w of workloads) assert.deepEqual(w.inputs.ingress, []);
  });

  it("takes an existing VPC instead of creating one", async () => {
    const file = stackVariant("dev", "byo-vpc", (p) => {
      p.network = {
        existing: {
          vpcId: "vpc-0123456789abcdef0",
          cidr: "172.20.0.0/16",
          privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
          privateRouteTableIds: ["rtb-0123456789abcdef0"],
        },
      };
    });
    const result = await planFile(file);
    assert.equal(result.code, 0, result.error);
    const rs = result.resources ?? [];
    assert.equal(by.type(rs, "aws:ec2/vpc:Vpc").length, 0);
    assert.equal(by.type(rs, "aws:ec2/natGateway:NatGateway").length, 0);
    const sgs = by.type(rs, "aws:ec2/securityGroup:SecurityGroup");
    assert.ok(sgs.length >= 3 && sgs.every((g) => g.inputs.vpcId === "vpc-0123456789abcdef0"));
    const s3 = by.type(rs, "aws:ec2/vpcEndpoint:VpcEndpoint").find((e) => String(e.inputs.serviceName).endsWith(".s3"));
    assert.deepEqual(s3?.inputs.routeTableIds, ["rtb-0123456789abcdef0"]);
  });

  it("creates no endpoint, flow log or route in an existing VPC unless asked, even in prod", async () => {
    const file = stackVariant("prod", "byo-vpc-bare", (p) => {
      p.network = {
        existing: {
          vpcId: "vpc-0123456789abcdef0",
          cidr: "172.20.0.0/16",
          privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"],
        },
      };
    });
    const result = await planFile(file);
    assert.equal(result.code, 0, result.error);
    const rs = result.resources ?? [];
    const network = rs.filter((r) => /data-platform:network:Network::[^:]+$/.test(r.parent ?? ""));
    const types = [...new Set(network.map((r) => r.type))];
    assert.deepEqual(types, ["aws:ec2/securityGroup:SecurityGroup"], `network declared ${types.join(", ")}`);
    assert.equal(network.length, 3, "the three workload groups");
    for (const t of ["aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/flowLog:FlowLog", "aws:ec2/routeTable:RouteTable"])
      assert.equal(by.type(rs, t).length, 0, t);
  });
});
