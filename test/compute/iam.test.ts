import { strict as assert } from "node:assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../components/core/iam";
import type { Classification } from "../../components/core/types";
import {
  AUTOSCALER_DESCRIBE_ACTIONS,
  AUTOSCALER_SCALE_ACTIONS,
  clusterAutoscalerPolicy,
} from "../../components/compute/autoscaler";
import { clusterKeyPolicy } from "../../components/compute/eks";
import {
  historyServerPolicy,
  podIdentityTrust,
  queryEnginePolicy,
  ResolvedLake,
  secretReadPolicy,
  sparkDomainPolicy,
} from "../../components/compute/identity";
import { boundaryPolicy, keyPolicy, RESTRICTED_CLEARANCE_TAG } from "../../components/security/documents";
import { DOMAINS } from "./support";

// The documents are evaluated the way AWS would: identity policy, the platform's permissions boundary and, for
// KMS, the key's own policy (from the security foundation), so a grant only counts if every layer agrees.

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const PREFIX = "acme-data-prod";
const key = (c: Classification) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${c}-0000-0000-0000-000000000000`;
const bucket = (name: string) => `arn:aws:s3:::${PREFIX}-${name}-${ACCOUNT}`;
const lake: ResolvedLake = {
  zones: {
    raw: { bucketArn: bucket("raw"), keyArn: key("confidential") },
    curated: { bucketArn: bucket("curated"), keyArn: key("internal") },
    analytics: { bucketArn: bucket("analytics"), keyArn: key("internal") },
  },
  restricted: { bucketArn: bucket("restricted"), keyArn: key("restricted") },
};
const eventLogs = { bucketArn: bucket("spark-logs"), keyArn: key("confidential"), prefix: "event-logs/" };
const exchange = { bucketArn: bucket("query-exchange"), keyArn: key("confidential"), prefix: "" };
const KAFKA = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/acme-data-prod-kafka/1111-2222-s1`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/${PREFIX}/pod-role`;
const BOUNDARY = boundaryPolicy({ accountId: ACCOUNT, prefix: PREFIX, boundaryName: `${PREFIX}-permissions-boundary` });
const glue = (what: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${what}`;
const db = (domain: string, zone: string) => `acme_data_prod_${domain}_${zone}`;

interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  principal?: string;
}

async function decide(identity: PolicyDocument, r: Request): Promise<string> {
  const keyClass = (["public", "internal", "confidential", "restricted"] as const).find((c) => r.resource === key(c));
  const principal = r.principal ?? ROLE;
  const result = await runSimulation(
    {
      // AWS sets aws:PrincipalArn on every request; the simulator needs it spelled out for the key policies' conditions.
      request: {
        principal,
        action: r.action,
        resource: { resource: r.resource, accountId: ACCOUNT },
        contextVariables: { "aws:PrincipalArn": principal, ...r.context },
      },
      identityPolicies: [{ name: "identity", policy: identity }],
      permissionBoundaryPolicies: [{ name: "boundary", policy: BOUNDARY }],
      resourcePolicy: keyClass
        ? keyPolicy({ accountId: ACCOUNT, region: REGION, prefix: PREFIX, classification: keyClass })
        : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}
const allows = async (identity: PolicyDocument, r: Request) =>
  assert.equal(await decide(identity, r), "Allowed", `${r.action} ${r.resource} ${JSON.stringify(r.context ?? {})}`);
const denies = async (identity: PolicyDocument, r: Request) =>
  assert.notEqual(await decide(identity, r), "Allowed", `${r.action} ${r.resource} ${JSON.stringify(r.context ?? {})}`);
const viaS3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };

describe("IAM: a domain's Spark identity", () => {
  const sales = sparkDomainPolicy({
    region: REGION,
    accountId: ACCOUNT,
    prefix: PREFIX,
    lake,
    domain: DOMAINS[0],
    reads: ["raw"],
    writes: ["curated"],
    eventLogs,
  });

  it("reads its own prefix of the zones it reads, and nobody else's", async () => {
    await allows(sales, { action: "s3:GetObject", resource: `${bucket("raw")}/sales/orders/part-0.parquet` });
    await denies(sales, { action: "s3:GetObject", resource: `${bucket("raw")}/marketing/leads/part-0.parquet` });
    await denies(sales, { action: "s3:GetObject", resource: `${bucket("analytics")}/sales/kpis/part-0.parquet` });
    await allows(sales, {
      action: "s3:ListBucket",
      resource: bucket("raw"),
      context: { "s3:prefix": "sales/orders/" },
    });
    await denies(sales, { action: "s3:ListBucket", resource: bucket("raw"), context: { "s3:prefix": "marketing/" } });
  });

  it("writes only where its jobs write", async () => {
    await allows(sales, { action: "s3:PutObject", resource: `${bucket("curated")}/sales/orders/part-0.parquet` });
    await denies(sales, { action: "s3:PutObject", resource: `${bucket("raw")}/sales/orders/part-0.parquet` });
    await denies(sales, { action: "s3:DeleteObject", resource: `${bucket("curated")}/marketing/x` });
  });

  it("uses the zones' keys through S3 only, decrypt-only for read zones", async () => {
    await allows(sales, { action: "kms:Decrypt", resource: key("confidential"), context: viaS3 });
    await denies(sales, { action: "kms:Decrypt", resource: key("confidential") });
    await allows(sales, { action: "kms:GenerateDataKey", resource: key("internal"), context: viaS3 });
    await denies(sales, { action: "kms:Encrypt", resource: key("restricted"), context: viaS3 });
  });

  it("writes event logs under the event-log prefix and catalogues only its own databases", async () => {
    await allows(sales, { action: "s3:PutObject", resource: `${eventLogs.bucketArn}/event-logs/spark-123.inprogress` });
    await denies(sales, { action: "s3:PutObject", resource: `${eventLogs.bucketArn}/other/spark-123` });
    await allows(sales, { action: "glue:GetTable", resource: glue(`table/${db("sales", "raw")}/orders`) });
    await allows(sales, { action: "glue:CreateTable", resource: glue(`database/${db("sales", "curated")}`) });
    await denies(sales, { action: "glue:CreateTable", resource: glue(`database/${db("sales", "raw")}`) });
    await denies(sales, { action: "glue:GetTable", resource: glue(`table/${db("marketing", "raw")}/leads`) });
  });

  it("a restricted domain reaches its data in the restricted bucket, and its key only with clearance", async () => {
    const people = sparkDomainPolicy({
      region: REGION,
      accountId: ACCOUNT,
      prefix: PREFIX,
      lake,
      domain: DOMAINS[2],
      reads: ["raw"],
      writes: ["curated"],
      eventLogs,
    });
    await allows(people, { action: "s3:GetObject", resource: `${bucket("restricted")}/raw/people/payroll.csv` });
    await denies(people, { action: "s3:GetObject", resource: `${bucket("raw")}/people/payroll.csv` });
    await allows(people, {
      action: "kms:Decrypt",
      resource: key("restricted"),
      context: { ...viaS3, [`aws:PrincipalTag/${RESTRICTED_CLEARANCE_TAG}`]: "restricted" },
    });
    await denies(people, { action: "kms:Decrypt", resource: key("restricted"), context: viaS3 });
    await denies(sales, {
      action: "kms:Decrypt",
      resource: key("restricted"),
      context: { ...viaS3, [`aws:PrincipalTag/${RESTRICTED_CLEARANCE_TAG}`]: "restricted" },
    });
  });

  it("a role outside the platform path cannot use the keys even with the same policy", async () => {
    await denies(sales, {
      action: "kms:Decrypt",
      resource: key("confidential"),
      context: viaS3,
      principal: `arn:aws:iam::${ACCOUNT}:role/elsewhere/pod-role`,
    });
  });
});

describe("IAM: the query engine and the helpers", () => {
  const engine = queryEnginePolicy({
    region: REGION,
    accountId: ACCOUNT,
    prefix: PREFIX,
    lake,
    domains: DOMAINS,
    exchange,
    kafka: { clusterArn: KAFKA, topics: ["orders"] },
  });

  it("reads curated and analytics, writes analytics, never touches raw or restricted", async () => {
    await allows(engine, { action: "s3:GetObject", resource: `${bucket("curated")}/sales/orders/x.parquet` });
    await allows(engine, { action: "s3:PutObject", resource: `${bucket("analytics")}/marketing/ctas/x.parquet` });
    await denies(engine, { action: "s3:PutObject", resource: `${bucket("curated")}/sales/orders/x.parquet` });
    await denies(engine, { action: "s3:GetObject", resource: `${bucket("raw")}/sales/orders/x.json` });
    await denies(engine, { action: "s3:GetObject", resource: `${bucket("restricted")}/curated/people/x.parquet` });
    await denies(engine, { action: "kms:Decrypt", resource: key("restricted"), context: viaS3 });
  });

  it("catalogues non-restricted curated and analytics databases only", async () => {
    await allows(engine, { action: "glue:GetTable", resource: glue(`table/${db("sales", "curated")}/orders`) });
    await allows(engine, { action: "glue:CreateTable", resource: glue(`database/${db("marketing", "analytics")}`) });
    await denies(engine, { action: "glue:CreateTable", resource: glue(`database/${db("sales", "curated")}`) });
    await denies(engine, { action: "glue:GetTable", resource: glue(`table/${db("people", "curated")}/payroll`) });
    await denies(engine, { action: "glue:GetTable", resource: glue(`table/${db("sales", "raw")}/orders`) });
  });

  it("spools to the exchange bucket and reads only the listed Kafka topics", async () => {
    await allows(engine, { action: "s3:PutObject", resource: `${exchange.bucketArn}/exchange/q1/part-0` });
    await allows(engine, {
      action: "kafka-cluster:ReadData",
      resource: `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/acme-data-prod-kafka/1111-2222-s1/orders`,
    });
    await denies(engine, {
      action: "kafka-cluster:ReadData",
      resource: `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/acme-data-prod-kafka/1111-2222-s1/payroll`,
    });
    await denies(engine, {
      action: "kafka-cluster:WriteData",
      resource: `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/acme-data-prod-kafka/1111-2222-s1/orders`,
    });
  });

  it("the history server reads event logs and writes nothing", async () => {
    const history = historyServerPolicy(REGION, eventLogs);
    await allows(history, { action: "s3:GetObject", resource: `${eventLogs.bucketArn}/event-logs/spark-1` });
    await denies(history, { action: "s3:PutObject", resource: `${eventLogs.bucketArn}/event-logs/spark-1` });
  });

  it("the secrets controller reads the listed secrets, decrypting through Secrets Manager only", async () => {
    const secret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${PREFIX}/query-engine/password-db-AbCdEf`;
    const secrets = secretReadPolicy(REGION, [secret], [key("confidential")]);
    await allows(secrets, { action: "secretsmanager:GetSecretValue", resource: secret });
    await denies(secrets, {
      action: "secretsmanager:GetSecretValue",
      resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:other-AbCdEf`,
    });
    await allows(secrets, {
      action: "kms:Decrypt",
      resource: key("confidential"),
      context: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` },
    });
    await denies(secrets, { action: "kms:Decrypt", resource: key("confidential"), context: viaS3 });
  });

  it("the control plane may envelope-encrypt with the secrets key and nothing else", async () => {
    const cluster = clusterKeyPolicy(key("confidential"));
    await allows(cluster, { action: "kms:Encrypt", resource: key("confidential") });
    await allows(cluster, {
      action: "kms:CreateGrant",
      resource: key("confidential"),
      context: { "kms:GrantIsForAWSResource": "true" },
    });
    await denies(cluster, { action: "kms:CreateGrant", resource: key("confidential") });
    await denies(cluster, { action: "kms:Decrypt", resource: key("internal") });
  });
});

describe("IAM: Pod Identity trust", () => {
  const CLUSTER = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/acme-data-prod-eks`;
  const trust = podIdentityTrust(ACCOUNT, CLUSTER);
  const assume = async (context: Record<string, string>, action = "sts:AssumeRole") =>
    await runSimulation(
      {
        request: {
          principal: "pods.eks.amazonaws.com",
          action,
          resource: { resource: ROLE, accountId: ACCOUNT },
          contextVariables: context,
        },
        identityPolicies: [],
        resourcePolicy: trust,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
  const result = (r: Awaited<ReturnType<typeof assume>>) =>
    r.resultType === "error" ? JSON.stringify(r.errors) : r.overallResult;

  it("admits the Pod Identity service for this account's cluster only", async () => {
    assert.equal(result(await assume({ "aws:SourceAccount": ACCOUNT, "aws:SourceArn": CLUSTER })), "Allowed");
    assert.equal(
      result(await assume({ "aws:SourceAccount": ACCOUNT, "aws:SourceArn": CLUSTER }, "sts:TagSession")),
      "Allowed",
    );
    assert.notEqual(
      result(await assume({ "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `${CLUSTER}-other` })),
      "Allowed",
    );
    assert.notEqual(result(await assume({ "aws:SourceAccount": "999999999999", "aws:SourceArn": CLUSTER })), "Allowed");
  });
});

describe("IAM: the cluster autoscaler's identity", () => {
  const CLUSTER = "acme-data-prod-eks";
  const policy = clusterAutoscalerPolicy({ region: REGION, accountId: ACCOUNT, clusterName: CLUSTER });
  const asg = (name: string) =>
    `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/${name}`;
  const nodegroup = (cluster: string, group: string) =>
    `arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/${cluster}/${group}/0aa1b2c3-d4e5-f6a7-b8c9-d0e1f2a3b4c5`;
  // The tags EKS puts on a managed node group's Auto Scaling group.
  const ownedBy = (cluster: string) => ({
    [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned",
    "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
  });

  it("resizes and terminates in Auto Scaling groups this cluster owns", async () => {
    for (const action of AUTOSCALER_SCALE_ACTIONS)
      await allows(policy, { action, resource: asg("eks-spark-spot-1234"), context: ownedBy(CLUSTER) });
  });

  it("cannot touch another cluster's groups, or groups without the ownership tag", async () => {
    for (const action of AUTOSCALER_SCALE_ACTIONS) {
      await denies(policy, { action, resource: asg("eks-other-1234"), context: ownedBy("acme-data-dev-eks") });
      await denies(policy, {
        action,
        resource: asg("eks-other-1234"),
        context: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${CLUSTER}`]: "shared" },
      });
      await denies(policy, { action, resource: asg("web-servers") });
    }
  });

  it("reads this cluster's node groups (labels and taints for scale from zero), no other cluster's", async () => {
    await allows(policy, { action: "eks:DescribeNodegroup", resource: nodegroup(CLUSTER, "spark-spot-20260101") });
    await denies(policy, {
      action: "eks:DescribeNodegroup",
      resource: nodegroup("acme-data-dev-eks", "spark-spot-20260101"),
    });
  });

  it("may describe what it plans with, and nothing else", async () => {
    for (const action of AUTOSCALER_DESCRIBE_ACTIONS) await allows(policy, { action, resource: "*" });
    // Even on a group it owns: changing bounds, tags or membership is the deployment's job, not the autoscaler's.
    for (const action of [
      "autoscaling:UpdateAutoScalingGroup",
      "autoscaling:CreateOrUpdateTags",
      "autoscaling:DeleteAutoScalingGroup",
      "autoscaling:DetachInstances",
    ]) {
      await denies(policy, { action, resource: asg("eks-spark-spot-1234"), context: ownedBy(CLUSTER) });
    }
    await denies(policy, {
      action: "ec2:TerminateInstances",
      resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
    });
    await denies(policy, {
      action: "ec2:RunInstances",
      resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
    });
    await denies(policy, {
      action: "ec2:CreateLaunchTemplateVersion",
      resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0123456789abcdef0`,
    });
    await denies(policy, { action: "eks:UpdateNodegroupConfig", resource: nodegroup(CLUSTER, "system-20260101") });
    await denies(policy, {
      action: "eks:DescribeCluster",
      resource: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
    });
  });
});
