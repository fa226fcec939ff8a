import { strict as assert } from "node:assert";
import type { PlannedResource } from "../../policies/engine/args";
import { allRules } from "../../policies/rules";
import { plan, type PlanResult } from "../../tools/plan/plan";
import { foundationRun, layerStackFile } from "../../tools/plan/layers";
import { readStackFile, runProgram, stackFilePath } from "../../tools/plan/run";
import { RUNNER_IMAGE, runnerRoleArn } from "../../components/compute/runner";
import { by, resourcesOf } from "../support/plan";

const T = {
  project: "aws:codebuild/project:Project",
  role: "aws:iam/role:Role",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  cluster: "aws:eks/cluster:Cluster",
  accessEntry: "aws:eks/accessEntry:AccessEntry",
  lfSettings: "aws:lakeformation/dataLakeSettings:DataLakeSettings",
};

/** A custom resource's identity across stacks: its type and name (URNs differ by stack). */
const identity = (r: PlannedResource) => `${r.type}::${r.name}`;
const custom = (rs: readonly PlannedResource[]) =>
  rs.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));

describe("the deploy runner (compute.cluster.deployerAccess: runner, the default)", function () {
  this.timeout(600_000);
  let rs: PlannedResource[];
  before(async () => {
    rs = await resourcesOf("prod");
  });

  it("is a CodeBuild project in the private subnets, in its own security group, as a bounded CodeBuild role", () => {
    const [project] = by.type(rs, T.project);
    assert.ok(project, "no runner in the prod plan");
    const vpc = project.inputs.vpcConfig as { subnets: string[]; securityGroupIds: string[] };
    const subnets = rs.filter((r) => r.type === "aws:ec2/subnet:Subnet" && r.name.includes("private"));
    assert.equal(vpc.subnets.length, subnets.length);
    assert.equal((project.inputs.environment as { image: string }).image, RUNNER_IMAGE);
    assert.equal((project.inputs.environment as { privilegedMode: boolean }).privilegedMode, false);
    const runnerSg = rs.find((r) => r.type === T.sg && project.dependencies.includes(r.urn));
    assert.ok(runnerSg, "the project depends on its security group");
    assert.deepEqual((runnerSg.inputs.ingress as unknown[]).length, 0, "the runner admits nothing");
    const role = by.name(rs, T.role, "acme-data-runner-deployer");
    assert.equal(project.inputs.serviceRole, runnerRoleArn("123456789012", "acme-data-prod"));
    assert.match(String(role.inputs.permissionsBoundary), /:policy\/acme-data-prod-permissions-boundary$/);
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: { Principal: object }[] };
    assert.deepEqual(trust.Statement[0].Principal, { Service: "codebuild.amazonaws.com" });
  });

  it("is the only security group the cluster security group admits, on 443, and a cluster admin", () => {
    const rules = by.type(rs, T.ingress).filter((r) => r.name.endsWith("-runner-api"));
    assert.equal(rules.length, 1);
    const [rule] = rules;
    const cluster = by.type(rs, T.cluster)[0];
    const runnerSg = rs.find((r) => r.type === T.sg && r.name.endsWith("-runner-sg"))!;
    assert.ok(rule.dependencies.includes(cluster.urn), "targets the cluster security group");
    assert.ok(rule.dependencies.includes(runnerSg.urn), "admits the runner's group");
    assert.deepEqual([rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.toPort], ["tcp", 443, 443]);
    assert.equal(rule.inputs.cidrIpv4, undefined);
    const arn = runnerRoleArn("123456789012", "acme-data-prod");
    assert.ok(by.type(rs, T.accessEntry).some((e) => e.inputs.principalArn === arn));
    const [lf] = by.type(rs, T.lfSettings);
    assert.ok((lf.inputs.admins as string[]).includes(arn), "grants Lake Formation permissions to pods");
  });
});

describe("the layered deployment: foundation, then workloads, each planned on its own", function () {
  this.timeout(900_000);
  const dev = stackFilePath("dev");
  let whole: PlannedResource[];
  let foundation: PlanResult;
  let workloads: PlanResult;
  before(async () => {
    whole = await resourcesOf("dev");
    foundation = await plan({ stackFile: dev, rules: allRules, layer: "foundation" });
    workloads = await plan({ stackFile: dev, rules: allRules, layer: "workloads" });
  });

  it("plans both layers clean, as stacks <stack>-foundation and <stack>-workloads", () => {
    assert.equal(foundation.code, 0, foundation.error);
    assert.equal(workloads.code, 0, workloads.error);
    assert.equal(foundation.document!.stack, "dev-foundation");
    assert.equal(workloads.document!.stack, "dev-workloads");
  });

  it("keeps every Kubernetes object out of the foundation and every foundation resource out of the workloads", () => {
    const f = foundation.resources!;
    const w = workloads.resources!;
    assert.deepEqual(
      f.filter((r) => r.type.startsWith("kubernetes:")).map(identity),
      [],
      "the foundation never calls the Kubernetes API",
    );
    for (const type of [T.cluster, "aws:kms/key:Key", "aws:ec2/vpc:Vpc", T.project])
      assert.equal(w.filter((r) => r.type === type).length, 0, type);
    const provider = w.find((r) => r.type === "pulumi:providers:kubernetes")!;
    for (const r of w.filter((x) => x.type.startsWith("kubernetes:")))
      assert.equal(r.provider?.split("::")[0], provider.urn.split("::")[0], `${r.name} uses the layer's provider`);
  });

  it("together declare exactly the single stack's resources, with the same inputs", () => {
    const layered = [...custom(foundation.resources!), ...custom(workloads.resources!)];
    assert.deepEqual(layered.map(identity).sort(), custom(whole).map(identity).sort());
    const single = new Map(custom(whole).map((r) => [identity(r), r]));
    for (const r of layered.filter((x) => x.type.startsWith("aws:")))
      assert.deepEqual(r.inputs, single.get(identity(r))!.inputs, identity(r));
  });

  it("stops a workload layer whose foundation was built from another config, before any object", async () => {
    const base = readStackFile(dev);
    const { outputs } = await foundationRun(base);
    const inputs = { ...(outputs.workloadInputs as object), configDigest: "0".repeat(32) };
    const stack = layerStackFile(base, "workloads", { "dev-foundation": { ...outputs, workloadInputs: inputs } });
    await assert.rejects(runProgram(stack), /built from another platform config/);
  });

  it("fails loudly when the foundation does not export what the workload layer reads", async () => {
    const base = readStackFile(dev);
    const { outputs } = await foundationRun(base);
    const rest = { ...outputs };
    delete rest.workloadInputs;
    await assert.rejects(runProgram(layerStackFile(base, "workloads", { "dev-foundation": rest })), /workloadInputs/);
    await assert.rejects(runProgram(layerStackFile(base, "workloads", {})), /no outputs for the stack reference/);
  });
});
