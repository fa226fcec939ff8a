import type { ResolvedSparkJob } from "./config";
import type { SpotScheduling } from "./eks";
import {
  Deployment,
  Labels,
  PodSecurityContext,
  restrictedContainerSecurity,
  restrictedPodSecurity,
  Role,
  RoleBinding,
  SecurityContext,
  Service,
  Toleration,
} from "./k8s";
import { SPARK_VERSION } from "./versions";

// Pure builders for Spark: the operator's Helm values, SparkApplication / ScheduledSparkApplication custom resources
// from a job's config, the driver RBAC, and the history server.

/** UID of the `spark` user in the Apache Spark images. */
export const SPARK_UID = 185;
export const SPARK_API_VERSION = "sparkoperator.k8s.io/v1beta2";

/** Kubernetes names allow no underscore; domain names do. */
export function domainServiceAccount(domain: string): string {
  return `spark-${domain.replace(/_/g, "-")}`;
}

// The subset of the operator's v1beta2 API the platform writes (see api/v1beta2 in the operator's repository).
export interface SparkPodSpec {
  cores: number;
  memory: string;
  labels: Labels;
  serviceAccount?: string;
  podSecurityContext: PodSecurityContext;
  securityContext: SecurityContext;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
}

export interface SparkApplicationSpec {
  type: "Python" | "Scala" | "Java";
  mode: "cluster";
  sparkVersion: string;
  image: string;
  imagePullPolicy: "IfNotPresent";
  mainApplicationFile: string;
  mainClass?: string;
  arguments: string[];
  sparkConf: Record<string, string>;
  /** Batch jobs: OnFailure with counted retries; streaming applications: Always, with back-off intervals only. */
  restartPolicy: {
    type: "OnFailure" | "Always";
    onFailureRetries?: number;
    onFailureRetryInterval: number;
    onSubmissionFailureRetries?: number;
    onSubmissionFailureRetryInterval: number;
  };
  timeToLiveSeconds?: number;
  driver: SparkPodSpec & { serviceAccount: string };
  executor: SparkPodSpec & { instances: number; deleteOnTermination: boolean; template: ExecutorPodTemplate };
}

/**
 * The executor's pod template (operator field `template`, passed to Spark as its executor pod template). Spark
 * builds the executor pod from it, so its automountServiceAccountToken reaches the pod; the container name is the
 * one the operator names as the Spark container. The operator's webhook still applies the spec's security contexts.
 */
export interface ExecutorPodTemplate {
  spec: { automountServiceAccountToken: false; containers: [{ name: "spark-kubernetes-executor" }] };
}

interface Metadata {
  name?: string;
  generateName?: string;
  namespace: string;
  labels: Labels;
}

export interface SparkApplication {
  apiVersion: typeof SPARK_API_VERSION;
  kind: "SparkApplication";
  metadata: Metadata;
  spec: SparkApplicationSpec;
}

export interface ScheduledSparkApplication {
  apiVersion: typeof SPARK_API_VERSION;
  kind: "ScheduledSparkApplication";
  metadata: Metadata & { name: string };
  spec: {
    schedule: string;
    timeZone: string;
    concurrencyPolicy: "Allow" | "Forbid" | "Replace";
    suspend: boolean;
    successfulRunHistoryLimit: number;
    failedRunHistoryLimit: number;
    template: SparkApplicationSpec;
  };
}

/** Platform facts every Spark application needs besides the job's own definition. */
export interface SparkPlatform {
  readonly namespace: string;
  readonly region: string;
  /** `s3a://bucket/prefix/` the event logs go to (and the history server reads). */
  readonly eventLogDir: string;
  readonly labels: Labels;
  /** Where spot executors go; required for jobs with `spot: true`. */
  readonly spot?: SpotScheduling;
}

/** Name of the Spark catalog over the lake's Iceberg tables (Glue). */
export const ICEBERG_CATALOG = "lake";

/**
 * The lake's Iceberg tables as the Spark catalog `lake` (Glue, S3FileIO), so a job reads and writes declared
 * datasets by name: `INSERT INTO lake.<database>.<table>`. Needs the iceberg-spark-runtime and iceberg-aws-bundle
 * jars in the image; a job's own sparkConf wins.
 */
export function icebergCatalogConf(region: string): Record<string, string> {
  const c = `spark.sql.catalog.${ICEBERG_CATALOG}`;
  return {
    "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    [c]: "org.apache.iceberg.spark.SparkCatalog",
    [`${c}.catalog-impl`]: "org.apache.iceberg.aws.glue.GlueCatalog",
    [`${c}.io-impl`]: "org.apache.iceberg.aws.s3.S3FileIO",
    [`${c}.client.region`]: region,
  };
}

/**
 * The application spec of a job. The platform owns identity (the domain's service account), event logging,
 * pod hardening and placement; the job owns code, arguments and sizes.
 */
export function sparkApplicationSpec(job: ResolvedSparkJob, platform: SparkPlatform): SparkApplicationSpec {
  const labels = { ...platform.labels, "data-platform/domain": job.domain, "data-platform/spark-job": job.name };
  const pod = {
    podSecurityContext: restrictedPodSecurity(SPARK_UID),
    securityContext: restrictedContainerSecurity(false),
    labels,
  };
  if (job.spot && !platform.spot)
    throw new Error(`spark job '${job.name}' asks for spot executors but the cluster has no spot group for them`);
  return {
    type: job.type,
    mode: "cluster",
    sparkVersion: SPARK_VERSION,
    image: job.image,
    imagePullPolicy: "IfNotPresent",
    mainApplicationFile: job.mainApplicationFile,
    ...(job.mainClass ? { mainClass: job.mainClass } : {}),
    arguments: [...job.arguments],
    sparkConf: {
      ...icebergCatalogConf(platform.region),
      ...job.sparkConf,
      "spark.eventLog.enabled": "true",
      "spark.eventLog.dir": platform.eventLogDir,
      "spark.eventLog.rolling.enabled": "true",
      "spark.hadoop.fs.s3a.endpoint.region": platform.region,
      // Executors lost to spot reclaims hand their shuffle and cache blocks to survivors instead of recomputing.
      ...(job.spot
        ? {
            "spark.decommission.enabled": "true",
            "spark.storage.decommission.enabled": "true",
            "spark.storage.decommission.shuffleBlocks.enabled": "true",
          }
        : {}),
    },
    restartPolicy: {
      type: "OnFailure",
      onFailureRetries: job.retries,
      onFailureRetryInterval: 60,
      onSubmissionFailureRetries: 3,
      onSubmissionFailureRetryInterval: 30,
    },
    driver: {
      ...pod,
      cores: job.driver.cores,
      memory: job.driver.memory,
      serviceAccount: domainServiceAccount(job.domain),
    },
    executor: {
      ...pod,
      cores: job.executor.cores,
      memory: job.executor.memory,
      instances: job.executor.instances,
      deleteOnTermination: true,
      // Executors run as the driver's service account (for its Pod Identity) but never call the Kubernetes API:
      // only the driver, which creates them, keeps the token.
      template: { spec: { automountServiceAccountToken: false, containers: [{ name: "spark-kubernetes-executor" }] } },
      ...(job.spot && platform.spot
        ? { nodeSelector: { ...platform.spot.nodeSelector }, tolerations: [...platform.spot.tolerations] }
        : {}),
    },
  };
}

/** The cron path for batch processing: the operator submits a SparkApplication from the template on schedule. */
export function scheduledSparkApplication(job: ResolvedSparkJob, platform: SparkPlatform): ScheduledSparkApplication {
  return {
    apiVersion: SPARK_API_VERSION,
    kind: "ScheduledSparkApplication",
    metadata: {
      name: job.name,
      namespace: platform.namespace,
      labels: { ...platform.labels, "data-platform/domain": job.domain },
    },
    spec: {
      schedule: job.schedule,
      timeZone: job.timeZone,
      concurrencyPolicy: job.concurrencyPolicy,
      suspend: job.suspend,
      successfulRunHistoryLimit: 3,
      failedRunHistoryLimit: 5,
      template: sparkApplicationSpec(job, platform),
    },
  };
}

/** An ad hoc run of the same definition (`kubectl create -f`): a generated name, cleaned up three days after it ends. */
export function adHocSparkApplication(job: ResolvedSparkJob, platform: SparkPlatform): SparkApplication {
  return {
    apiVersion: SPARK_API_VERSION,
    kind: "SparkApplication",
    metadata: {
      generateName: `${job.name}-adhoc-`,
      namespace: platform.namespace,
      labels: { ...platform.labels, "data-platform/domain": job.domain, "data-platform/run": "ad-hoc" },
    },
    spec: { ...sparkApplicationSpec(job, platform), timeToLiveSeconds: 3 * 24 * 3600 },
  };
}

/** What a Spark driver may do in its namespace: run its executors and their services and config, nothing more. */
export function sparkDriverRole(ns: string, labels: Labels): Role {
  const verbs = ["create", "get", "list", "watch", "update", "patch", "delete", "deletecollection"];
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "spark-driver", namespace: ns, labels },
    rules: [{ apiGroups: [""], resources: ["pods", "services", "configmaps", "persistentvolumeclaims"], verbs }],
  };
}

export function sparkDriverRoleBinding(ns: string, labels: Labels, serviceAccounts: readonly string[]): RoleBinding {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "spark-driver", namespace: ns, labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "spark-driver" },
    subjects: serviceAccounts.map((name) => ({ kind: "ServiceAccount", name, namespace: ns })),
  };
}

export interface SparkOperatorValuesInput {
  readonly jobNamespace: string;
  /** Two controller and webhook replicas with disruption budgets (prod). */
  readonly highAvailability: boolean;
}

/**
 * Values for the spark-operator chart: watch only the platform's job namespace, and leave service accounts and
 * their RBAC to the platform (one identity per domain instead of the chart's single shared one).
 */
export function sparkOperatorValues(input: SparkOperatorValuesInput) {
  const replicas = input.highAvailability ? 2 : 1;
  const resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } };
  // The chart's security contexts default to empty; its namespace enforces the restricted Pod Security Standard.
  const security = {
    podSecurityContext: restrictedPodSecurity(SPARK_UID) /* the operator image is built on Spark's, user spark */,
    securityContext: restrictedContainerSecurity(),
  };
  return {
    spark: { jobNamespaces: [input.jobNamespace], serviceAccount: { create: false }, rbac: { create: false } },
    controller: {
      replicas,
      resources,
      ...security,
      podDisruptionBudget: { enable: input.highAvailability, minAvailable: 1 },
    },
    // The webhook applies what spark-submit cannot: security contexts, tolerations and node selectors on the pods.
    webhook: {
      enable: true,
      replicas,
      failurePolicy: "Fail",
      resources,
      ...security,
      podDisruptionBudget: { enable: input.highAvailability, minAvailable: 1 },
    },
    prometheus: { metrics: { enable: true } },
  };
}

export const HISTORY_SERVER_PORT = 18080;
export const HISTORY_SERVER_LABELS = { "app.kubernetes.io/name": "spark-history-server" };

export interface HistoryServerInput {
  readonly namespace: string;
  readonly image: string;
  readonly serviceAccount: string;
  readonly eventLogDir: string;
  readonly region: string;
  readonly retentionDays: number;
  readonly labels: Labels;
}

/** The history server: reads event logs from S3, cleans entries past retention, serves its UI on a ClusterIP. */
export function historyServer(input: HistoryServerInput): { deployment: Deployment; service: Service } {
  const labels = { ...input.labels, ...HISTORY_SERVER_LABELS };
  const opts = [
    `-Dspark.history.fs.logDirectory=${input.eventLogDir}`,
    `-Dspark.hadoop.fs.s3a.endpoint.region=${input.region}`,
    "-Dspark.history.fs.cleaner.enabled=true",
    `-Dspark.history.fs.cleaner.maxAge=${input.retentionDays}d`,
    `-Dspark.history.ui.port=${HISTORY_SERVER_PORT}`,
  ].join(" ");
  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "spark-history-server", namespace: input.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: HISTORY_SERVER_LABELS },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: input.serviceAccount,
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurity(SPARK_UID),
          containers: [
            {
              name: "history-server",
              image: input.image,
              imagePullPolicy: "IfNotPresent",
              command: ["/opt/spark/bin/spark-class", "org.apache.spark.deploy.history.HistoryServer"],
              env: [
                { name: "SPARK_HISTORY_OPTS", value: opts },
                { name: "SPARK_NO_DAEMONIZE", value: "true" },
              ],
              ports: [{ name: "http", containerPort: HISTORY_SERVER_PORT, protocol: "TCP" }],
              readinessProbe: { httpGet: { path: "/", port: "http" }, initialDelaySeconds: 15, periodSeconds: 10 },
              resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "2Gi" } },
              securityContext: restrictedContainerSecurity(true),
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }],
        },
      },
    },
  };
  const service: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "spark-history-server", namespace: input.namespace, labels },
    spec: {
      type: "ClusterIP",
      selector: HISTORY_SERVER_LABELS,
      ports: [{ name: "http", port: HISTORY_SERVER_PORT, targetPort: "http", protocol: "TCP" }],
    },
  };
  return { deployment, service };
}
