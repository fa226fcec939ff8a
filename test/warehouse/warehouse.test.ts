import { strict as assert } from "assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { Warehouse } from "../../components/warehouse/Warehouse";
import { resolveWarehouseConfig, WarehouseInput } from "../../components/warehouse/config";
import { parseBootstrapEvent } from "../../components/warehouse/handlers/bootstrap";
import { renderScripts, scriptsChecksum } from "../../components/warehouse/scripts";
import type { PlannedResource } from "../../policies/engine/args";
import type { Classification, Environment } from "../../components/core/types";
import { ACCOUNT_ID } from "../../tools/plan/mocks";
import { keyArn, one, ofType, planResources, refs, WORKLOAD_SG } from "./support/program";

const T = {
  namespace: "aws:redshiftserverless/namespace:Namespace",
  workgroup: "aws:redshiftserverless/workgroup:Workgroup",
  usage: "aws:redshiftserverless/usageLimit:UsageLimit",
  schedule: "aws:scheduler/schedule:Schedule",
  cluster: "aws:rds/cluster:Cluster",
  instance: "aws:rds/clusterInstance:ClusterInstance",
  params: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  fn: "aws:lambda/function:Function",
  invocation: "aws:lambda/invocation:Invocation",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  role: "aws:iam/role:Role",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
};
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const DOMAINS = [
  { name: "sales", classification: "internal" as Classification },
  { name: "marketing", classification: "confidential" as Classification },
];

async function plan(environment: Environment, config: WarehouseInput, domains = DOMAINS, azCount?: number) {
  return planResources(() => {
    const w = new Warehouse("wh", {
      ...refs(environment, azCount),
      domains,
      config: resolveWarehouseConfig(config, environment),
      logRetentionDays: 90,
    });
    return {
      endpoint: w.endpoint,
      port: w.port,
      database: w.database,
      secret: w.adminSecretArn,
      sg: w.securityGroupId,
    };
  });
}

/** Values (as strings) found anywhere in `value` outside Pulumi secret wrappers. */
function plainStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => plainStrings(v, out));
  else if (value && typeof value === "object" && !(SECRET_SIG in value))
    Object.values(value).forEach((v) => plainStrings(v, out));
  return out;
}

const secretValue = (v: unknown) => {
  assert.ok(v && typeof v === "object" && SECRET_SIG in v, "expected a secret");
  return (v as unknown as { value: unknown }).value;
};

/** Whether this identity policy grants the action on the resource (evaluated by an IAM simulator). */
async function allowed(policy: string, action: string, resource: string): Promise<boolean> {
  const r = await runSimulation(
    {
      identityPolicies: [{ name: "p", policy: JSON.parse(policy) }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:iam::${ACCOUNT_ID}:role/acme-data-prod/wh-bootstrap-role`,
        resource: { accountId: ACCOUNT_ID, resource },
        contextVariables: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" },
      },
    } as never,
    {},
  );
  if (r.resultType !== "single") throw new Error(JSON.stringify(r));
  // The identity policy's verdict: KMS would additionally require the key policy to agree.
  return r.result.analysis?.identityAnalysis?.result === "Allowed";
}

function assertNoLeak(resources: PlannedResource[], outputs: Record<string, unknown>) {
  const password = String(secretValue(one(resources, T.secretVersion).inputs.secretString)).match(
    /"password":"([^"]+)"/,
  )![1];
  assert.ok(password.length >= 20);
  for (const r of resources)
    assert.ok(
      !plainStrings(r.inputs).some((s) => s.includes(password)),
      `${r.type} ${r.name} carries the password outside a secret`,
    );
  assert.ok(!plainStrings(outputs).some((s) => s.includes(password)), "an output carries the password");
}

describe("Warehouse component", function () {
  this.timeout(30_000);

  describe("redshift-serverless (prod)", () => {
    let rs: PlannedResource[];
    let outputs: Record<string, unknown>;
    before(async () => ({ resources: rs, outputs } = await plan("prod", {})));

    it("puts the workgroup in the private subnets, not public, with enhanced VPC routing and TLS required", () => {
      const wg = one(rs, T.workgroup).inputs;
      assert.equal(wg.publiclyAccessible, false);
      assert.equal(wg.enhancedVpcRouting, true);
      assert.deepEqual(wg.subnetIds, ["subnet-private0", "subnet-private1", "subnet-private2"]);
      const params = Object.fromEntries(
        (wg.configParameters as { parameterKey: string; parameterValue: string }[]).map((p) => [
          p.parameterKey,
          p.parameterValue,
        ]),
      );
      assert.equal(params["require_ssl"], "true");
      assert.equal(params["enable_user_activity_logging"], "true");
      assert.equal(wg.baseCapacity, 128);
    });

    it("encrypts the namespace with the confidential key, exports audit logs and is protected in prod", () => {
      const ns = one(rs, T.namespace);
      assert.equal(ns.inputs.kmsKeyId, keyArn("confidential"));
      assert.deepEqual(ns.inputs.logExports, ["connectionlog", "userlog", "useractivitylog"]);
      assert.equal(ns.protect, true);
      assert.equal(ns.retainOnDelete, true);
      assert.equal(typeof secretValue(ns.inputs.adminUserPassword), "string");
    });

    it("caps usage on this workgroup and snapshots this namespace daily with the prod retention", () => {
      const wgArn = `arn:aws:redshift-serverless:eu-west-1:${ACCOUNT_ID}:workgroup/`;
      const limit = one(rs, T.usage).inputs;
      assert.ok(String(limit.resourceArn).startsWith(wgArn));
      assert.deepEqual([limit.amount, limit.period, limit.breachAction], [2000, "daily", "emit-metric"]);
      const target = one(rs, T.schedule).inputs.target as { arn: string; input: string; roleArn: string };
      assert.equal(target.arn, "arn:aws:scheduler:::aws-sdk:redshiftserverless:createSnapshot");
      assert.deepEqual(JSON.parse(target.input), {
        NamespaceName: "acme-data-prod-warehouse",
        SnapshotName: "acme-data-prod-warehouse-<aws.scheduler.execution-id>",
        RetentionPeriod: 35,
      });
      assert.match(target.roleArn, new RegExp(`^arn:aws:iam::${ACCOUNT_ID}:role/acme-data-prod/wh-snapshots-`));
      const role = one(rs, T.role, "wh-snapshots");
      const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
      assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
    });

    it("admits only the platform's workload security groups, on 5439", () => {
      const sg = one(rs, T.sg).inputs;
      const ingress = sg.ingress as {
        fromPort: number;
        toPort: number;
        securityGroups?: string[];
        cidrBlocks?: string[];
      }[];
      assert.deepEqual(ingress.flatMap((i) => i.securityGroups ?? []).sort(), Object.values(WORKLOAD_SG).sort());
      assert.ok(ingress.every((i) => i.fromPort === 5439 && i.toPort === 5439 && !i.cidrBlocks));
    });

    it("keeps the admin password in a secret encrypted with the confidential key, never in plain inputs or outputs", () => {
      const secret = one(rs, T.secret);
      assert.equal(secret.inputs.kmsKeyId, keyArn("confidential"));
      assert.equal(secret.protect, true);
      const creds = JSON.parse(String(secretValue(one(rs, T.secretVersion).inputs.secretString)));
      assert.deepEqual(Object.keys(creds).sort(), ["dbname", "engine", "host", "password", "port", "username"]);
      assert.equal(creds.host, outputs.endpoint);
      assert.equal(outputs.secret, one(rs, T.secretVersion).inputs.secretId);
      assertNoLeak(rs, outputs);
    });

    it("bootstraps through the Data API: no VPC, the rendered SQL in the invocation, re-run keyed on its checksum", () => {
      const fn = one(rs, T.fn).inputs;
      assert.equal(fn.vpcConfig, undefined);
      const env = (fn.environment as { variables: Record<string, string> }).variables;
      assert.equal(env.ADMIN_SECRET_ARN, outputs.secret);
      assert.equal(env.WORKGROUP_NAME, one(rs, T.workgroup).inputs.workgroupName);
      const inv = one(rs, T.invocation);
      assert.equal(inv.inputs.functionName, fn.name);
      const event = parseBootstrapEvent(JSON.parse(String(inv.inputs.input)));
      assert.equal(event.engine, "redshift-serverless");
      assert.deepEqual(event.scripts, renderScripts("redshift", ["sales", "marketing"]));
      assert.equal((inv.inputs.triggers as Record<string, string>).sql, scriptsChecksum(event.scripts));
      // The bootstrap waits for the database and its credentials.
      const wg = one(rs, T.workgroup);
      const sv = one(rs, T.secretVersion);
      assert.ok(inv.dependencies.includes(wg.urn) && inv.dependencies.includes(sv.urn));
    });

    it("lets the bootstrap read this secret and run statements on this workgroup only", async () => {
      const policy = String(one(rs, T.rolePolicy, "wh-bootstrap-role-policy").inputs.policy);
      const secretArn = String(outputs.secret);
      const wgArn = String(one(rs, T.usage).inputs.resourceArn);
      assert.equal(await allowed(policy, "secretsmanager:GetSecretValue", secretArn), true);
      assert.equal(
        await allowed(
          policy,
          "secretsmanager:GetSecretValue",
          `arn:aws:secretsmanager:eu-west-1:${ACCOUNT_ID}:secret:other-AbCdEf`,
        ),
        false,
      );
      assert.equal(await allowed(policy, "redshift-data:ExecuteStatement", wgArn), true);
      assert.equal(
        await allowed(
          policy,
          "redshift-data:ExecuteStatement",
          `arn:aws:redshift-serverless:eu-west-1:${ACCOUNT_ID}:workgroup/00000000-0000-0000-0000-000000000000`,
        ),
        false,
      );
      assert.equal(await allowed(policy, "kms:Decrypt", keyArn("confidential")), true);
      assert.equal(await allowed(policy, "kms:Decrypt", keyArn("restricted")), false);
    });
  });

  describe("aurora-postgresql", () => {
    let prod: PlannedResource[];
    let prodOutputs: Record<string, unknown>;
    let dev: PlannedResource[];
    before(async () => {
      ({ resources: prod, outputs: prodOutputs } = await plan("prod", { engine: "aurora-postgresql" }));
      ({ resources: dev } = await plan("dev", { engine: "aurora-postgresql" }));
    });

    it("is encrypted with the confidential key, uses IAM auth, exports logs and enforces TLS through its own parameter group", () => {
      const cluster = one(prod, T.cluster).inputs;
      assert.equal(cluster.storageEncrypted, true);
      assert.equal(cluster.kmsKeyId, keyArn("confidential"));
      assert.equal(cluster.iamDatabaseAuthenticationEnabled, true);
      assert.deepEqual(cluster.enabledCloudwatchLogsExports, ["postgresql"]);
      const group = one(prod, T.params).inputs;
      assert.equal(cluster.dbClusterParameterGroupName, group.name);
      assert.equal(group.family, "aurora-postgresql16");
      const params = Object.fromEntries(
        (group.parameters as { name: string; value: string }[]).map((p) => [p.name, p.value]),
      );
      assert.equal(params["rds.force_ssl"], "1");
      assert.match(params["shared_preload_libraries"], /pgaudit/);
      const logs = ofType(prod, T.logGroup).find(
        (l) => l.inputs.name === "/aws/rds/cluster/acme-data-prod-warehouse/postgresql",
      );
      assert.equal(logs?.inputs.kmsKeyId, keyArn("confidential"));
      assert.equal(logs?.inputs.retentionInDays, 90);
    });

    it("in prod: deletion protection, final snapshot, 35 days of backups, protect, and a reader with Performance Insights", () => {
      const cluster = one(prod, T.cluster);
      assert.deepEqual(
        [
          cluster.inputs.deletionProtection,
          cluster.inputs.skipFinalSnapshot,
          cluster.inputs.finalSnapshotIdentifier,
          cluster.inputs.backupRetentionPeriod,
          cluster.protect,
        ],
        [true, false, "acme-data-prod-warehouse-final", 35, true],
      );
      const instances = ofType(prod, T.instance);
      assert.equal(instances.length, 2);
      for (const i of instances) {
        assert.equal(i.inputs.instanceClass, "db.serverless");
        assert.equal(i.inputs.publiclyAccessible, false);
        assert.equal(i.inputs.performanceInsightsEnabled, true);
        assert.equal(i.inputs.performanceInsightsKmsKeyId, keyArn("confidential"));
      }
      assert.equal(
        (one(prod, T.cluster).inputs.serverlessv2ScalingConfiguration as Record<string, number>).minCapacity,
        2,
      );
    });

    it("in dev: scales to zero with auto-pause, one instance, no final snapshot", () => {
      const cluster = one(dev, T.cluster);
      assert.deepEqual(cluster.inputs.serverlessv2ScalingConfiguration, {
        minCapacity: 0,
        maxCapacity: 4,
        secondsUntilAutoPause: 600,
      });
      assert.deepEqual(
        [
          cluster.inputs.deletionProtection,
          cluster.inputs.skipFinalSnapshot,
          cluster.inputs.finalSnapshotIdentifier,
          cluster.protect,
        ],
        [false, true, undefined, false],
      );
      assert.equal(ofType(dev, T.instance).length, 1);
    });

    it("admits the workloads on 5432 only and bootstraps from inside the VPC as an ingestion workload", () => {
      const sg = one(prod, T.sg).inputs;
      assert.deepEqual(sg.egress, []);
      assert.ok((sg.ingress as { fromPort: number }[]).every((i) => i.fromPort === 5432));
      assert.deepEqual(one(prod, T.cluster).inputs.vpcSecurityGroupIds, [prodOutputs.sg]);
      const fn = one(prod, T.fn).inputs;
      assert.deepEqual(fn.vpcConfig, {
        subnetIds: ["subnet-private0", "subnet-private1", "subnet-private2"],
        securityGroupIds: [WORKLOAD_SG.ingestion],
      });
      const env = (fn.environment as { variables: Record<string, string> }).variables;
      assert.equal(env.DB_HOST, prodOutputs.endpoint);
      assert.equal(env.DB_PORT, "5432");
      assert.equal(env.NODE_EXTRA_CA_CERTS, "/var/runtime/ca-cert.pem");
      const event = parseBootstrapEvent(JSON.parse(String(one(prod, T.invocation).inputs.input)));
      assert.deepEqual(event.scripts, renderScripts("postgres", ["sales", "marketing"]));
      const instances = ofType(prod, T.instance).map((i) => i.urn);
      assert.ok(
        instances.every((u) => one(prod, T.invocation).dependencies.includes(u)),
        "bootstrap waits for the instances",
      );
      assertNoLeak(prod, prodOutputs);
    });
  });

  it("keeps restricted domains out of the warehouse, which stays on the confidential key", async () => {
    const { resources, outputs } = await planResources(() => {
      const w = new Warehouse("wh", {
        ...refs("staging", 3),
        domains: [...DOMAINS, { name: "hr", classification: "restricted" }],
        config: resolveWarehouseConfig({}, "staging"),
      });
      return { marts: w.martsSchemas };
    });
    assert.deepEqual(outputs.marts, ["marts_sales", "marts_marketing"]);
    const event = parseBootstrapEvent(JSON.parse(String(one(resources, T.invocation).inputs.input)));
    assert.ok(
      !event.scripts.some((s) => s.statements.some((q) => q.includes("marts_hr"))),
      "no schema for the restricted domain",
    );
    assert.equal(one(resources, T.namespace).inputs.kmsKeyId, keyArn("confidential"));
    assert.equal(
      (one(resources, T.namespace).inputs.tags as Record<string, string>)["data-classification"],
      "confidential",
    );
  });
});
