import type { Authentication, QueryEngineConfig } from "./query-config";
import { HorizontalPodAutoscaler, Labels, Service } from "./k8s";
import {
  ANALYSTS,
  CREDENTIALS_SECRET,
  ENGINE_PORT,
  ENGINEERS,
  ENV,
  envRef,
  KAFKA_CLIENT_CONFIGMAP,
  PASSWORD_DB_SECRET,
  PRESTO_HTTPS_PORT,
  propertiesText,
  QUERY_SERVICE_ACCOUNT,
  TLS_SECRET,
} from "./query";
import { AccessModelInput, prestoAccessRules, trinoAccessRules } from "./query-access";
import { CHARTS } from "./versions";

// Helm values of the trino and presto charts, their sizing, and the internal load balancer BI tools connect to.

// ---------------------------------------------------------------------------------------------------------------
// Sizing

const gib = (q: string) => (q.endsWith("Gi") ? Number(q.slice(0, -2)) : Math.floor(Number(q.slice(0, -2)) / 1024));

/** JVM heap at 75% of the container (the rest is metaspace, buffers and the OS); query memory at 30% of heap. */
export function engineMemory(containerMemory: string) {
  const heap = Math.max(1, Math.floor(gib(containerMemory) * 0.75));
  return {
    heap: `${heap}G`,
    perNode: `${Math.max(1, Math.floor(heap * 0.3))}GB`,
    perNodeGiB: Math.max(1, Math.floor(heap * 0.3)),
  };
}

const podResources = (r: { cpu: string; memory: string }) => ({
  requests: { cpu: r.cpu, memory: r.memory },
  limits: { memory: r.memory },
});

// ---------------------------------------------------------------------------------------------------------------
// Helm values

export interface EngineValuesInput {
  readonly config: QueryEngineConfig;
  readonly environment: string;
  readonly region: string;
  readonly catalogs: Record<string, string>;
  readonly rules: AccessModelInput;
  /** `s3://bucket/prefix` for fault-tolerant execution (prod). */
  readonly exchangeBaseDir?: string;
  readonly kafka: boolean;
}

function authProperties(auth: Authentication): string[] {
  if (auth.type === "password") return [];
  return [
    `http-server.authentication.oauth2.issuer=${auth.issuer}`,
    `http-server.authentication.oauth2.client-id=${auth.clientId}`,
    `http-server.authentication.oauth2.client-secret=${envRef(ENV.oauth2ClientSecret)}`,
    `http-server.authentication.oauth2.groups-field=${auth.groupsField}`,
    "web-ui.authentication.type=oauth2",
  ];
}

/** Values for the trino chart. Every key used here is listed in test/compute/fixtures/trino-values-keys.json. */
export function trinoValues(input: EngineValuesInput) {
  const { config: q } = input;
  const coordinator = engineMemory(q.coordinator.memory);
  const worker = engineMemory(q.worker.memory);
  const maxWorkers = q.autoscaling.enabled ? q.autoscaling.maxWorkers : q.workers;
  const auth = q.authentication;
  const rules = trinoAccessRules(input.rules);
  const groupFile = [
    q.groups.analysts.length ? `${ANALYSTS}:${q.groups.analysts.join(",")}` : "",
    q.groups.engineers.length ? `${ENGINEERS}:${q.groups.engineers.join(",")}` : "",
  ]
    .filter(Boolean)
    .join("\n");
  return {
    image: { tag: CHARTS.trino.appVersion },
    server: {
      workers: q.workers,
      node: { environment: input.environment },
      config: {
        authenticationType: auth.type === "password" ? "PASSWORD" : "OAUTH2",
        query: { maxMemory: `${worker.perNodeGiB * maxWorkers}GB` },
      },
      ...(input.exchangeBaseDir ? { exchangeManager: { name: "filesystem", baseDir: [input.exchangeBaseDir] } } : {}),
      autoscaling: {
        enabled: q.autoscaling.enabled,
        maxReplicas: q.autoscaling.maxWorkers,
        targetCPUUtilizationPercentage: q.autoscaling.targetCpuPercent,
      },
    },
    additionalConfigProperties: [
      // TLS ends at the internal load balancer; the hop to the pod stays in the VPC and network policy admits only it.
      "http-server.authentication.allow-insecure-over-http=true",
      `internal-communication.shared-secret=${envRef(ENV.sharedSecret)}`,
      ...authProperties(auth),
      ...(input.exchangeBaseDir ? ["retry-policy=TASK"] : []),
    ],
    additionalExchangeManagerProperties: input.exchangeBaseDir ? [`exchange.s3.region=${input.region}`] : [],
    accessControl: {
      type: "configmap",
      refreshPeriod: "60s",
      configFile: "rules.json",
      rules: { "rules.json": JSON.stringify(rules, null, 2) },
    },
    // The chart's sample tpch/tpcds catalogs are removed (null deletes a chart default).
    catalogs: { tpch: null, tpcds: null, ...input.catalogs },
    envFrom: [{ secretRef: { name: CREDENTIALS_SECRET } }],
    auth:
      auth.type === "password"
        ? { passwordAuthSecret: PASSWORD_DB_SECRET, refreshPeriod: "60s", ...(groupFile ? { groups: groupFile } : {}) }
        : {},
    serviceAccount: { create: false, name: QUERY_SERVICE_ACCOUNT },
    securityContext: {
      runAsUser: 1000,
      runAsGroup: 1000,
      runAsNonRoot: true,
      fsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containerSecurityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } },
    configMounts: input.kafka
      ? [{ name: "kafka-client", configMap: KAFKA_CLIENT_CONFIGMAP, path: "/etc/trino/kafka-client" }]
      : [],
    coordinator: {
      jvm: { maxHeapSize: coordinator.heap },
      config: { query: { maxMemoryPerNode: coordinator.perNode } },
      resources: podResources(q.coordinator),
    },
    worker: {
      jvm: { maxHeapSize: worker.heap },
      config: { query: { maxMemoryPerNode: worker.perNode } },
      resources: podResources(q.worker),
      // Scale-in lets running tasks finish instead of failing the queries they belong to.
      gracefulShutdown: { enabled: true, gracePeriodSeconds: 60 },
      terminationGracePeriodSeconds: 130,
    },
  };
}

/** Values for the presto chart. Every key used here is listed in test/compute/fixtures/presto-values-keys.json. */
export function prestoValues(input: EngineValuesInput) {
  const { config: q } = input;
  const coordinator = engineMemory(q.coordinator.memory);
  const worker = engineMemory(q.worker.memory);
  const etc = "/opt/presto-server/etc";
  const maxWorkers = q.autoscaling.enabled ? q.autoscaling.maxWorkers : q.workers;
  const common = [
    `query.max-memory=${worker.perNodeGiB * maxWorkers}GB`,
    "internal-communication.jwt.enabled=true",
    `internal-communication.shared-secret=${envRef(ENV.sharedSecret)}`,
  ];
  const mounts = (extra: { name: string; mountPath: string; subPath?: string }[]) => [
    ...(input.kafka ? [{ name: "kafka-client", mountPath: `${etc}/kafka-client` }] : []),
    ...extra,
  ];
  const volumes = (extra: object[]) => [
    ...(input.kafka ? [{ name: "kafka-client", configMap: { name: KAFKA_CLIENT_CONFIGMAP } }] : []),
    ...extra,
  ];
  const accessVolume = { name: "access-control", configMap: { name: "query-engine-access-control" } };
  return {
    image: { tag: CHARTS.presto.appVersion },
    serviceAccount: { create: false, name: QUERY_SERVICE_ACCOUNT },
    node: { environment: input.environment },
    envFrom: [{ secretRef: { name: CREDENTIALS_SECRET } }],
    securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    catalog: input.catalogs,
    coordinator: {
      jvm: `-server\n-Xmx${coordinator.heap}\n-XX:+UseG1GC\n-XX:+ExitOnOutOfMemoryError\n-Djdk.attach.allowAttachSelf=true`,
      config: [
        ...common,
        `query.max-memory-per-node=${coordinator.perNode}`,
        // Presto authenticates only over HTTPS: the coordinator serves TLS itself and the load balancer passes it through.
        "http-server.https.enabled=true",
        `http-server.https.port=${PRESTO_HTTPS_PORT}`,
        `http-server.https.keystore.path=${etc}/tls/keystore.jks`,
        `http-server.https.keystore.key=${envRef(ENV.keystorePassword)}`,
        "http-server.authentication.type=PASSWORD",
      ].join("\n"),
      resources: podResources(q.coordinator),
      volumes: volumes([
        accessVolume,
        { name: "tls", secret: { secretName: TLS_SECRET } },
        { name: "password-db", secret: { secretName: PASSWORD_DB_SECRET } },
      ]),
      volumeMounts: mounts([
        { name: "access-control", mountPath: `${etc}/access-control` },
        { name: "access-control", mountPath: `${etc}/access-control.properties`, subPath: "access-control.properties" },
        {
          name: "access-control",
          mountPath: `${etc}/password-authenticator.properties`,
          subPath: "password-authenticator.properties",
        },
        { name: "tls", mountPath: `${etc}/tls` },
        { name: "password-db", mountPath: `${etc}/auth` },
      ]),
    },
    worker: {
      replicas: q.workers,
      jvm: `-server\n-Xmx${worker.heap}\n-XX:+UseG1GC\n-XX:+ExitOnOutOfMemoryError\n-Djdk.attach.allowAttachSelf=true`,
      config: [...common, `query.max-memory-per-node=${worker.perNode}`].join("\n"),
      resources: podResources(q.worker),
      volumes: volumes([accessVolume]),
      volumeMounts: mounts([{ name: "access-control", mountPath: `${etc}/access-control` }]),
    },
  };
}

/** Files of presto's access-control ConfigMap (mounted next to config.properties). */
export function prestoAccessFiles(
  input: AccessModelInput,
  groups: QueryEngineConfig["groups"],
): Record<string, string> {
  const rules = prestoAccessRules(input, groups);
  const etc = "/opt/presto-server/etc";
  return {
    "access-control.properties": propertiesText({
      "access-control.name": "file",
      "security.config-file": `${etc}/access-control/rules.json`,
    }),
    "password-authenticator.properties": propertiesText({
      "password-authenticator.name": "file",
      "file.password-file": `${etc}/auth/password.db`,
    }),
    "rules.json": JSON.stringify(rules.system, null, 2),
    "lake-rules.json": JSON.stringify(rules.lake, null, 2),
  };
}

/** Labels the chart puts on coordinator pods (`<chart name>` / release name / component). */
export function coordinatorSelector(engine: "trino" | "presto"): Labels {
  return {
    "app.kubernetes.io/name": engine,
    "app.kubernetes.io/instance": engine,
    "app.kubernetes.io/component": "coordinator",
  };
}

export interface LoadBalancerInput {
  readonly engine: "trino" | "presto";
  readonly namespace: string;
  readonly labels: Labels;
  readonly certificateArn?: string;
  readonly allowedCidrs: readonly string[];
}

/**
 * The internal NLB BI tools connect to. Trino: TLS terminates at the NLB with an ACM certificate (443 → 8080).
 * Presto: TCP passthrough to the coordinator's own TLS listener. Dev without a certificate listens on 80.
 */
export function loadBalancerService(input: LoadBalancerInput): Service {
  const tlsAtLb = input.engine === "trino" && input.certificateArn !== undefined;
  const tls = tlsAtLb || input.engine === "presto";
  const annotations: Record<string, string> = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    ...(tlsAtLb
      ? {
          "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": input.certificateArn as string,
          "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
          "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
        }
      : {}),
  };
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "query-engine", namespace: input.namespace, labels: input.labels, annotations },
    spec: {
      type: "LoadBalancer",
      // Client addresses survive to the pod, so network policy can admit exactly the allowed CIDRs.
      externalTrafficPolicy: "Local",
      loadBalancerSourceRanges: [...input.allowedCidrs],
      selector: coordinatorSelector(input.engine),
      ports: [
        tls
          ? {
              name: "https",
              port: 443,
              targetPort: input.engine === "presto" ? PRESTO_HTTPS_PORT : ENGINE_PORT,
              protocol: "TCP",
            }
          : { name: "http", port: 80, targetPort: ENGINE_PORT, protocol: "TCP" },
      ],
    },
  };
}

/** Worker autoscaling for presto (the trino chart brings its own). */
export function prestoWorkerAutoscaler(ns: string, labels: Labels, q: QueryEngineConfig): HorizontalPodAutoscaler {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "presto-worker", namespace: ns, labels },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "presto-worker" },
      minReplicas: q.workers,
      maxReplicas: q.autoscaling.maxWorkers,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: { type: "Utilization", averageUtilization: q.autoscaling.targetCpuPercent },
          },
        },
      ],
      // Scale in slowly: a removed worker fails the tasks it was running.
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: "Pods", value: 1, periodSeconds: 300 }] },
      },
    },
  };
}
