import * as k8s from "./kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../core/iam";
import { baseTags, dataTags } from "../core/tags";
import type { Zone } from "../core/types";
import { SecureBucket } from "../lake/SecureBucket";
import { QUERY_WRITE_ZONE, QUERY_ZONES, queryEnginePolicy, ResolvedLake } from "./identity";
import { createLakeFormationGrants, lakeFormationGrants, podIdentity } from "./pod-identity";
import {
  configMap,
  limitRange,
  namespace,
  NamespaceNetworkInput,
  namespaceNetworkPolicies,
  NetworkPolicy,
  platformLabels,
  resourceQuota,
  serviceAccount,
} from "./k8s";
import {
  CATALOG,
  catalogProperties,
  ENGINE_PORT,
  kafkaClientProperties,
  KAFKA_CLIENT_CONFIGMAP,
  PRESTO_HTTPS_PORT,
  QUERY_SERVICE_ACCOUNT,
} from "./query";
import {
  coordinatorSelector,
  loadBalancerService,
  prestoAccessFiles,
  prestoValues,
  prestoWorkerAutoscaler,
  trinoValues,
} from "./query-values";
import { CHARTS } from "./versions";
import type { QueryEngineArgs } from "./query-args";
import { declareQuerySecrets } from "./query-secrets";

export type { KafkaRef, QueryEngineArgs, WarehouseRef } from "./query-args";

/**
 * Trino (default) or Presto over the lake (Hive and Iceberg on Glue, curated and analytics only), the warehouse and
 * Kafka; file-based access control from the domains' classifications; password or OAuth2 authentication with
 * credentials synced from Secrets Manager; an internal NLB for BI tools; fault-tolerant execution in prod.
 */
export class QueryEngine extends pulumi.ComponentResource {
  readonly namespace: string;
  /** In-cluster address of the coordinator; BI tools use the load balancer's DNS name (`loadBalancerHostname`). */
  readonly serviceName: string;
  readonly loadBalancerHostname: pulumi.Output<string | undefined>;
  /** The engine's AWS permissions; attach them yourself on a cluster you bring. */
  readonly policy: pulumi.Output<PolicyDocument>;
  /** What the secrets controller must read. */
  readonly secretsPolicy: pulumi.Output<PolicyDocument>;
  readonly roleArn?: pulumi.Output<string>;
  /** Where administrators put password-file entries (`user:bcrypt-hash` lines), for password authentication. */
  readonly passwordDbSecretArn?: pulumi.Output<string>;
  readonly exchangeBucketName?: pulumi.Output<string>;

  constructor(name: string, args: QueryEngineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:compute:QueryEngine", name, {}, opts);
    const { ctx, config: q, kubernetes } = args;
    const p = { parent: this };
    const kp = { parent: this, provider: kubernetes.provider };
    const ns = (this.namespace = q.namespace);
    const labels = platformLabels(ctx, "query-engine", { "data-platform/engine": q.engine });
    const accountId = pulumi.output(args.accountId);
    const tags = baseTags(ctx, "query-engine");
    const confidential = args.security.keyArns.confidential;

    // Namespace: presto's chart sets no container security context, so it runs at `baseline`; trino at `restricted`.
    const nsObj = new k8s.core.v1.Namespace(
      `${name}-ns`,
      namespace(ns, labels, q.engine === "trino" ? "restricted" : "baseline"),
      kp,
    );
    const inNs = { ...kp, dependsOn: [nsObj] };
    const cpu = (c: string) => (c.endsWith("m") ? Number(c.slice(0, -1)) / 1000 : Number(c));
    const mem = (m: string) => (m.endsWith("Gi") ? Number(m.slice(0, -2)) : Number(m.slice(0, -2)) / 1024);
    const maxWorkers = q.autoscaling.enabled ? q.autoscaling.maxWorkers : q.workers;
    // Headroom for one rolling-update surge of every pod.
    const quota = {
      cpu: String(Math.ceil(2 * (cpu(q.coordinator.cpu) + maxWorkers * cpu(q.worker.cpu)))),
      memory: `${Math.ceil(2 * (mem(q.coordinator.memory) + maxWorkers * mem(q.worker.memory)))}Gi`,
      pods: 2 * (maxWorkers + 1) + 2,
      loadBalancers: 1,
    };
    new k8s.core.v1.ResourceQuota(`${name}-quota`, resourceQuota(ns, labels, quota), inNs);
    const largest =
      cpu(q.worker.cpu) >= cpu(q.coordinator.cpu) && mem(q.worker.memory) >= mem(q.coordinator.memory)
        ? q.worker
        : q.coordinator;
    new k8s.core.v1.LimitRange(
      `${name}-limits`,
      limitRange(ns, labels, {
        cpu: String(Math.max(cpu(q.worker.cpu), cpu(q.coordinator.cpu))),
        memory: largest.memory,
      }),
      inNs,
    );

    const allowedCidrs = [...(q.loadBalancer.allowedCidrs ?? [args.vpcCidr])];
    const clientPort = q.engine === "presto" ? PRESTO_HTTPS_PORT : ENGINE_PORT;
    const warehousePort = args.warehouse ? pulumi.output(args.warehouse.port) : pulumi.output(0);
    const network = (warehouse: number): NamespaceNetworkInput => ({
      namespace: ns,
      labels,
      intraNamespace: true,
      httpsEgress: true,
      egressTo: [
        ...(args.warehouse ? [{ name: "warehouse", cidrs: [args.vpcCidr], ports: [warehouse] }] : []),
        ...(args.kafka ? [{ name: "kafka", cidrs: [args.vpcCidr], ports: [9098] }] : []),
      ],
      // Node addresses (the NLB's instance targets) and the allowed clients reach the coordinator, nothing else.
      ingressFrom: [
        {
          name: "load-balancer",
          podSelector: coordinatorSelector(q.engine),
          cidrs: [...new Set([args.vpcCidr, ...allowedCidrs])],
          ports: [clientPort],
        },
      ],
    });
    // The warehouse port may be an Output; the set of policies is not, so each one reads its spec from the same build.
    const policies = warehousePort.apply((port) => namespaceNetworkPolicies(network(port)));
    namespaceNetworkPolicies(network(0)).forEach((np: NetworkPolicy, i) => {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${np.metadata?.name}`,
        { metadata: np.metadata, spec: policies.apply((all) => all[i].spec) },
        inNs,
      );
    });

    new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      serviceAccount({ name: QUERY_SERVICE_ACCOUNT, namespace: ns, labels }),
      inNs,
    );

    // Prod: spooled task output for retries; transient by nature, so it expires after a day.
    let exchange: SecureBucket | undefined;
    if (q.faultTolerant) {
      exchange = new SecureBucket(
        `${name}-exchange`,
        {
          ctx,
          bucketName: accountId.apply((a) => `${ctx.prefix}-query-exchange-${a}`),
          kmsKeyArn: confidential,
          tags: dataTags(ctx, "shared", "confidential", { component: "query-engine" }),
          lifecycle: { noncurrentVersionExpirationDays: 1, expireAfterDays: q.exchangeRetentionDays },
          accessLogs: args.lake.accessLogBucketName
            ? { bucket: args.lake.accessLogBucketName, prefix: "query-exchange/" }
            : undefined,
          forceDestroy: ctx.allowDestroyData,
        },
        p,
      );
      this.exchangeBucketName = exchange.name;
    }

    const resolvedLake: pulumi.Output<ResolvedLake> = pulumi.output({ zones: args.lake.zones }).apply((l) => ({
      zones: Object.fromEntries(
        Object.entries(l.zones).map(([z, r]) => [z, { bucketArn: r.bucketArn, keyArn: r.keyArn }]),
      ) as ResolvedLake["zones"],
    }));
    this.policy = pulumi
      .all([resolvedLake, accountId, exchange?.arn, confidential, args.kafka?.clusterArn])
      .apply(([lake, account, exchangeArn, keyArn, kafkaArn]) =>
        queryEnginePolicy({
          region: ctx.region,
          accountId: account,
          prefix: ctx.prefix,
          lake,
          domains: args.domains,
          exchange: exchangeArn ? { bucketArn: exchangeArn, keyArn, prefix: "" } : undefined,
          kafka: kafkaArn && args.kafka ? { clusterArn: kafkaArn, topics: args.kafka.topics } : undefined,
        }),
      );
    let identity: pulumi.Resource[] = [];
    if (kubernetes.eks) {
      const { role, association } = podIdentity(
        `${name}-engine`,
        {
          ctx,
          accountId,
          permissionsBoundaryArn: args.security.permissionsBoundaryArn,
          eks: kubernetes.eks,
          namespace: ns,
          serviceAccount: QUERY_SERVICE_ACCOUNT,
          policy: this.policy,
          description: `${q.engine} query engine: curated and analytics zones, exchange, Kafka topics`,
          tags,
        },
        p,
      );
      this.roleArn = role.arn;
      identity = [association];
      if (args.lake.databases) {
        const open = args.domains.filter((d) => d.classification !== "restricted");
        const readZones = QUERY_ZONES.filter((z) => z !== QUERY_WRITE_ZONE);
        createLakeFormationGrants(
          `${name}-engine`,
          role.arn,
          lakeFormationGrants(
            open.flatMap((d) => readZones.map((zone) => ({ domain: d.name, zone }))),
            open.map((d) => ({ domain: d.name, zone: QUERY_WRITE_ZONE })),
          ),
          {
            databases: args.lake.databases,
            bucketArn: (l: Zone | "restricted") => (l === "restricted" ? undefined : args.lake.zones[l].bucketArn),
          },
          p,
        );
      }
    }

    const secrets = declareQuerySecrets(name, { ...args, labels, nsObj }, this);
    this.secretsPolicy = secrets.secretsPolicy;
    this.passwordDbSecretArn = secrets.passwordDbSecretArn;
    const synced = secrets.synced;

    const kafkaConfig = args.kafka
      ? [
          new k8s.core.v1.ConfigMap(
            `${name}-kafka`,
            configMap(KAFKA_CLIENT_CONFIGMAP, ns, labels, { "client.properties": kafkaClientProperties() }),
            inNs,
          ),
        ]
      : [];
    const catalogNames = [
      CATALOG.lake,
      ...(q.engine === "trino" ? [CATALOG.iceberg] : []),
      ...(args.warehouse ? [CATALOG.warehouse] : []),
      ...(args.kafka ? [CATALOG.kafka] : []),
    ];
    const rules = { prefix: ctx.prefix, domains: args.domains, catalogs: catalogNames };
    const accessFiles =
      q.engine === "presto"
        ? [
            new k8s.core.v1.ConfigMap(
              `${name}-access-control`,
              configMap("query-engine-access-control", ns, labels, prestoAccessFiles(rules, q.groups)),
              inNs,
            ),
          ]
        : [];

    const warehouse = args.warehouse
      ? pulumi
          .all([args.warehouse.endpoint, args.warehouse.port, args.warehouse.database])
          .apply(([endpoint, port, database]) => ({ engine: args.warehouse!.engine, endpoint, port, database }))
      : pulumi.output(undefined);
    const kafka = args.kafka
      ? pulumi
          .output(args.kafka.bootstrapBrokers)
          .apply((bootstrapBrokers) => ({ bootstrapBrokers, topics: args.kafka!.topics }))
      : pulumi.output(undefined);
    const values = pulumi
      .all([accountId, warehouse, kafka, exchange?.name])
      .apply(([account, w, k, exchangeBucket]) => {
        const input = {
          config: q,
          environment: ctx.environment,
          region: ctx.region,
          catalogs: catalogProperties({
            engine: q.engine,
            region: ctx.region,
            accountId: account,
            warehouse: w,
            kafka: k,
          }),
          rules,
          exchangeBaseDir: exchangeBucket ? `s3://${exchangeBucket}/exchange` : undefined,
          kafka: k !== undefined,
        };
        return q.engine === "trino" ? trinoValues(input) : prestoValues(input);
      });
    const chart = CHARTS[q.engine];
    const release = new k8s.helm.v3.Release(
      `${name}-${q.engine}`,
      {
        name: q.engine,
        chart: chart.chart,
        version: chart.version,
        repositoryOpts: { repo: chart.repo },
        namespace: ns,
        values,
        // Needed so `catalogs: { tpch: null }` removes the chart's sample catalogs instead of being dropped.
        allowNullValues: true,
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 5,
      },
      { ...kp, dependsOn: [nsObj, ...synced, ...identity, ...kafkaConfig, ...accessFiles] },
    );

    if (q.engine === "presto" && q.autoscaling.enabled) {
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-workers`, prestoWorkerAutoscaler(ns, labels, q), {
        ...inNs,
        dependsOn: [release],
      });
    }
    const lb = new k8s.core.v1.Service(
      `${name}-lb`,
      loadBalancerService({
        engine: q.engine,
        namespace: ns,
        labels,
        certificateArn: q.loadBalancer.certificateArn,
        allowedCidrs,
      }),
      { ...inNs, dependsOn: [release] },
    );
    this.serviceName = `query-engine.${ns}.svc`;
    this.loadBalancerHostname = lb.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname);

    this.registerOutputs({
      namespace: ns,
      loadBalancerHostname: this.loadBalancerHostname,
      roleArn: this.roleArn,
      passwordDbSecretArn: this.passwordDbSecretArn,
      exchangeBucketName: this.exchangeBucketName,
    });
  }
}
