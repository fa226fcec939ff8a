import type { Zone } from "../core/types";
import { glueDatabaseName } from "../lake/DataLake";
import type { Authentication, QueryEngineConfig } from "./config";
import type { DomainRef } from "./identity";
import { QUERY_WRITE_ZONE, QUERY_ZONES } from "./identity";
import { HorizontalPodAutoscaler, Labels, Service } from "./k8s";
import { CHARTS } from "./versions";

// Pure builders for the query engine: catalog properties, access-control rules, Helm values for the trino and presto
// charts, and the internal load balancer BI tools connect to.

export const QUERY_SERVICE_ACCOUNT = "query-engine";
/** Kubernetes Secret (synced from Secrets Manager) whose keys become environment variables of every engine pod. */
export const CREDENTIALS_SECRET = "query-engine-credentials";
/** Kubernetes Secret (synced) holding `password.db`: bcrypt entries users manage in Secrets Manager. */
export const PASSWORD_DB_SECRET = "query-engine-password-db";
/** Kubernetes Secret (synced) holding the presto coordinator's TLS keystore. */
export const TLS_SECRET = "query-engine-tls";
export const KAFKA_CLIENT_CONFIGMAP = "query-engine-kafka";
export const ENGINE_PORT = 8080;
export const PRESTO_HTTPS_PORT = 8443;
export const ANALYSTS = "analysts";
export const ENGINEERS = "engineers";

/** Catalog names BI tools see. */
export const CATALOG = { lake: "lake", iceberg: "iceberg", warehouse: "warehouse", kafka: "kafka" } as const;

/** The warehouse as the query engine reaches it; credentials stay in Secrets Manager (`username`, `password` keys). */
export interface ResolvedWarehouse {
  readonly engine: "redshift-serverless" | "aurora-postgresql";
  readonly endpoint: string;
  readonly port: number;
  readonly database: string;
}

export interface ResolvedKafka {
  readonly bootstrapBrokers: string;
  readonly topics: readonly string[];
}

export interface CatalogInput {
  readonly engine: "trino" | "presto";
  readonly region: string;
  readonly accountId: string;
  readonly warehouse?: ResolvedWarehouse;
  readonly kafka?: ResolvedKafka;
}

/** Environment variables the catalogs read; Trino and Presto substitute `${ENV:NAME}` when loading properties. */
export const ENV = {
  warehouseUser: "WAREHOUSE_USER",
  warehousePassword: "WAREHOUSE_PASSWORD",
  sharedSecret: "SHARED_SECRET",
  oauth2ClientSecret: "OAUTH2_CLIENT_SECRET",
  keystorePassword: "KEYSTORE_PASSWORD",
} as const;
const env = (name: string) => `\${ENV:${name}}`;
const props = (entries: Record<string, string>) =>
  Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n") + "\n";

/** Path where the Kafka client properties are mounted in engine pods. */
export function kafkaClientConfigPath(engine: "trino" | "presto"): string {
  return engine === "trino"
    ? "/etc/trino/kafka-client/client.properties"
    : "/opt/presto-server/etc/kafka-client/client.properties";
}

/**
 * Catalog properties. The lake is catalogued twice over Glue (Hive tables and Iceberg tables, Trino only for
 * Iceberg); the warehouse and Kafka catalogs exist only when their inputs do. No value here is a secret.
 */
export function catalogProperties(input: CatalogInput): Record<string, string> {
  const catalogs: Record<string, string> = {};
  const glue = {
    "hive.metastore": "glue",
    "hive.metastore.glue.region": input.region,
    "hive.metastore.glue.catalogid": input.accountId,
  };
  if (input.engine === "trino") {
    const s3 = { "fs.native-s3.enabled": "true", "s3.region": input.region };
    catalogs[CATALOG.lake] = props({
      "connector.name": "hive",
      ...glue,
      ...s3,
      "hive.non-managed-table-writes-enabled": "false",
    });
    catalogs[CATALOG.iceberg] = props({
      "connector.name": "iceberg",
      "iceberg.catalog.type": "glue",
      "hive.metastore.glue.region": input.region,
      "hive.metastore.glue.catalogid": input.accountId,
      ...s3,
    });
  } else {
    catalogs[CATALOG.lake] = props({
      "connector.name": "hive-hadoop2",
      ...glue,
      "hive.s3.use-instance-credentials": "false",
      // Schema and table rules for the lake live in the connector's own file (Presto's system rules cover catalogs only).
      "hive.security": "file",
      "security.config-file": "/opt/presto-server/etc/access-control/lake-rules.json",
    });
  }
  if (input.warehouse) {
    const w = input.warehouse;
    const url =
      w.engine === "redshift-serverless"
        ? `jdbc:redshift://${w.endpoint}:${w.port}/${w.database}?ssl=true`
        : `jdbc:postgresql://${w.endpoint}:${w.port}/${w.database}?ssl=true&sslmode=require`;
    catalogs[CATALOG.warehouse] = props({
      "connector.name": w.engine === "redshift-serverless" ? "redshift" : "postgresql",
      "connection-url": url,
      "connection-user": env(ENV.warehouseUser),
      "connection-password": env(ENV.warehousePassword),
    });
  }
  if (input.kafka) {
    catalogs[CATALOG.kafka] = props({
      "connector.name": "kafka",
      "kafka.nodes": input.kafka.bootstrapBrokers,
      "kafka.table-names": input.kafka.topics.join(","),
      "kafka.hide-internal-columns": "true",
      "kafka.config.resources": kafkaClientConfigPath(input.engine),
    });
  }
  return catalogs;
}

/** MSK IAM authentication for the Kafka catalog: the pod's own identity signs, no credential on disk. */
export function kafkaClientProperties(): string {
  return props({
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "AWS_MSK_IAM",
    "sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
    "sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
    "group.id": "query-engine-kafka",
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Access control

export interface AccessModelInput {
  readonly prefix: string;
  readonly domains: readonly DomainRef[];
  readonly catalogs: readonly string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const anyOf = (xs: readonly string[]) => `(${xs.map(escape).join("|")})`;

/** Glue schema regex for some domains in some zones (`<prefix>_<domain>_<zone>`). */
export function schemaPattern(prefix: string, domains: readonly string[], zones: readonly Zone[]): string {
  const sample = glueDatabaseName(prefix, "DOMAIN", "raw");
  const head = escape(sample.slice(0, sample.indexOf("_DOMAIN_")));
  return `${head}_${anyOf(domains)}_${anyOf(zones)}`;
}

/** The classification split every rules file follows. */
export function accessModel(input: AccessModelInput) {
  const open = input.domains.filter((d) => d.classification !== "restricted").map((d) => d.name);
  const restricted = input.domains.filter((d) => d.classification === "restricted").map((d) => d.name);
  const p = input.prefix.replace(/-/g, "_");
  return {
    /** Readable by analysts and engineers: curated and analytics of non-restricted domains. */
    readable: open.length > 0 ? schemaPattern(input.prefix, open, QUERY_ZONES) : undefined,
    /** Writable by engineers: analytics of non-restricted domains. */
    writable: open.length > 0 ? schemaPattern(input.prefix, open, [QUERY_WRITE_ZONE]) : undefined,
    /** Never served: every raw schema and every schema of a restricted domain. */
    denied: [`${escape(p)}_.*_raw`, ...(restricted.length > 0 ? [`${escape(p)}_${anyOf(restricted)}_.*`] : [])].join(
      "|",
    ),
    restrictedDomains: restricted,
  };
}

type TrinoCatalogRule = { group?: string; catalog: string; allow: "all" | "read-only" | "none" };
type TrinoSchemaRule = { group?: string; catalog?: string; schema: string; owner: boolean };
type TrinoTableRule = { group?: string; catalog?: string; schema?: string; privileges: string[] };
export interface TrinoRules {
  catalogs: TrinoCatalogRule[];
  schemas: TrinoSchemaRule[];
  tables: TrinoTableRule[];
  queries: { group?: string; allow: string[] }[];
}

/**
 * Trino's file-based system access control. Rules are first-match: explicit denials of raw and restricted come
 * first, then what analysts (read curated and analytics) and engineers (also write analytics, read Kafka) may do;
 * anything unmatched is denied.
 */
export function trinoAccessRules(input: AccessModelInput): TrinoRules {
  const m = accessModel(input);
  const lake = anyOf([CATALOG.lake, CATALOG.iceberg]);
  const has = (c: string) => input.catalogs.includes(c);
  const both = `${ANALYSTS}|${ENGINEERS}`;
  const catalogs: TrinoCatalogRule[] = [
    { group: ENGINEERS, catalog: anyOf(input.catalogs.filter((c) => c !== CATALOG.warehouse)), allow: "all" },
    ...(has(CATALOG.warehouse) ? [{ group: both, catalog: CATALOG.warehouse, allow: "read-only" as const }] : []),
    { group: ANALYSTS, catalog: lake, allow: "read-only" },
    { group: both, catalog: "system", allow: "read-only" },
    { catalog: ".*", allow: "none" },
  ];
  const tables: TrinoTableRule[] = [{ catalog: lake, schema: m.denied, privileges: [] }];
  if (has(CATALOG.warehouse) && m.restrictedDomains.length > 0)
    tables.push({ catalog: CATALOG.warehouse, schema: anyOf(m.restrictedDomains), privileges: [] });
  if (m.writable)
    tables.push({
      group: ENGINEERS,
      catalog: lake,
      schema: m.writable,
      privileges: ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP"],
    });
  if (m.readable) tables.push({ group: both, catalog: lake, schema: m.readable, privileges: ["SELECT"] });
  if (has(CATALOG.warehouse)) tables.push({ group: both, catalog: CATALOG.warehouse, privileges: ["SELECT"] });
  if (has(CATALOG.kafka)) tables.push({ group: ENGINEERS, catalog: CATALOG.kafka, privileges: ["SELECT"] });
  tables.push({
    group: both,
    catalog: "system",
    schema: "(runtime|metadata|information_schema)",
    privileges: ["SELECT"],
  });
  return {
    catalogs,
    schemas: m.writable ? [{ group: ENGINEERS, catalog: lake, schema: m.writable, owner: true }] : [],
    tables,
    queries: [
      { group: ENGINEERS, allow: ["execute", "kill", "view"] },
      { group: ANALYSTS, allow: ["execute"] },
    ],
  };
}

const userPattern = (users: readonly string[]) => `(${users.map(escape).join("|")})`;

/**
 * Presto has no group provider: rules match user names, taken from `queryEngine.groups`. System rules gate
 * catalogs; the lake catalog's own file carries the schema and table rules.
 */
export function prestoAccessRules(input: AccessModelInput, groups: QueryEngineConfig["groups"]) {
  const m = accessModel(input);
  const has = (c: string) => input.catalogs.includes(c);
  const analysts = groups.analysts.length > 0 ? userPattern(groups.analysts) : undefined;
  const engineers = groups.engineers.length > 0 ? userPattern(groups.engineers) : undefined;
  const both = [analysts, engineers].filter((x): x is string => x !== undefined).join("|") || undefined;
  const system = {
    catalogs: [
      ...(engineers ? [{ user: engineers, catalog: anyOf(input.catalogs), allow: true }] : []),
      ...(analysts
        ? [{ user: analysts, catalog: anyOf(input.catalogs.filter((c) => c !== CATALOG.kafka)), allow: true }]
        : []),
      ...(both ? [{ user: both, catalog: "system", allow: true }] : []),
      { catalog: ".*", allow: false },
    ],
  };
  const lake = {
    schemas: [
      ...(engineers && m.writable ? [{ user: engineers, schema: m.writable, owner: true }] : []),
      { schema: ".*", owner: false },
    ],
    tables: [
      { schema: m.denied, privileges: [] as string[] },
      ...(engineers && m.writable
        ? [{ user: engineers, schema: m.writable, privileges: ["SELECT", "INSERT", "DELETE", "OWNERSHIP"] }]
        : []),
      ...(both && m.readable ? [{ user: both, schema: m.readable, privileges: ["SELECT"] }] : []),
    ],
  };
  return { system, lake, warehouse: has(CATALOG.warehouse) };
}

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
    `http-server.authentication.oauth2.client-secret=${env(ENV.oauth2ClientSecret)}`,
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
      `internal-communication.shared-secret=${env(ENV.sharedSecret)}`,
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
    `internal-communication.shared-secret=${env(ENV.sharedSecret)}`,
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
        `http-server.https.keystore.key=${env(ENV.keystorePassword)}`,
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
    "access-control.properties": props({
      "access-control.name": "file",
      "security.config-file": `${etc}/access-control/rules.json`,
    }),
    "password-authenticator.properties": props({
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
