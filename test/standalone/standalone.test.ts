import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { PlannedResource } from "../../policies/engine/args";
import { by, planFile } from "../support/plan";
import { standaloneProgram } from "./readme";

const REPO_ROOT = path.join(__dirname, "..", "..");

/**
 * The README's "Use the components on their own" program, run in-process under the plan's mock engine (imports
 * pointed at this repository's sources) and judged by the policy pack as a dev stack.
 */
describe("the README's standalone program (lake, warehouse and an HTTP source in an existing VPC)", () => {
  let resources: readonly PlannedResource[] = [];
  let outputs: Record<string, unknown> = {};

  before(async () => {
    fs.mkdirSync(path.join(REPO_ROOT, "out"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, "out", "standalone-"));
    const source = standaloneProgram().replace(
      /from "@data-platform\/blueprint"/,
      `from ${JSON.stringify(path.join(REPO_ROOT, "components"))}`,
    );
    const file = path.join(dir, "program.ts");
    fs.writeFileSync(file, source);
    const stack = path.join(dir, "Pulumi.standalone.yaml");
    fs.writeFileSync(stack, stringify({ config: { "aws:region": "eu-west-1" } }));
    const result = await planFile(stack, async () => {
      outputs = { ...(require(file) as Record<string, unknown>) };
      return { ...outputs, environment: "dev" };
    });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(result.code, 0, result.error ?? JSON.stringify(result.problems));
    resources = result.resources ?? [];
  });

  it("creates no VPC, subnet, NAT, route or endpoint: only the workload groups, in the given VPC", () => {
    for (const t of [
      "aws:ec2/vpc:Vpc",
      "aws:ec2/subnet:Subnet",
      "aws:ec2/natGateway:NatGateway",
      "aws:ec2/routeTable:RouteTable",
      "aws:ec2/vpcEndpoint:VpcEndpoint",
    ])
      assert.equal(by.type(resources, t).length, 0, t);
    const groups = by.type(resources, "aws:ec2/securityGroup:SecurityGroup");
    assert.ok(groups.length >= 3);
    for (const g of groups) assert.equal(g.inputs.vpcId, "vpc-0a1b2c3d4e5f67890", g.name);
  });

  it("puts the warehouse and its bootstrap in the existing private subnets", () => {
    const subnets = ["subnet-0a1b2c3d4e5f67891", "subnet-0a1b2c3d4e5f67892", "subnet-0a1b2c3d4e5f67893"];
    const dbSubnets = by.type(resources, "aws:rds/subnetGroup:SubnetGroup");
    assert.equal(dbSubnets.length, 1);
    assert.deepEqual(dbSubnets[0].inputs.subnetIds, subnets);
    const fn = by.name(resources, "aws:lambda/function:Function", "acme-warehouse-bootstrap-fn");
    assert.deepEqual((fn.inputs.vpcConfig as { subnetIds: string[] }).subnetIds, subnets);
  });

  it("lets the source's function write only under its own prefix of the raw bucket", () => {
    const policies = by
      .type(resources, "aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.name.startsWith("acme-ingestion-orders-api"));
    const statements = policies.flatMap(
      (p) =>
        (
          JSON.parse(String(p.inputs.policy)) as {
            Statement: { Action: string | string[]; Resource: string | string[] }[];
          }
        ).Statement,
    );
    const puts = statements.filter((s) => [s.Action].flat().includes("s3:PutObject"));
    assert.ok(puts.length > 0, "the function may write records");
    for (const s of puts)
      for (const r of [s.Resource].flat())
        assert.match(r, /^arn:aws:s3:::acme-dev-raw-\d+\/sales\/source=orders-api\//, r);
  });

  it("tags every taggable resource with the context's governance tags", () => {
    const tagged = resources.filter((r) => r.inputs.tags !== undefined);
    assert.ok(tagged.length > 20);
    for (const r of tagged) {
      const tags = r.inputs.tags as Record<string, string>;
      assert.equal(tags.owner, "data-platform@acme.example", r.urn);
      assert.equal(tags["cost-center"], "CC-1234", r.urn);
      assert.equal(tags.environment, "dev", r.urn);
    }
  });

  it("exports the source's URL, the raw bucket and the warehouse endpoint", () => {
    assert.deepEqual(Object.keys(outputs).sort(), ["ordersUrl", "rawBucket", "warehouseEndpoint"]);
  });
});
