// Companions that decide how a managed service behaves: the Kafka broker configuration and storage scaling, and
// the Redshift Serverless usage limit. Each is a separate resource, so a cluster can be perfect and still unsafe.
import type { PolicyResource } from "@pulumi/policy";
import { ALWAYS, PlatformRule, PROD_ONLY, stackRule } from "./define";
import { MSK_TYPES } from "./streaming";
import { WAREHOUSE_TYPES } from "./warehouse";
import { stackIndex } from "./stack-index";

export const SERVICE_TYPES = {
  mskConfiguration: "aws:msk/configuration:Configuration",
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  usageLimit: "aws:redshiftserverless/usageLimit:UsageLimit",
} as const;
const S = SERVICE_TYPES;
const MSK_STORAGE = "kafka:broker-storage:VolumeSize";

/** Broker properties of an MSK configuration (`key=value` lines). */
export function serverProperties(text: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of String(text ?? "").split("\n")) {
    const m = /^\s*([^#=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

const configs = (rs: readonly PolicyResource[]) => rs.filter((r) => r.type === S.mskConfiguration);

export const serviceRules: PlatformRule[] = [
  stackRule({
    name: "msk-configuration-hardened",
    description:
      "Kafka brokers run a configuration of the stack that refuses auto-created topics (every topic is declared with an owning domain and IAM scope) and denies clients when no ACL matches.",
    remediation:
      "Give the cluster configurationInfo with the KafkaCluster configuration: auto.create.topics.enable=false, allow.everyone.if.no.acl.found=false.",
    group: "security",
    resourceTypes: [S.mskConfiguration, MSK_TYPES.cluster],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const c of configs(resources)) {
        const p = serverProperties(c.props.serverProperties);
        if (p["auto.create.topics.enable"] !== "false")
          report(
            `'${c.name}' lets clients create topics (auto.create.topics.enable is ${p["auto.create.topics.enable"] ?? "unset"})`,
            c.urn,
          );
        if (p["allow.everyone.if.no.acl.found"] !== "false")
          report(
            `'${c.name}' admits every client to resources without an ACL (allow.everyone.if.no.acl.found is ${p["allow.everyone.if.no.acl.found"] ?? "unset, true by default"})`,
            c.urn,
          );
      }
      for (const k of stackIndex(resources).ofType(MSK_TYPES.cluster)) {
        if (!k.props.configurationInfo?.arn)
          report(`'${k.name}' runs MSK's default configuration, which admits clients without an ACL`, k.urn);
      }
    },
  }),
  stackRule({
    name: "msk-configuration-durable",
    description:
      "Prod Kafka keeps every acknowledged write through a broker loss: replication factor 3, at least 2 in-sync replicas, no unclean leader election.",
    remediation:
      "Use the prod profile's broker settings: default.replication.factor=3, min.insync.replicas=2, unclean.leader.election.enable=false.",
    group: "reliability",
    resourceTypes: [S.mskConfiguration],
    enforcement: PROD_ONLY,
    validate(resources, report) {
      for (const c of configs(resources)) {
        const p = serverProperties(c.props.serverProperties);
        const problems = [
          ...(Number(p["default.replication.factor"] ?? 0) >= 3
            ? []
            : [`default.replication.factor is ${p["default.replication.factor"] ?? "unset"}, not 3 or more`]),
          ...(Number(p["min.insync.replicas"] ?? 1) >= 2
            ? []
            : [`min.insync.replicas is ${p["min.insync.replicas"] ?? "unset (1)"}, not 2 or more`]),
          ...(p["unclean.leader.election.enable"] === "true"
            ? ["unclean leader election is on (acknowledged writes can be lost)"]
            : []),
        ];
        if (problems.length > 0) report(`'${c.name}': ${problems.join("; ")}`, c.urn);
      }
    },
  }),
  stackRule({
    name: "msk-storage-autoscaling",
    description:
      "Prod Kafka brokers grow their disks before they fill: a storage scaling target above the current volume size and a target-tracking policy that never scales in (MSK cannot shrink volumes).",
    remediation:
      "Keep KafkaCluster's storage autoscaling: an appautoscaling Target on kafka:broker-storage:VolumeSize and a TargetTrackingScaling policy on KafkaBrokerStorageUtilization with disableScaleIn.",
    group: "reliability",
    resourceTypes: [MSK_TYPES.cluster, S.scalingTarget, S.scalingPolicy],
    enforcement: PROD_ONLY,
    validate(resources, report) {
      const forCluster = (type: string, cluster: PolicyResource) =>
        resources.filter(
          (r) =>
            r.type === type &&
            r.props.scalableDimension === MSK_STORAGE &&
            String(r.props.resourceId ?? "").includes(`:cluster/${cluster.props.clusterName}/`),
        );
      for (const k of stackIndex(resources).ofType(MSK_TYPES.cluster)) {
        const [target] = forCluster(S.scalingTarget, k);
        const volume = Number(k.props.brokerNodeGroupInfo?.storageInfo?.ebsStorageInfo?.volumeSize ?? 1);
        if (!target) {
          report(`'${k.name}' has no storage scaling target: a full disk stops the brokers`, k.urn);
          continue;
        }
        if (Number(target.props.maxCapacity ?? 0) <= volume)
          report(
            `'${target.name}' cannot grow beyond the current ${volume} GiB (maxCapacity ${target.props.maxCapacity ?? "unset"})`,
            target.urn,
          );
        const policy = forCluster(S.scalingPolicy, k).find((p) => p.props.policyType === "TargetTrackingScaling");
        if (!policy)
          report(`'${k.name}' has a storage target but no target-tracking policy, so it never scales`, k.urn);
        else if (policy.props.targetTrackingScalingPolicyConfiguration?.disableScaleIn !== true)
          report(`'${policy.name}' may scale in, which MSK refuses for storage`, policy.urn);
      }
    },
  }),
  stackRule({
    name: "cost-redshift-usage-limit",
    description:
      "Every Redshift Serverless workgroup has a compute usage limit, so a runaway query or schedule shows up (or stops) before the bill does.",
    remediation:
      "Keep the Warehouse component's UsageLimit (usageType serverless-compute) on the workgroup; dev may deactivate on breach.",
    group: "cost",
    resourceTypes: [WAREHOUSE_TYPES.workgroup, S.usageLimit],
    enforcement: ALWAYS,
    validate(resources, report) {
      const limit = (r: PolicyResource) =>
        r.props.usageType === "serverless-compute" && Number(r.props.amount ?? 0) > 0;
      // The limit names the workgroup by ARN, an output; the engine's dependency edge ties the two.
      for (const wg of stackIndex(resources).ofType(WAREHOUSE_TYPES.workgroup)) {
        if (!stackIndex(resources).dependents(wg, S.usageLimit).some(limit))
          report(`'${wg.name}' has no compute usage limit`, wg.urn);
      }
    },
  }),
];
