import { strict as assert } from "node:assert";
import type { PlannedResource } from "../../policies/engine/args";
import { evaluate } from "../../policies/engine/evaluate";
import { readPolicyConfig } from "../../policies/config";
import { allRules } from "../../policies/rules";
import type { PlatformRule } from "../../policies/rules/define";
import { deployerAccessRules, deployStatementProblems } from "../../policies/rules/deployer-access";
import { kubernetesRules } from "../../policies/rules/kubernetes";
import { WORKLOAD_LAYER } from "../../policies/rules/util";
import { plan } from "../../tools/plan/plan";
import { stackFilePath } from "../../tools/plan/run";
import { runnerPolicy } from "../../components/compute/runner";
import { by, resourcesOf } from "../support/plan";
import { violations } from "../support/policy";

const rule = (name: string): PlatformRule => {
  const r = [...deployerAccessRules, ...kubernetesRules].find((x) => x.name === name);
  assert.ok(r, name);
  return r;
};

const T = {
  project: "aws:codebuild/project:Project",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  sg: "aws:ec2/securityGroup:SecurityGroup",
};

/** A copy of the planned resources with one resource's inputs changed. */
function edited(
  rs: readonly PlannedResource[],
  pick: (r: PlannedResource) => boolean,
  change: (i: Record<string, unknown>) => void,
) {
  let hit = 0;
  const out = rs.map((r) => {
    if (!pick(r)) return r;
    hit++;
    const inputs = structuredClone(r.inputs);
    change(inputs);
    return { ...r, inputs };
  });
  assert.equal(hit, 1, "the edit names exactly one resource");
  return out;
}

describe("deployer access rules, on the planned prod stack and single edits of it", function () {
  this.timeout(600_000);
  let rs: PlannedResource[];
  const isProject = (r: PlannedResource) => r.type === T.project;
  const isRunnerRole = (r: PlannedResource) => r.type === T.role && r.name === "acme-data-runner-deployer";
  const isRunnerPolicy = (r: PlannedResource) =>
    r.type === T.rolePolicy && r.name === "acme-data-runner-deployer-policy";
  const isRunnerApi = (r: PlannedResource) => r.type === T.ingress && r.name.endsWith("-runner-api");
  before(async () => {
    rs = await resourcesOf("prod");
  });

  it("passes the runner the platform plans, in every rule", async () => {
    for (const r of deployerAccessRules) assert.deepEqual(await violations(r, rs), [], r.name);
  });

  it("deploy-runner-private flags a runner outside the VPC, privileged, or without its key", async () => {
    const r = rule("deploy-runner-private");
    const outside = edited(rs, isProject, (i) => delete i.vpcConfig);
    assert.match((await violations(r, outside))[0], /runs outside the VPC/);
    const noGroup = edited(rs, isProject, (i) => ((i.vpcConfig as Record<string, unknown>).securityGroupIds = []));
    assert.match((await violations(r, noGroup))[0], /no security group of its own/);
    const root = edited(rs, isProject, (i) => ((i.environment as Record<string, unknown>).privilegedMode = true));
    assert.match((await violations(r, root))[0], /runs privileged/);
    const plain = edited(rs, isProject, (i) => delete i.encryptionKey);
    assert.match((await violations(r, plain))[0], /no customer-managed encryptionKey/);
  });

  it("deploy-runner-role-bounded flags an unbounded or widely trusted role and over-broad statements", async () => {
    const r = rule("deploy-runner-role-bounded");
    const unbounded = edited(rs, isRunnerRole, (i) => delete i.permissionsBoundary);
    assert.match((await violations(r, unbounded))[0], /without a permissions boundary/);
    const anyone = edited(rs, isRunnerRole, (i) => {
      i.assumeRolePolicy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole" },
        ],
      });
    });
    assert.match((await violations(r, anyone))[0], /not CodeBuild alone/);
    const anyAccount = edited(rs, isRunnerRole, (i) => {
      const doc = JSON.parse(String(i.assumeRolePolicy)) as { Statement: { Condition?: unknown }[] };
      delete doc.Statement[0].Condition;
      i.assumeRolePolicy = JSON.stringify(doc);
    });
    assert.match((await violations(r, anyAccount))[0], /CodeBuild of any account/);
    const wide = edited(rs, isRunnerPolicy, (i) => {
      const doc = JSON.parse(String(i.policy)) as { Statement: Record<string, unknown>[] };
      doc.Statement.push({ Sid: "Wide", Effect: "Allow", Action: "iam:*", Resource: "*" });
      i.policy = JSON.stringify(doc);
    });
    const found = await violations(r, wide);
    assert.ok(
      found.some((m) => /allows iam:\* \(statement Wide\)/.test(m)),
      found.join("\n"),
    );
    assert.ok(found.some((m) => /without an iam:PermissionsBoundary condition \(statement Wide\)/.test(m)));
    assert.ok(found.some((m) => /PassRole without an iam:PassedToService condition \(statement Wide\)/.test(m)));
    const noRole = edited(rs, isProject, (i) => (i.serviceRole = "arn:aws:iam::123456789012:role/elsewhere"));
    const orphan = noRole.map((x) =>
      isProject(x) ? { ...x, dependencies: x.dependencies.filter((d) => !d.includes("runner-deployer")) } : x,
    );
    assert.match((await violations(r, orphan))[0], /runs as a role this stack does not declare/);
  });

  it("deployStatementProblems passes the runner's own policy statement by statement", () => {
    const doc = runnerPolicy({
      region: "eu-west-1",
      accountId: "123456789012",
      prefix: "acme-data-prod",
      clusterName: "acme-data-prod-eks",
      vpcId: "vpc-1",
      permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/acme-data-prod-permissions-boundary",
      keyArns: ["arn:aws:kms:eu-west-1:123456789012:key/k"],
      logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/acme-data-prod-deploy",
      tokenSecretArn:
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-data-prod/deploy/pulumi-access-token-Ab1",
    });
    assert.deepEqual(
      doc.Statement.flatMap((s) => deployStatementProblems(s)),
      [],
    );
    assert.ok(!doc.Statement.some((s) => [s.Action].flat().includes("*")));
  });

  it("eks-api-ingress-runner-only flags an address range, another group, or another port into the cluster group", async () => {
    const r = rule("eks-api-ingress-runner-only");
    const cidr = edited(rs, isRunnerApi, (i) => {
      delete i.referencedSecurityGroupId;
      i.cidrIpv4 = "203.0.113.0/24";
    });
    assert.match((await violations(r, cidr))[0], /admits 203\.0\.113\.0\/24 to the cluster API/);
    const otherGroup = rs.map((x) =>
      isRunnerApi(x) ? { ...x, dependencies: x.dependencies.filter((d) => !d.endsWith("-runner-sg")) } : x,
    );
    assert.match((await violations(r, otherGroup))[0], /not a deploy runner's/);
    const allPorts = edited(rs, isRunnerApi, (i) => {
      i.fromPort = 0;
      i.toPort = 65535;
    });
    assert.match((await violations(r, allPorts))[0], /opens tcp 0-65535 on the cluster group/);
  });

  it("eks-endpoint-not-public: a public endpoint is refused in prod, reported in dev and staging", async () => {
    assert.deepEqual(rule("eks-endpoint-not-public").meta.enforcement, {
      dev: "advisory",
      staging: "advisory",
      prod: "mandatory",
    });
    const open = edited(
      rs,
      (x) => x.type === "aws:eks/cluster:Cluster",
      (i) =>
        Object.assign(i.vpcConfig as object, { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }),
    );
    const levels = async (env: "dev" | "staging" | "prod") =>
      (await evaluate(allRules, open, readPolicyConfig(env))).violations
        .filter((v) => v.policy === "eks-endpoint-not-public")
        .map((v) => v.level);
    assert.deepEqual(await levels("prod"), ["mandatory"]);
    assert.deepEqual(await levels("staging"), ["advisory"]);
  });
});

describe("the pack on a workload-layer stack (what `pulumi preview` of <env>-workloads judges)", function () {
  this.timeout(900_000);
  let own: readonly PlannedResource[];
  before(async () => {
    const result = await plan({ stackFile: stackFilePath("dev"), rules: allRules, layer: "workloads" });
    assert.equal(result.code, 0, result.error);
    own = result.resources!;
  });

  it("passes the layer on its own: its keys, boundary, cluster and domains are the foundation's", async () => {
    assert.ok(by.type(own, WORKLOAD_LAYER).length === 1);
    const { violations: found } = await evaluate(allRules, own, readPolicyConfig("dev"));
    assert.deepEqual(
      found.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`),
      [],
    );
  });

  it("still judges those joins in a stack that is not a workload layer", async () => {
    const bare = own.filter((r) => r.type !== WORKLOAD_LAYER);
    const { violations: found } = await evaluate(allRules, bare, readPolicyConfig("dev"));
    const policies = new Set(found.filter((v) => v.level === "mandatory").map((v) => v.policy));
    for (const p of [
      "iam-role-permissions-boundary",
      "data-key-matches-classification",
      "eks-addons-pinned",
      "data-domain-owned",
    ])
      assert.ok(policies.has(p), p);
  });

  it("still flags a role with a boundary that is not a platform boundary in the layer", async () => {
    const spark = own.find((r) => r.type === T.role)!;
    const foreign = own.map((r) =>
      r === spark
        ? { ...r, inputs: { ...r.inputs, permissionsBoundary: "arn:aws:iam::123456789012:policy/Admin" } }
        : r,
    );
    const { violations: found } = await evaluate(allRules, foreign, readPolicyConfig("dev"));
    assert.ok(found.some((v) => v.policy === "iam-role-permissions-boundary" && v.urn === spark.urn));
  });
});
