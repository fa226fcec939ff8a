import { strict as assert } from "node:assert";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { parse as parseYaml } from "yaml";
import type { PlannedResource } from "../../policies/engine/args";
import { evaluate, Verdicts } from "../../policies/engine/evaluate";
import { readPolicyConfig, renderPolicyConfig } from "../../policies/config";
import { allRules } from "../../policies/rules";
import { kubernetesRules } from "../../policies/rules/kubernetes";
import { ACCOUNT_ID, awsState, DEPLOYER_ROLE_ARN, hex } from "../../tools/plan/mocks";
import { readStackFile, runProgram } from "../../tools/plan/run";
import { EKS_ADDON_VERSIONS, CHARTS } from "../../components/compute/versions";
import type { Environment } from "../../components/core/types";
import { by, json, resourcesOf, stackVariant } from "../support/plan";
import { crdErrors } from "./crd-schemas";
import { computeProgram, KAFKA_CLUSTER, ProgramOptions, WAREHOUSE_SECRET } from "./program";
import { IMAGE, sampleCompute, validateK8s } from "./support";
import type { ComputeInput } from "../../components/compute/config";

const REGION = "eu-west-1";
const rules = allRules; // the pack registers kubernetesRules

interface Run {
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  verdicts: Verdicts;
}

async function planCompute(stack: Environment, compute: ComputeInput, options: ProgramOptions = {}): Promise<Run> {
  // The committed stack's own compute section is replaced by the case's (the program below wires it like DataPlatform).
  const file = stackVariant(stack, stack, (platform) => void delete platform.compute);
  const run = await runProgram(readStackFile(file), computeProgram(compute, options));
  const verdicts = await evaluate(rules, run.resources, renderPolicyConfig(rules, stack, readPolicyConfig(stack)));
  return { resources: run.resources, outputs: run.outputs, verdicts };
}

/** The id and outputs the mock engine gave a recorded resource (the same function produced them). */
const state = (r: PlannedResource) =>
  awsState(
    { type: r.type, name: r.name, inputs: r.inputs, provider: r.provider ?? "", id: undefined, custom: true } as never,
    REGION,
  );
const arnOf = (r: PlannedResource) => String(state(r).state.arn);
const keyArn = (rs: PlannedResource[], classification: string) => {
  const alias = rs.find(
    (r) => r.type === "aws:kms/alias:Alias" && String(r.inputs.name).endsWith(`-${classification}`),
  );
  assert.ok(alias);
  return `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${alias.inputs.targetKeyId}`;
};
const K = {
  cluster: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  addon: "aws:eks/addon:Addon",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  pia: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  release: "kubernetes:helm.sh/v3:Release",
  sa: "kubernetes:core/v1:ServiceAccount",
  ssa: "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication",
};
const meta = (r: PlannedResource) =>
  (r.inputs.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> };
const roleFor = (rs: PlannedResource[], assoc: PlannedResource) => {
  const role = rs.find((r) => r.type === K.role && arnOf(r) === assoc.inputs.roleArn);
  assert.ok(role, `role of ${assoc.name}`);
  return role;
};
const inlinePolicyOf = (rs: PlannedResource[], role: PlannedResource) => {
  const p = rs.find((r) => r.type === K.rolePolicy && r.inputs.role === state(role).id);
  assert.ok(p, `inline policy of ${role.name}`);
  return json<{ Statement: { Sid: string; Action: string | string[]; Resource: string | string[] }[] }>(
    p.inputs.policy,
  );
};
/** How the engine records a secret input. */
const secret = (value: string) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });
const mandatory = (v: Verdicts) => v.violations.filter((x) => x.level === "mandatory");

describe("compute components in the stacks (mock engine)", function () {
  this.timeout(60_000);
  let prod: Run;
  let dev: Run;
  before(async () => {
    prod = await planCompute("prod", sampleCompute(), { warehouse: true, kafka: true });
    dev = await planCompute("dev", sampleCompute());
  });

  it("plans prod and dev with the cluster, Spark jobs and the query engine at zero mandatory violations", async () => {
    assert.deepEqual(mandatory(prod.verdicts), []);
    assert.deepEqual(mandatory(dev.verdicts), []);
    assert.equal(by.type(prod.resources, K.ssa).length, 2);
    assert.equal(
      by.type(prod.resources, K.release).length,
      4,
      "spark-operator, trino, external-secrets, cluster-autoscaler",
    );
    const staging = await planCompute("staging", sampleCompute());
    assert.deepEqual(mandatory(staging.verdicts), []);
    assert.deepEqual(
      staging.verdicts.violations.filter((v) => kubernetesRules.some((r) => r.name === v.policy)),
      [],
    );
  });

  it("builds a private EKS cluster in the private subnets with encrypted secrets and retained control-plane logs", () => {
    const rs = prod.resources;
    const [cluster] = by.type(rs, K.cluster);
    const vpc = cluster.inputs.vpcConfig as {
      subnetIds: string[];
      endpointPrivateAccess: boolean;
      endpointPublicAccess: boolean;
    };
    const privateSubnets = rs
      .filter((r) => r.type === "aws:ec2/subnet:Subnet" && r.name.includes("-private-"))
      .map((r) => state(r).id);
    assert.deepEqual([...vpc.subnetIds].sort(), privateSubnets.sort());
    assert.equal(privateSubnets.length, 3);
    assert.equal(vpc.endpointPrivateAccess, true);
    assert.equal(vpc.endpointPublicAccess, false);
    assert.deepEqual(cluster.inputs.encryptionConfig, {
      provider: { keyArn: keyArn(rs, "confidential") },
      resources: ["secrets"],
    });
    assert.deepEqual(cluster.inputs.accessConfig, {
      authenticationMode: "API",
      bootstrapClusterCreatorAdminPermissions: false,
    });
    assert.equal(cluster.protect, true);
    const logs = rs.find(
      (r) =>
        r.type === "aws:cloudwatch/logGroup:LogGroup" && r.inputs.name === `/aws/eks/${cluster.inputs.name}/cluster`,
    );
    assert.ok(logs);
    assert.equal(logs.inputs.retentionInDays, 365);
    assert.equal(logs.inputs.kmsKeyId, keyArn(rs, "internal"));
    assert.ok(cluster.dependencies.includes(logs.urn), "the log group exists before EKS would create its own");
  });

  it("puts nodes in the compute security group with IMDSv2 at one hop, and pins every add-on", () => {
    const rs = prod.resources;
    const computeSg = rs.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name.endsWith("-compute"));
    assert.ok(computeSg);
    const [cluster] = by.type(rs, K.cluster);
    for (const ng of by.type(rs, K.nodeGroup)) {
      const lt = rs.find((r) => r.type === K.lt && state(r).id === (ng.inputs.launchTemplate as { id: string }).id);
      assert.ok(lt, `launch template of ${ng.name}`);
      assert.ok((lt.inputs.vpcSecurityGroupIds as string[]).includes(state(computeSg).id));
      assert.equal((lt.inputs.vpcSecurityGroupIds as string[]).length, 2, "the cluster group too");
      assert.deepEqual(lt.inputs.metadataOptions, {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      });
      assert.equal(ng.inputs.clusterName, cluster.inputs.name);
      assert.deepEqual(ng.inputs.subnetIds, (cluster.inputs.vpcConfig as { subnetIds: string[] }).subnetIds);
    }
    const addons: Record<string, Record<string, unknown>> = Object.fromEntries(
      by.type(rs, K.addon).map((a) => [String(a.inputs.addonName), a.inputs]),
    );
    assert.deepEqual(
      Object.fromEntries(Object.entries(addons).map(([k, v]) => [k, v.addonVersion])),
      EKS_ADDON_VERSIONS,
    );
    assert.equal(
      json<{ enableNetworkPolicy: string }>(addons["vpc-cni"].configurationValues).enableNetworkPolicy,
      "true",
    );
    const cniRole = rs.find(
      (r) =>
        r.type === K.role &&
        arnOf(r) === (addons["vpc-cni"].podIdentityAssociations as { roleArn: string }[])[0].roleArn,
    );
    assert.ok(
      cniRole &&
        rs.some(
          (r) =>
            r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
            r.inputs.role === state(cniRole).id &&
            String(r.inputs.policyArn).endsWith("/AmazonEKS_CNI_Policy"),
        ),
    );
  });

  it("grants cluster admin through access entries to the deployer only, and dev gets a spot group only executors use", () => {
    const entries = by.type(prod.resources, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    assert.deepEqual(
      entries.map((e) => e.inputs.principalArn),
      [DEPLOYER_ROLE_ARN],
    );
    assert.equal(entries[0].inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    const groups = Object.fromEntries(
      by
        .type(dev.resources, K.nodeGroup)
        .map((g) => [(g.inputs.labels as Record<string, string>)["data-platform/node-group"], g.inputs]),
    );
    assert.equal(groups["spark-spot"].capacityType, "SPOT");
    assert.deepEqual(groups["spark-spot"].taints, [
      { key: "data-platform/dedicated", value: "spark-executors", effect: "NO_SCHEDULE" },
    ]);
    assert.equal(groups.system.capacityType, "ON_DEMAND");
    const sales = by.type(dev.resources, K.ssa).find((r) => meta(r).name === "orders-daily")!;
    const executor = (sales.inputs.spec as { template: { executor: { nodeSelector: Record<string, string> } } })
      .template.executor;
    assert.deepEqual(executor.nodeSelector, { "data-platform/node-group": "spark-spot" });
  });

  it("gives each domain with jobs its own service account, bounded role and Pod Identity association", () => {
    const rs = prod.resources;
    const associations = by.type(rs, K.pia).filter((a) => a.inputs.namespace === "spark");
    assert.deepEqual(associations.map((a) => a.inputs.serviceAccount).sort(), [
      "spark-history",
      "spark-people",
      "spark-sales",
    ]);
    const accounts = by
      .type(rs, K.sa)
      .filter((s) => meta(s).namespace === "spark")
      .map((s) => meta(s).name)
      .sort();
    assert.deepEqual(accounts, ["spark-history", "spark-people", "spark-sales"]);
    const [cluster] = by.type(rs, K.cluster);
    for (const assoc of associations) {
      const role = roleFor(rs, assoc);
      assert.ok(String(role.inputs.permissionsBoundary).endsWith(":policy/acme-data-prod-permissions-boundary"));
      const trust = json<{
        Statement: { Principal: { Service: string }; Condition: { ArnEquals: Record<string, string> } }[];
      }>(role.inputs.assumeRolePolicy);
      assert.equal(trust.Statement[0].Principal.Service, "pods.eks.amazonaws.com");
      assert.equal(trust.Statement[0].Condition.ArnEquals["aws:SourceArn"], arnOf(cluster));
      assert.equal(assoc.inputs.clusterName, cluster.inputs.name);
    }
    const people = roleFor(
      rs,
      associations.find((a) => a.inputs.serviceAccount === "spark-people")!,
    );
    const sales = roleFor(
      rs,
      associations.find((a) => a.inputs.serviceAccount === "spark-sales")!,
    );
    assert.equal((people.inputs.tags as Record<string, string>)["data-platform:clearance"], "restricted");
    assert.equal((sales.inputs.tags as Record<string, string>)["data-platform:clearance"], undefined);
    const salesPolicy = JSON.stringify(inlinePolicyOf(rs, sales));
    assert.match(salesPolicy, /acme-data-prod-raw-123456789012\/sales\/\*/);
    assert.doesNotMatch(salesPolicy, /people|marketing/);
  });

  it("grants Lake Formation permissions on the domain's databases to its role", () => {
    const rs = prod.resources;
    const sales = roleFor(
      rs,
      by.type(rs, K.pia).find((a) => a.inputs.serviceAccount === "spark-sales")!,
    );
    const grants = rs.filter(
      (r) => r.type === "aws:lakeformation/permissions:Permissions" && r.inputs.principal === arnOf(sales),
    );
    const dbs = grants
      .map(
        (g) =>
          (g.inputs.database as { name?: string } | undefined)?.name ??
          (g.inputs.table as { databaseName?: string } | undefined)?.databaseName,
      )
      .filter(Boolean);
    assert.deepEqual([...new Set(dbs)].sort(), ["acme_data_prod_sales_curated", "acme_data_prod_sales_raw"]);
    const location = grants.find((g) => g.inputs.dataLocation);
    assert.equal(
      (location?.inputs.dataLocation as { arn: string }).arn,
      "arn:aws:s3:::acme-data-prod-curated-123456789012",
    );
  });

  it("schedules every job as a valid ScheduledSparkApplication wired to the event-log bucket", async () => {
    const rs = prod.resources;
    const logs = rs.find((r) => r.type === "aws:s3/bucket:Bucket" && String(r.inputs.bucket).includes("spark-logs"));
    assert.ok(logs);
    for (const cr of by.type(rs, K.ssa)) {
      const obj = {
        apiVersion: "sparkoperator.k8s.io/v1beta2",
        kind: "ScheduledSparkApplication",
        metadata: cr.inputs.metadata,
        spec: cr.inputs.spec,
      } as {
        kind: string;
        spec: { template: { sparkConf: Record<string, string>; image: string; driver: { serviceAccount: string } } };
      };
      assert.deepEqual(crdErrors(obj), [], cr.name);
      assert.equal(obj.spec.template.sparkConf["spark.eventLog.dir"], `s3a://${logs.inputs.bucket}/event-logs/`);
      assert.equal(obj.spec.template.image, IMAGE);
      assert.equal(obj.spec.template.driver.serviceAccount, `spark-${(meta(cr).labels ?? {})["data-platform/domain"]}`);
      const operator = by.type(rs, K.release).find((r) => r.inputs.chart === "spark-operator")!;
      assert.ok(cr.dependencies.includes(operator.urn), "jobs wait for the operator and its CRDs");
    }
    const adHoc = parseYaml((prod.outputs.sparkAdHoc as Record<string, string>)["orders-daily"]) as {
      kind: string;
      metadata: { generateName: string };
    };
    assert.equal(adHoc.kind, "SparkApplication");
    assert.deepEqual(crdErrors(adHoc), []);
  });

  it("validates every plain Kubernetes object the components declare against the Kubernetes schemas", async () => {
    const plain = prod.resources.filter(
      (r) =>
        r.type.startsWith("kubernetes:") &&
        !r.type.includes("helm.sh") &&
        !r.type.includes(".k8s.io/v1beta2") &&
        !r.type.includes("external-secrets.io"),
    );
    assert.ok(plain.length >= 30, `found ${plain.length}`);
    for (const r of plain) {
      const [, apiVersion, kind] = r.type.split(":");
      await validateK8s({ ...r.inputs, apiVersion: apiVersion.replace(/^core\//, ""), kind } as {
        apiVersion: string;
        kind: string;
      });
    }
    for (const r of prod.resources.filter((x) => x.type.includes("external-secrets.io"))) {
      assert.deepEqual(
        crdErrors({ ...r.inputs, apiVersion: "external-secrets.io/v1", kind: r.type.split(":")[2] } as {
          kind: string;
        }),
        [],
        r.name,
      );
    }
  });

  it("creates every Kubernetes object with the cluster's provider and pins every chart", () => {
    const provider = prod.resources.find((r) => r.type === "pulumi:providers:kubernetes");
    assert.ok(provider);
    for (const r of prod.resources.filter((x) => x.type.startsWith("kubernetes:")))
      assert.ok(r.provider?.startsWith(`${provider.urn}::`), `${r.name} uses ${r.provider}`);
    const versions = Object.fromEntries(
      by.type(prod.resources, K.release).map((r) => [r.inputs.chart, r.inputs.version]),
    );
    assert.deepEqual(versions, {
      "spark-operator": CHARTS.sparkOperator.version,
      trino: CHARTS.trino.version,
      "external-secrets": CHARTS.externalSecrets.version,
      "cluster-autoscaler": CHARTS.clusterAutoscaler.version,
    });
  });

  it("keeps credentials out of Helm values and Kubernetes objects, syncing them from Secrets Manager", () => {
    const rs = prod.resources;
    // The mock engine's value for the generated shared secret: it reaches Secrets Manager and nothing else.
    const [password] = rs.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    const length = Number(password.inputs.length);
    const value = `mock-${hex(password.name, Math.max(length - 5, 8))}`.slice(0, length);
    const version = rs.find((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion")!;
    assert.deepEqual(
      version.inputs.secretString,
      secret(value),
      "positive control: the value is where it belongs, as a secret",
    );
    const k8sText = JSON.stringify(rs.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.inputs));
    assert.ok(
      !k8sText.includes(value.slice(5, 25)),
      "no generated secret value in any Kubernetes input or Helm values",
    );
    const trino = by.type(rs, K.release).find((r) => r.inputs.chart === "trino")!;
    const values = trino.inputs.values as {
      catalogs: Record<string, string | null>;
      envFrom: unknown[];
      additionalConfigProperties: string[];
      server: { exchangeManager?: { baseDir: string[] } };
    };
    assert.match(String(values.catalogs.warehouse), /connection-password=\$\{ENV:WAREHOUSE_PASSWORD\}/);
    assert.match(String(values.catalogs.kafka), /kafka\.nodes=b-1\.kafka:9098,b-2\.kafka:9098/);
    const credentials = rs.find(
      (r) =>
        r.type === "kubernetes:external-secrets.io/v1:ExternalSecret" && meta(r).name === "query-engine-credentials",
    )!;
    const data = (
      credentials.inputs.spec as { data: { secretKey: string; remoteRef: { key: string; property?: string } }[] }
    ).data;
    assert.deepEqual(data.find((d) => d.secretKey === "WAREHOUSE_PASSWORD")?.remoteRef, {
      key: WAREHOUSE_SECRET,
      property: "password",
    });
    const shared = rs.find(
      (r) => r.type === "aws:secretsmanager/secret:Secret" && String(r.inputs.name).endsWith("internal-shared-secret"),
    )!;
    assert.equal(data.find((d) => d.secretKey === "SHARED_SECRET")?.remoteRef.key, String(state(shared).state.arn));
    // The secrets controller may read exactly these secrets.
    const eso = by.type(rs, K.pia).find((a) => a.inputs.namespace === "external-secrets")!;
    const readable = inlinePolicyOf(rs, roleFor(rs, eso)).Statement.find((s) => s.Sid === "ReadSecrets")!
      .Resource as string[];
    assert.ok(readable.includes(WAREHOUSE_SECRET) && readable.includes(String(state(shared).state.arn)));
  });

  it("runs fault-tolerant with an encrypted, expiring exchange bucket in prod only", () => {
    const exchange = (rs: PlannedResource[]) =>
      rs.find((r) => r.type === "aws:s3/bucket:Bucket" && String(r.inputs.bucket).includes("query-exchange"));
    const bucket = exchange(prod.resources);
    assert.ok(bucket);
    assert.equal(exchange(dev.resources), undefined);
    const trino = by.type(prod.resources, K.release).find((r) => r.inputs.chart === "trino")!;
    const values = trino.inputs.values as {
      additionalConfigProperties: string[];
      server: { exchangeManager: { baseDir: string[] } };
    };
    assert.ok(values.additionalConfigProperties.includes("retry-policy=TASK"));
    assert.deepEqual(values.server.exchangeManager.baseDir, [`s3://${bucket.inputs.bucket}/exchange`]);
    const lifecycle = prod.resources.find(
      (r) =>
        r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration" &&
        r.inputs.bucket === state(bucket).id,
    )!;
    assert.ok((lifecycle.inputs.rules as { expiration?: { days: number } }[]).some((r) => r.expiration?.days === 1));
    const engineRole = roleFor(
      prod.resources,
      by.type(prod.resources, K.pia).find((a) => a.inputs.namespace === "query")!,
    );
    const policy = JSON.stringify(inlinePolicyOf(prod.resources, engineRole));
    assert.ok(policy.includes(`arn:aws:s3:::${bucket.inputs.bucket}/*`));
    assert.ok(policy.includes(KAFKA_CLUSTER));
    assert.doesNotMatch(policy, /acme-data-prod-raw-|acme-data-prod-restricted-/);
  });

  it("exposes the coordinator on an internal NLB with TLS, admitted by network policy from the VPC only", () => {
    const lb = by.type(prod.resources, "kubernetes:core/v1:Service").find((r) => meta(r).name === "query-engine")!;
    const annotations = (lb.inputs.metadata as { annotations: Record<string, string> }).annotations;
    assert.equal(annotations["service.beta.kubernetes.io/aws-load-balancer-internal"], "true");
    assert.match(annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"], /^arn:aws:acm:/);
    assert.deepEqual((lb.inputs.spec as { loadBalancerSourceRanges: string[] }).loadBalancerSourceRanges, [
      "10.30.0.0/16",
    ]);
    const ingress = by
      .type(prod.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .find((r) => meta(r).namespace === "query" && meta(r).name === "allow-ingress-load-balancer")!;
    const spec = ingress.inputs.spec as {
      ingress: { from: { ipBlock: { cidr: string } }[]; ports: { port: number }[] }[];
    };
    assert.deepEqual(
      spec.ingress[0].from.map((f) => f.ipBlock.cidr),
      ["10.30.0.0/16"],
    );
    assert.deepEqual(
      spec.ingress[0].ports.map((p) => p.port),
      [8080],
    );
    const warehouseEgress = by
      .type(prod.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .find((r) => meta(r).name === "allow-egress-warehouse")!;
    assert.deepEqual(
      (warehouseEgress.inputs.spec as { egress: { ports: { port: number }[] }[] }).egress[0].ports.map((p) => p.port),
      [5432],
    );
  });
});

describe("compute on a cluster you bring (mock engine)", function () {
  this.timeout(60_000);

  it("takes a kubeconfig: no EKS, no Pod Identity, the IAM policies as outputs, every object on that provider", async () => {
    const kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n";
    const run = await planCompute(
      "dev",
      sampleCompute({
        cluster: { mode: "existing", kubeconfig, context: "analytics" },
        spark: { ...sampleCompute().spark!, spotExecutors: false },
      }),
    );
    assert.deepEqual(mandatory(run.verdicts), []);
    assert.equal(run.resources.filter((r) => r.type.startsWith("aws:eks/")).length, 0);
    const providers = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
    assert.equal(providers.length, 1);
    assert.equal(providers[0].inputs.context, "analytics");
    assert.deepEqual(providers[0].inputs.kubeconfig, secret(kubeconfig), "the kubeconfig is passed as a secret");
    for (const r of run.resources.filter((x) => x.type.startsWith("kubernetes:")))
      assert.ok(r.provider?.startsWith(`${providers[0].urn}::`), r.name);
    const policies = run.outputs.sparkPolicies as Record<string, { Statement: { Resource: string | string[] }[] }>;
    assert.deepEqual(Object.keys(policies).sort(), ["people", "sales"]);
    assert.match(JSON.stringify(policies.sales), /acme-data-dev-raw-123456789012\/sales\/\*/);
    assert.ok(run.outputs.queryPolicy);
    assert.equal(by.type(run.resources, K.ssa).length, 2);
  });

  it("takes an existing k8s.Provider when used as a library", async () => {
    const run = await planCompute(
      "dev",
      sampleCompute({ spark: { ...sampleCompute().spark!, spotExecutors: false } }),
      { ownProvider: true },
    );
    const mine = run.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === "my-cluster");
    assert.ok(mine);
    const k8sResources = run.resources.filter((x) => x.type.startsWith("kubernetes:"));
    assert.ok(k8sResources.length > 20);
    for (const r of k8sResources) assert.ok(r.provider?.startsWith(`${mine.urn}::`), r.name);
    assert.equal(run.resources.filter((r) => r.type === K.pia).length, 0);
  });
});

describe("compute in the committed stacks (DataPlatform wiring)", function () {
  this.timeout(60_000);

  it("builds the private cluster, each configured job under its domain's identity and the query engine", async () => {
    const rs = await resourcesOf("prod");
    const [cluster] = by.type(rs, K.cluster);
    const vpc = cluster.inputs.vpcConfig as { endpointPublicAccess: boolean; subnetIds: string[] };
    assert.equal(vpc.endpointPublicAccess, false);
    const privateSubnets = by
      .type(rs, "aws:ec2/subnet:Subnet")
      .filter((s) => /private/.test(s.name))
      .map((s) => state(s).id);
    assert.deepEqual([...vpc.subnetIds].sort(), privateSubnets.sort());

    const jobs = by.type(rs, K.ssa).map((j) => ({
      name: meta(j).name,
      sa: (j.inputs.spec as { template: { driver: { serviceAccount: string } } }).template.driver.serviceAccount,
    }));
    assert.deepEqual(
      jobs.sort((a, b) => String(a.name).localeCompare(String(b.name))),
      [
        { name: "campaign-attribution", sa: "spark-marketing" },
        { name: "orders-daily", sa: "spark-sales" },
      ],
    );
    // The sales identity reaches the sales prefix of the zones its job uses, and nothing of marketing's.
    const assoc = by.type(rs, K.pia).find((a) => a.inputs.serviceAccount === "spark-sales");
    assert.ok(assoc);
    const resources = inlinePolicyOf(rs, roleFor(rs, assoc)).Statement.flatMap((s) => [s.Resource].flat());
    assert.ok(resources.some((r) => /acme-data-prod-raw-\d+\/sales\//.test(r)));
    assert.ok(!resources.some((r) => /\/marketing\//.test(r)));
    assert.ok(by.type(rs, K.release).some((r) => r.inputs.chart === "trino"));
  });

  it("gives the query engine the warehouse through its own read-only login, never the admin's", async () => {
    const rs = await resourcesOf("prod");
    const login = by.name(rs, "aws:secretsmanager/secret:Secret", "acme-data-warehouse-login-query_engine");
    const admin = by.name(rs, "aws:secretsmanager/secret:Secret", "acme-data-warehouse-admin");
    assert.equal(login.inputs.kmsKeyId, keyArn(rs, "confidential"));
    const credentials = by
      .type(rs, "kubernetes:external-secrets.io/v1:ExternalSecret")
      .find((e) => meta(e).name === "query-engine-credentials");
    assert.ok(credentials);
    const keys = (
      credentials.inputs.spec as { data: { secretKey: string; remoteRef: { key: string; property?: string } }[] }
    ).data
      .filter((d) => d.remoteRef.property === "username" || d.remoteRef.property === "password")
      .map((d) => d.remoteRef.key);
    assert.deepEqual([...new Set(keys)], [arnOf(login)]);
    assert.ok(!keys.includes(arnOf(admin)));
    // The bootstrap may read that secret, to set the password it holds.
    const policies = by
      .type(rs, K.rolePolicy)
      .map((p) => json<{ Statement: { Sid: string; Resource: string | string[] }[] }>(p.inputs.policy));
    const readers = policies.flatMap((p) => p.Statement).filter((st) => st.Sid === "ReadLoginSecrets");
    // (Other logins, such as BI's, sit beside it; the admin's secret is never among them.)
    assert.equal(readers.length, 1);
    assert.ok(
      [readers[0]!.Resource].flat().includes(arnOf(login)) && ![readers[0]!.Resource].flat().includes(arnOf(admin)),
    );
    const invocation = by
      .type(rs, "aws:lambda/invocation:Invocation")
      .find((i) => String(i.inputs.input).includes('"logins"'));
    assert.deepEqual(
      json<{ logins: { name: string }[] }>(invocation?.inputs.input).logins.find((l) => l.name === "query_engine"),
      { name: "query_engine", role: "bi_reader", secretArn: arnOf(login) },
    );
  });
});
