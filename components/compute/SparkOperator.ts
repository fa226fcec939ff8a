import * as k8s from "./kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { PolicyDocument } from "../core/iam";
import { baseTags, dataTags } from "../core/tags";
import type { Zone } from "../core/types";
import { SecureBucket } from "../lake/SecureBucket";
import { MAX_POD, SparkConfig } from "./config";
import { historyServerPolicy, ResolvedLake, sparkDomainPolicy } from "./identity";
import { createLakeFormationGrants, lakeFormationGrants, podIdentity } from "./pod-identity";
import type { ComputeWorkloadArgs } from "./eks";
import { limitRange, namespace, namespaceNetworkPolicies, platformLabels, resourceQuota, serviceAccount } from "./k8s";
import {
  adHocSparkApplication,
  domainServiceAccount,
  historyServer,
  scheduledSparkApplication,
  SparkPlatform,
  sparkDriverRole,
  sparkDriverRoleBinding,
  SPARK_API_VERSION,
  sparkOperatorValues,
} from "./spark";
import { CHARTS } from "./versions";
import { declareSparkStreams, SparkStreamRefs } from "./spark-stream-resources";

export interface SparkOperatorArgs extends ComputeWorkloadArgs {
  /** `platform.compute.spark`, resolved. */
  readonly config: SparkConfig;
  /** What streaming applications need; required when `config.streams` is not empty. */
  readonly streams?: SparkStreamRefs;
}

/** Union of the zones a domain's jobs read and write; a stream writes its table's zone. */
export function domainScopes(
  config: SparkConfig,
  tableZone: (domain: string, table: string) => Zone = () => "curated",
): Map<string, { reads: Zone[]; writes: Zone[] }> {
  const scopes = new Map<string, { reads: Set<Zone>; writes: Set<Zone> }>();
  const streamJobs = config.streams.map((st) => ({
    domain: st.domain,
    reads: [],
    writes: [tableZone(st.domain, st.table)],
  }));
  for (const job of [...config.jobs, ...streamJobs]) {
    const s = scopes.get(job.domain) ?? { reads: new Set<Zone>(), writes: new Set<Zone>() };
    job.reads.forEach((z) => s.reads.add(z));
    job.writes.forEach((z) => s.writes.add(z));
    scopes.set(job.domain, s);
  }
  return new Map([...scopes].map(([d, s]) => [d, { reads: [...s.reads].sort(), writes: [...s.writes].sort() }]));
}

const EVENT_LOG_PREFIX = "event-logs/";

/**
 * Spark on Kubernetes: the Kubeflow Spark operator (pinned chart), a hardened `spark` namespace (quota, limits,
 * default-deny network policies, Pod Security `restricted`), one service account and AWS identity per domain with
 * jobs, a history server over the S3 event logs, and every configured job as a ScheduledSparkApplication.
 */
export class SparkOperator extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly eventLogBucketName: pulumi.Output<string>;
  /** Domain → the IAM policy its Spark service account needs; on a cluster you bring, attach it with your own mechanism. */
  readonly domainPolicies: Record<string, pulumi.Output<PolicyDocument>>;
  readonly historyServerPolicy: pulumi.Output<PolicyDocument>;
  /** Domain → role ARN (EKS only). */
  readonly domainRoleArns: Record<string, pulumi.Output<string>>;
  /** Job name → a SparkApplication manifest for an ad hoc run (`kubectl create -f`). */
  readonly adHocManifests: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: SparkOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:compute:SparkOperator", name, {}, opts);
    const { ctx, config, kubernetes } = args;
    const p = { parent: this };
    const kp = { parent: this, provider: kubernetes.provider };
    const ns = (this.namespace = config.namespace);
    const labels = platformLabels(ctx, "spark");
    const accountId = pulumi.output(args.accountId);

    // Event logs can quote data (plans, literals): confidential key, expiring with the history they feed.
    const logs = new SecureBucket(
      `${name}-event-logs`,
      {
        ctx,
        bucketName: accountId.apply((a) => `${ctx.prefix}-spark-logs-${a}`),
        kmsKeyArn: args.security.keyArns.confidential,
        tags: dataTags(ctx, "shared", "confidential", { component: "spark" }),
        lifecycle: { noncurrentVersionExpirationDays: 1, expireAfterDays: config.eventLogRetentionDays },
        accessLogs: args.lake.accessLogBucketName
          ? { bucket: args.lake.accessLogBucketName, prefix: "spark-logs/" }
          : undefined,
        forceDestroy: ctx.allowDestroyData,
      },
      p,
    );
    this.eventLogBucketName = logs.name;
    const eventLogDir = pulumi.interpolate`s3a://${logs.name}/${EVENT_LOG_PREFIX}`;
    const eventLogs = pulumi
      .all([logs.arn, args.security.keyArns.confidential])
      .apply(([bucketArn, keyArn]) => ({ bucketArn, keyArn, prefix: EVENT_LOG_PREFIX }));

    const nsObj = new k8s.core.v1.Namespace(`${name}-ns`, namespace(ns, labels), kp);
    const inNs = { ...kp, dependsOn: [nsObj] };
    new k8s.core.v1.ResourceQuota(`${name}-quota`, resourceQuota(ns, labels, config.quota), inNs);
    new k8s.core.v1.LimitRange(
      `${name}-limits`,
      limitRange(ns, labels, { cpu: String(MAX_POD.cores), memory: `${MAX_POD.memoryGiB}Gi` }),
      inNs,
    );
    // Drivers and executors talk to each other; everything else leaves over HTTPS (S3, STS, Glue, the API server).
    namespaceNetworkPolicies({ namespace: ns, labels, intraNamespace: true, httpsEgress: true }).forEach(
      (np) => new k8s.networking.v1.NetworkPolicy(`${name}-${np.metadata?.name}`, np, inNs),
    );

    const opNs = new k8s.core.v1.Namespace(
      `${name}-operator-ns`,
      namespace(config.operatorNamespace, platformLabels(ctx, "spark-operator")),
      kp,
    );
    namespaceNetworkPolicies({
      namespace: config.operatorNamespace,
      labels: platformLabels(ctx, "spark-operator"),
      intraNamespace: false,
      httpsEgress: true,
      ingressFrom: [
        {
          name: "webhook",
          podSelector: { "app.kubernetes.io/component": "webhook" },
          cidrs: [args.vpcCidr],
          ports: [9443],
        },
      ],
    }).forEach(
      (np) =>
        new k8s.networking.v1.NetworkPolicy(`${name}-operator-${np.metadata?.name}`, np, { ...kp, dependsOn: [opNs] }),
    );
    const operator = new k8s.helm.v3.Release(
      `${name}-operator`,
      {
        name: "spark-operator",
        chart: CHARTS.sparkOperator.chart,
        version: CHARTS.sparkOperator.version,
        repositoryOpts: { repo: CHARTS.sparkOperator.repo },
        namespace: config.operatorNamespace,
        values: sparkOperatorValues({ jobNamespace: ns, highAvailability: ctx.environment === "prod" }),
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 5,
      },
      { ...kp, dependsOn: [opNs, nsObj] },
    );

    // One identity per domain that has jobs: a job can reach its own domain's data, never a neighbour's.
    const resolvedLake: pulumi.Output<ResolvedLake> = pulumi
      .output({
        zones: args.lake.zones,
        restricted: args.lake.restricted,
      })
      .apply((l) => ({
        zones: Object.fromEntries(
          Object.entries(l.zones).map(([z, r]) => [z, { bucketArn: r.bucketArn, keyArn: r.keyArn }]),
        ) as ResolvedLake["zones"],
        restricted: l.restricted ? { bucketArn: l.restricted.bucketArn, keyArn: l.restricted.keyArn } : undefined,
      }));
    const domainByName = new Map(args.domains.map((d) => [d.name, d]));
    const serviceAccounts: string[] = [];
    this.domainPolicies = {};
    this.domainRoleArns = {};
    for (const [domainName, scope] of domainScopes(config, args.streams?.tableZone)) {
      const domain = domainByName.get(domainName);
      if (!domain) throw new Error(`spark job domain '${domainName}' is not a declared domain`);
      const sa = domainServiceAccount(domainName);
      serviceAccounts.push(sa);
      new k8s.core.v1.ServiceAccount(
        `${name}-${sa}`,
        serviceAccount({
          name: sa,
          namespace: ns,
          labels: { ...labels, "data-platform/domain": domainName },
          automountToken: true,
        }),
        inNs,
      );
      const consumers = config.streams
        .filter((st) => st.domain === domainName)
        .map((st) => ({ topic: st.topic, group: `${st.topic}.${st.name}` }));
      const clusterArn = pulumi.output(args.streams?.kafka.clusterArn ?? "");
      const policy = pulumi
        .all([resolvedLake, accountId, eventLogs, clusterArn])
        .apply(([lake, account, logsLoc, cluster]) =>
          sparkDomainPolicy({
            kafka: consumers.length > 0 ? { clusterArn: cluster, consumers } : undefined,
            region: ctx.region,
            accountId: account,
            prefix: ctx.prefix,
            lake,
            domain,
            reads: scope.reads,
            writes: scope.writes,
            eventLogs: logsLoc,
          }),
        );
      this.domainPolicies[domainName] = policy;
      if (kubernetes.eks) {
        const { role } = podIdentity(
          `${name}-${sa}`,
          {
            ctx,
            accountId,
            permissionsBoundaryArn: args.security.permissionsBoundaryArn,
            eks: kubernetes.eks,
            namespace: ns,
            serviceAccount: sa,
            policy,
            description: `Spark jobs of the ${domainName} domain`,
            tags: baseTags(ctx, "spark", { "data-domain": domainName }),
            restrictedClearance: domain.classification === "restricted",
          },
          p,
        );
        this.domainRoleArns[domainName] = role.arn;
        if (args.lake.databases) {
          const restricted = domain.classification === "restricted";
          const lakeRefs = {
            databases: args.lake.databases,
            bucketArn: (l: Zone | "restricted") =>
              l === "restricted" ? args.lake.restricted?.bucketArn : args.lake.zones[l].bucketArn,
          };
          createLakeFormationGrants(
            `${name}-${sa}`,
            role.arn,
            lakeFormationGrants(
              scope.reads.map((zone) => ({ domain: domainName, zone, restricted })),
              scope.writes.map((zone) => ({ domain: domainName, zone, restricted })),
            ),
            lakeRefs,
            p,
          );
        }
      }
    }
    if (serviceAccounts.length > 0) {
      new k8s.rbac.v1.Role(`${name}-driver`, sparkDriverRole(ns, labels), inNs);
      new k8s.rbac.v1.RoleBinding(`${name}-driver`, sparkDriverRoleBinding(ns, labels, serviceAccounts), inNs);
    }

    this.historyServerPolicy = eventLogs.apply((loc) => historyServerPolicy(ctx.region, loc));
    if (config.historyServer.enabled) {
      const sa = "spark-history";
      new k8s.core.v1.ServiceAccount(`${name}-history`, serviceAccount({ name: sa, namespace: ns, labels }), inNs);
      const identity = kubernetes.eks
        ? [
            podIdentity(
              `${name}-history`,
              {
                ctx,
                accountId,
                permissionsBoundaryArn: args.security.permissionsBoundaryArn,
                eks: kubernetes.eks,
                namespace: ns,
                serviceAccount: sa,
                policy: this.historyServerPolicy,
                description: "Spark history server: reads event logs",
                tags: baseTags(ctx, "spark"),
              },
              p,
            ).association,
          ]
        : [];
      const built = eventLogDir.apply((dir) =>
        historyServer({
          namespace: ns,
          image: config.image,
          serviceAccount: sa,
          eventLogDir: dir,
          region: ctx.region,
          retentionDays: config.eventLogRetentionDays,
          labels,
        }),
      );
      new k8s.apps.v1.Deployment(
        `${name}-history`,
        { metadata: built.deployment.metadata, spec: built.deployment.spec },
        { ...inNs, dependsOn: [nsObj, ...identity] },
      );
      new k8s.core.v1.Service(`${name}-history`, { metadata: built.service.metadata, spec: built.service.spec }, inNs);
    }

    const platform = eventLogDir.apply((dir): SparkPlatform => ({
      namespace: ns,
      region: ctx.region,
      eventLogDir: dir,
      labels,
      spot: kubernetes.spotExecutors,
    }));
    for (const job of config.jobs) {
      const cr = platform.apply((pl) => scheduledSparkApplication(job, pl));
      // apiVersion and kind stay plain strings: they form the resource's type token.
      new k8s.apiextensions.CustomResource(
        `${name}-job-${job.name}`,
        {
          apiVersion: SPARK_API_VERSION,
          kind: "ScheduledSparkApplication",
          metadata: cr.metadata,
          spec: cr.spec,
        },
        { ...inNs, dependsOn: [nsObj, operator] },
      );
    }
    if (config.streams.length > 0) {
      if (!args.streams) throw new Error("spark streams need the platform's Kafka cluster (SparkOperatorArgs.streams)");
      declareSparkStreams(
        name,
        { ctx, config, lake: args.lake, domains: args.domains, refs: args.streams, platform },
        {
          ...inNs,
          dependsOn: [nsObj, operator],
        },
      );
    }
    this.adHocManifests = platform.apply((pl) =>
      Object.fromEntries(config.jobs.map((job) => [job.name, stringify(adHocSparkApplication(job, pl))])),
    );

    this.registerOutputs({
      namespace: ns,
      eventLogBucketName: this.eventLogBucketName,
      domainRoleArns: this.domainRoleArns,
      adHocManifests: this.adHocManifests,
    });
  }
}
