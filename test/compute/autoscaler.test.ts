import { strict as assert } from "node:assert";
import {
  CLUSTER_AUTOSCALER,
  clusterAutoscalerPolicy,
  clusterAutoscalerValues,
  ClusterAutoscalerValues,
  systemNodeGroup,
} from "../../components/compute/autoscaler";
import { COMPUTE_PROFILES } from "../../components/compute/config";
import { podIdentityTrust } from "../../components/compute/identity";
import { NODE_GROUP_LABEL, spotScheduling } from "../../components/compute/eks";
import { CHARTS, KUBERNETES_VERSION } from "../../components/compute/versions";
import type { PolicyDocument } from "../../components/core/iam";
import { REQUIRED_TAGS } from "../../policies/rules/governance";
import type { PlannedResource } from "../../policies/engine/args";
import { ACCOUNT_ID, awsState } from "../../tools/plan/mocks";
import { by, json, planFile, planStack, resourcesOf, stackVariant } from "../support/plan";
import { problemsOf, resolved, sampleCompute, validateK8s } from "./support";

const REGION = "eu-west-1";
const STACKS = ["dev", "staging", "prod"] as const;
const T = {
  cluster: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  pia: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  release: "kubernetes:helm.sh/v3:Release",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  ssa: "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication",
};
const state = (r: PlannedResource) =>
  awsState(
    { type: r.type, name: r.name, inputs: r.inputs, provider: r.provider ?? "", id: undefined, custom: true } as never,
    REGION,
  );
const clusterArn = (name: string) => `arn:aws:eks:${REGION}:${ACCOUNT_ID}:cluster/${name}`;

interface Autoscaler {
  release: PlannedResource;
  values: ClusterAutoscalerValues;
  association: PlannedResource;
  role: PlannedResource;
  policy: PolicyDocument;
  clusterName: string;
}

/** The autoscaler's release, association, role and inline policy in a planned stack, found by wiring, not by name. */
function autoscalerOf(rs: PlannedResource[]): Autoscaler {
  const releases = by.type(rs, T.release).filter((r) => r.inputs.chart === CHARTS.clusterAutoscaler.chart);
  assert.equal(releases.length, 1, "one autoscaler release");
  const release = releases[0];
  const values = release.inputs.values as ClusterAutoscalerValues;
  const association = by
    .type(rs, T.pia)
    .find(
      (a) =>
        a.inputs.namespace === release.inputs.namespace && a.inputs.serviceAccount === values.rbac.serviceAccount.name,
    );
  assert.ok(association, "a Pod Identity association for the chart's service account");
  const role = rs.find((r) => r.type === T.role && state(r).state.arn === association.inputs.roleArn);
  assert.ok(role, "the association's role is declared in the stack");
  const inline = rs.find((r) => r.type === T.rolePolicy && r.inputs.role === state(role).id);
  assert.ok(inline, "the role has an inline policy");
  const cluster = by.type(rs, T.cluster);
  assert.equal(cluster.length, 1);
  return {
    release,
    values,
    association,
    role,
    policy: json<PolicyDocument>(inline.inputs.policy),
    clusterName: String(cluster[0].inputs.name),
  };
}

// ---------------------------------------------------------------------------------------------------------------

describe("cluster autoscaler in the committed stacks", function () {
  this.timeout(60_000);

  it("is a release of the pinned chart, for the cluster's own Kubernetes minor version, in every stack", async () => {
    assert.equal(
      CHARTS.clusterAutoscaler.appVersion.split(".").slice(0, 2).join("."),
      KUBERNETES_VERSION,
      "autoscaler minor = control plane minor",
    );
    for (const stack of STACKS) {
      const rs = await resourcesOf(stack);
      const { release, values, clusterName } = autoscalerOf(rs);
      assert.deepEqual(
        {
          chart: release.inputs.chart,
          version: release.inputs.version,
          repo: (release.inputs.repositoryOpts as { repo: string }).repo,
          namespace: release.inputs.namespace,
        },
        {
          chart: "cluster-autoscaler",
          version: CHARTS.clusterAutoscaler.version,
          repo: "https://kubernetes.github.io/autoscaler",
          namespace: "kube-system",
        },
        stack,
      );
      assert.equal(values.image.tag, `v${CHARTS.clusterAutoscaler.appVersion}`);
      assert.equal(
        by.type(rs, T.cluster)[0].inputs.version,
        KUBERNETES_VERSION,
        `${stack} runs the control plane the autoscaler matches`,
      );
      // Discovery by this cluster's tags, in this region: the autoscaler of one stack never adopts another's groups.
      assert.equal(values.autoDiscovery.clusterName, clusterName);
      assert.deepEqual(values.autoDiscovery.tags, [
        "k8s.io/cluster-autoscaler/enabled",
        `k8s.io/cluster-autoscaler/${clusterName}`,
      ]);
      assert.equal(values.awsRegion, REGION);
      assert.equal(values.cloudProvider, "aws");
    }
  });

  it("runs on the system group with the service account its bounded Pod Identity role targets", async () => {
    for (const stack of STACKS) {
      const rs = await resourcesOf(stack);
      const { values, association, role, policy, clusterName } = autoscalerOf(rs);
      const system = by
        .type(rs, T.nodeGroup)
        .find(
          (g) =>
            (g.inputs.labels as Record<string, string>)[NODE_GROUP_LABEL] === values.nodeSelector[NODE_GROUP_LABEL],
        );
      assert.ok(system, `${stack}: the nodeSelector matches a node group`);
      assert.equal(values.nodeSelector[NODE_GROUP_LABEL], "system");
      assert.deepEqual(system.inputs.taints, [], "the autoscaler needs no toleration on its group");
      assert.deepEqual(
        { namespace: association.inputs.namespace, sa: association.inputs.serviceAccount },
        { namespace: "kube-system", sa: "cluster-autoscaler" },
      );
      assert.deepEqual(values.rbac, { create: true, serviceAccount: { create: true, name: "cluster-autoscaler" } });
      assert.match(String(role.inputs.permissionsBoundary), /:policy\/.*-permissions-boundary$/);
      assert.deepEqual(json(role.inputs.assumeRolePolicy), podIdentityTrust(ACCOUNT_ID, clusterArn(clusterName)));
      assert.deepEqual(policy, clusterAutoscalerPolicy({ region: REGION, accountId: ACCOUNT_ID, clusterName }));
      for (const r of [role, association]) {
        const tags = r.inputs.tags as Record<string, string>;
        assert.deepEqual(
          REQUIRED_TAGS.filter((k) => !tags[k]),
          [],
          `${stack} ${r.type} carries the governance tags`,
        );
      }
    }
  });

  it("passes every policy rule, and needs no network policy: kube-system has none", async () => {
    for (const stack of STACKS) {
      const result = await planStack(stack);
      assert.equal(result.code, 0, stack);
      const rs = await resourcesOf(stack);
      const { release, association, role } = autoscalerOf(rs);
      const mine = new Set([release.urn, association.urn, role.urn]);
      assert.deepEqual(
        result.document?.policies.filter((v) => v.urn && mine.has(v.urn)),
        [],
        stack,
      );
      assert.deepEqual(
        by
          .type(rs, T.networkPolicy)
          .filter((np) => (np.inputs.metadata as { namespace?: string }).namespace === "kube-system"),
        [],
      );
    }
  });

  it("scales down faster in dev than in prod, and keeps a standby in prod", async () => {
    const args = async (stack: (typeof STACKS)[number]) => autoscalerOf(await resourcesOf(stack)).values;
    const [dev, prod] = [await args("dev"), await args("prod")];
    const minutes = (d: string) => Number(d.slice(0, -1)) * { s: 1 / 60, m: 1, h: 60 }[d.slice(-1) as "s" | "m" | "h"];
    assert.ok(minutes(dev.extraArgs["scale-down-unneeded-time"]) < minutes(prod.extraArgs["scale-down-unneeded-time"]));
    assert.ok(
      minutes(dev.extraArgs["scale-down-delay-after-add"]) <= minutes(prod.extraArgs["scale-down-delay-after-add"]),
    );
    assert.equal(dev.extraArgs.expander, "least-waste");
    assert.equal(prod.extraArgs["balance-similar-node-groups"], true);
    assert.equal(
      "skip-nodes-with-system-pods" in prod.extraArgs,
      false,
      "left at its default: only the system group carries system pods",
    );
    assert.equal(dev.replicaCount, 1);
    assert.equal(prod.replicaCount, 2);
  });

  it("is absent on a cluster you bring", async function () {
    const file = stackVariant("staging", "staging", (platform) => {
      (platform.compute as { cluster: unknown }).cluster = { mode: "existing" };
    });
    const result = await planFile(file);
    assert.ok(result.resources, result.error ?? JSON.stringify(result.problems));
    assert.deepEqual(
      result.resources.filter((r) => r.type === T.release && r.inputs.chart === "cluster-autoscaler"),
      [],
    );
    assert.deepEqual(
      result.resources.filter((r) => r.type === T.pia),
      [],
    );
  });
});

describe("cluster autoscaler: scale from zero for the spot group", function () {
  this.timeout(60_000);

  // What the 1.33 autoscaler knows about an empty managed group: the ASG's eks:nodegroup-name tag leads it to
  // eks:DescribeNodegroup, whose labels it copies and whose taints it translates (NO_SCHEDULE -> NoSchedule, as
  // taintEksTranslator in its AWS provider does). No node-template ASG tags are involved.
  const EFFECT: Record<string, string> = {
    NO_SCHEDULE: "NoSchedule",
    NO_EXECUTE: "NoExecute",
    PREFER_NO_SCHEDULE: "PreferNoSchedule",
  };
  const template = (g: PlannedResource) => ({
    labels: g.inputs.labels as Record<string, string>,
    taints: (g.inputs.taints as { key: string; value: string; effect: string }[]).map((t) => ({
      ...t,
      effect: EFFECT[t.effect],
    })),
  });
  interface PodPlacement {
    nodeSelector?: Record<string, string>;
    tolerations?: readonly { key?: string; operator?: string; value?: string; effect?: string }[];
  }
  /** The scheduler's predicate for a template node: every selector label present, every NoSchedule taint tolerated. */
  const fits = (pod: PodPlacement, node: ReturnType<typeof template>) =>
    Object.entries(pod.nodeSelector ?? {}).every(([k, v]) => node.labels[k] === v) &&
    node.taints
      .filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute")
      .every((t) =>
        (pod.tolerations ?? []).some(
          (tol) =>
            tol.key === t.key &&
            (tol.effect === undefined || tol.effect === t.effect) &&
            (tol.operator === "Exists" || tol.value === t.value),
        ),
      );

  it("lets a pending spot executor select the empty dev spot group, and nothing else land there", async () => {
    const rs = await resourcesOf("dev");
    const spot = by
      .type(rs, T.nodeGroup)
      .find((g) => (g.inputs.labels as Record<string, string>)[NODE_GROUP_LABEL] === "spark-spot");
    assert.ok(spot);
    assert.deepEqual(
      {
        min: (spot.inputs.scalingConfig as { minSize: number }).minSize,
        desired: (spot.inputs.scalingConfig as { desiredSize: number }).desiredSize,
      },
      { min: 0, desired: 0 },
    );
    const node = template(spot);
    const executors = by
      .type(rs, T.ssa)
      .map((app) => (app.inputs.spec as { template: { executor: PodPlacement; driver: PodPlacement } }).template);
    const onSpot = executors.filter((t) => t.executor.nodeSelector?.[NODE_GROUP_LABEL] === "spark-spot");
    assert.ok(onSpot.length > 0, "dev schedules at least one job's executors on spot");
    for (const t of onSpot) {
      assert.ok(fits(t.executor, node), "the executor fits the template node");
      assert.equal(fits(t.driver, node), false, "drivers stay off spot capacity");
    }
    assert.ok(fits(spotScheduling("spark-spot"), node));
    assert.equal(fits({}, node), false, "an ordinary pod does not trigger a spot scale-up");
    // ...and the role may make that call for this cluster's groups (simulated in iam.test.ts).
    const { policy, clusterName } = autoscalerOf(rs);
    const read = policy.Statement.find((st) => st.Action === "eks:DescribeNodegroup");
    assert.equal(read?.Resource, `arn:aws:eks:${REGION}:${ACCOUNT_ID}:nodegroup/${clusterName}/*/*`);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("cluster autoscaler: values and config", () => {
  const values = clusterAutoscalerValues({
    clusterName: "acme-data-prod-eks",
    region: REGION,
    config: COMPUTE_PROFILES.prod.cluster.autoscaler,
    nodeSelector: { [NODE_GROUP_LABEL]: "system" },
  });

  it("runs non-root, read-only, without capabilities, with requests and a memory limit (valid as a Pod)", async () => {
    assert.deepEqual(values.containerSecurityContext.capabilities, { drop: ["ALL"] });
    assert.equal(values.containerSecurityContext.readOnlyRootFilesystem, true);
    assert.equal(values.securityContext.runAsNonRoot, true);
    assert.notEqual(values.securityContext.runAsUser, 0);
    assert.ok(values.resources.requests.cpu && values.resources.requests.memory && values.resources.limits.memory);
    await validateK8s({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "cluster-autoscaler",
        namespace: CLUSTER_AUTOSCALER.namespace,
        annotations: values.podAnnotations,
      },
      spec: {
        serviceAccountName: values.rbac.serviceAccount.name,
        nodeSelector: values.nodeSelector,
        securityContext: values.securityContext,
        containers: [
          {
            name: "aws-cluster-autoscaler",
            image: `registry.k8s.io/autoscaling/cluster-autoscaler:${values.image.tag}`,
            resources: values.resources,
            securityContext: values.containerSecurityContext,
          },
        ],
      },
    } as { apiVersion: string; kind: string });
  });

  it("is on by default with each profile's scale-down settings; explicit values win", () => {
    for (const env of STACKS) {
      const c = resolved(sampleCompute(), env, env === "dev" ? 2 : 3).cluster;
      assert.ok(c.mode === "eks");
      assert.deepEqual(c.autoscaler, COMPUTE_PROFILES[env].cluster.autoscaler);
      assert.equal(c.autoscaler.enabled, true);
    }
    const c = resolved(
      { ...sampleCompute(), cluster: { mode: "eks", autoscaler: { scaleDownUnneededTime: "30m", replicas: 1 } } },
      "prod",
    ).cluster;
    assert.ok(c.mode === "eks");
    assert.deepEqual(c.autoscaler, {
      ...COMPUTE_PROFILES.prod.cluster.autoscaler,
      scaleDownUnneededTime: "30m",
      replicas: 1,
    });
  });

  it("rejects unknown keys, bad durations and thresholds, and the section on a cluster you bring", () => {
    const at = (autoscaler: unknown) =>
      problemsOf({ ...sampleCompute(), cluster: { mode: "eks", autoscaler } }).map((p) => p.path);
    assert.deepEqual(at({ scaleDownDelay: "5m" }), ["platform.compute.cluster.autoscaler.scaleDownDelay"]);
    assert.deepEqual(at({ scaleDownUnneededTime: "10 minutes" }), [
      "platform.compute.cluster.autoscaler.scaleDownUnneededTime",
    ]);
    assert.deepEqual(at({ scaleDownUtilizationThreshold: 0.95 }), [
      "platform.compute.cluster.autoscaler.scaleDownUtilizationThreshold",
    ]);
    assert.deepEqual(at({ replicas: 0 }), ["platform.compute.cluster.autoscaler.replicas"]);
    assert.deepEqual(
      problemsOf({ cluster: { mode: "existing", autoscaler: { enabled: true } } }).map((p) => p.path),
      ["platform.compute.cluster.autoscaler"],
    );
  });

  it("refuses to turn it off while a group starts at zero nodes (nothing would ever add one)", () => {
    const off = { ...sampleCompute(), cluster: { mode: "eks" as const, autoscaler: { enabled: false } } };
    const dev = problemsOf(off, "dev", 2);
    assert.deepEqual(
      dev.map((p) => p.path),
      ["platform.compute.cluster.nodeGroups.spark-spot.desiredSize"],
    );
    assert.match(dev[0].message, /autoscaler/);
    assert.deepEqual(problemsOf(off, "prod"), [], "prod's groups all start with nodes");
  });

  it("picks the system group, or another general-purpose on-demand group, never a dedicated one", () => {
    const groups = COMPUTE_PROFILES.dev.cluster.nodeGroups;
    assert.equal(systemNodeGroup(groups), "system");
    const { system, ...rest } = groups;
    assert.equal(systemNodeGroup({ ...rest, general: system }), "general");
    assert.throws(() => systemNodeGroup(rest), /no on-demand node group/);
  });
});
