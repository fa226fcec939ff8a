import * as aws from "@pulumi/aws";
import * as k8s from "../compute/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { stringify } from "yaml";
import { baseTags, dataTags } from "../core/tags";
import type { PlatformContext } from "../core/types";
import type { BiConfig } from "./config";
import type { WarehouseEngine } from "../warehouse/config";

// Superset on the platform's cluster from its Helm chart. Values stay free of secrets: the component writes the
// Kubernetes secrets itself (from @pulumi/random and Secrets Manager), and the chart only names them.

export const SUPERSET_REPO = "https://apache.github.io/superset";
/** Release name; the chart derives its object names from it. */
export const SUPERSET_RELEASE = "superset";
export const SUPERSET_ENV_SECRET = "superset-env";
export const SUPERSET_DATASOURCES_SECRET = "superset-datasources";

/** Non-root, no privilege escalation, no capabilities, default seccomp: the pod security "restricted" profile. */
const CONTAINER_SECURITY = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Chart values. No default admin (the chart's would be admin/admin): people sign in through the identity
 * provider configured in `configOverrides` by the platform team. The bundled PostgreSQL is off (metadata lives in
 * a managed database); the bundled Redis stays as a cache and Celery broker, which hold nothing that must survive.
 */
export function supersetValues(input: { replicas: number }): Record<string, unknown> {
  const highlyAvailable = input.replicas > 1;
  const component = (replicas: number) => ({
    replicas: { enabled: true, replicaCount: replicas },
    // The chart defaults maxUnavailable to 1 as well, and a budget with both is refused (by the chart's template
    // and by the API server): null deletes the default, so the budget is "keep one pod" and nothing else.
    podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1, maxUnavailable: null },
    containerSecurityContext: CONTAINER_SECURITY,
  });
  return {
    fullnameOverride: SUPERSET_RELEASE,
    runAsUser: 1000,
    secretEnv: { create: false },
    envFromSecret: SUPERSET_ENV_SECRET,
    configOverrides: {
      // Fail closed: without the key from the secret Superset does not start, rather than sign sessions with a default.
      secret: "SECRET_KEY = os.environ['SUPERSET_SECRET_KEY']",
      cookies: "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = True\nSESSION_COOKIE_SAMESITE = 'Lax'",
    },
    extraVolumes: [{ name: "datasources", secret: { secretName: SUPERSET_DATASOURCES_SECRET } }],
    extraVolumeMounts: [{ name: "datasources", mountPath: "/app/configs", readOnly: true }],
    init: { enabled: true, createAdmin: false, loadExamples: false, containerSecurityContext: CONTAINER_SECURITY },
    supersetNode: component(input.replicas),
    supersetWorker: component(highlyAvailable ? 2 : 1),
    service: { type: "ClusterIP" },
    ingress: { enabled: false },
    postgresql: { enabled: false },
    redis: { enabled: true, architecture: "standalone", master: { persistence: { enabled: false } } },
  };
}

export interface DatasourceInput {
  readonly queryEngine?: {
    readonly engine: "trino" | "presto";
    readonly host: string;
    readonly port: number;
    readonly catalog?: string;
  };
  readonly warehouse?: {
    readonly engine: WarehouseEngine;
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly username: string;
    readonly password: string;
  };
}

/**
 * `import_datasources.yaml` for the chart's init job: the query engine and the warehouse, read-only (no DML, no
 * uploads). It holds the BI login's password, so it is written to a Kubernetes secret, never a ConfigMap.
 */
export function datasourcesYaml(input: DatasourceInput): string {
  const databases: Record<string, unknown>[] = [];
  if (input.queryEngine) {
    const q = input.queryEngine;
    databases.push({
      database_name: "lake",
      sqlalchemy_uri: `${q.engine}://superset@${q.host}:${q.port}/${q.catalog ?? "lake"}`,
      extra: JSON.stringify({ connect_args: { http_scheme: "https" } }),
      expose_in_sqllab: true,
      allow_dml: false,
      allow_file_upload: false,
      tables: [],
    });
  }
  if (input.warehouse) {
    const w = input.warehouse;
    const dialect = w.engine === "redshift-serverless" ? "redshift+psycopg2" : "postgresql+psycopg2";
    databases.push({
      database_name: "warehouse",
      sqlalchemy_uri: `${dialect}://${encodeURIComponent(w.username)}:${encodeURIComponent(w.password)}@${w.host}:${w.port}/${w.database}?sslmode=verify-full`,
      expose_in_sqllab: true,
      allow_dml: false,
      allow_file_upload: false,
      tables: [],
    });
  }
  return stringify({ databases });
}

export interface MetadataConnection {
  readonly host: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly database: pulumi.Input<string>;
  readonly username: pulumi.Input<string>;
  readonly password: pulumi.Input<string>;
}

export interface SupersetArgs {
  readonly ctx: PlatformContext;
  readonly config: BiConfig["superset"];
  readonly provider: k8s.Provider;
  /** Key for the metadata database's storage and Superset's secrets. */
  readonly keyArn: pulumi.Input<string>;
  /** For the own metadata instance: private subnets and the workload group of the cluster's pods. */
  readonly network: {
    readonly vpcId: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly clientSecurityGroupId: pulumi.Input<string>;
  };
  /** Metadata on the warehouse (`metadataDatabase: warehouse`): a database and login made for Superset. */
  readonly metadata?: MetadataConnection;
  readonly datasources: pulumi.Input<DatasourceInput>;
}

/** Creates Superset's secrets, its metadata database (own instance) and the Helm release; returns the release. */
export function createSuperset(
  name: string,
  args: SupersetArgs,
  parent: pulumi.Resource,
): { release: k8s.HelmRelease; secretKeyArn: pulumi.Output<string>; metadataInstance?: aws.rds.Instance } {
  const { ctx, config } = args;
  const p = { parent };
  const kp = { parent, provider: args.provider };
  const tags = baseTags(ctx, "bi", { "data-platform:app": "superset" });

  // The session-signing key: random, kept in Secrets Manager (recoverable, auditable), handed to the pods as a secret.
  const secretKey = new random.RandomPassword(`${name}-secret-key`, { length: 64, special: false }, p);
  const keySecret = new aws.secretsmanager.Secret(
    `${name}-secret-key`,
    {
      name: `${ctx.prefix}/bi/superset-secret-key`,
      description: "Superset's session-signing key; rotating it signs every user out",
      kmsKeyId: args.keyArn,
      recoveryWindowInDays: ctx.allowDestroyData ? 7 : 30,
      tags,
    },
    { parent, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete },
  );
  new aws.secretsmanager.SecretVersion(
    `${name}-secret-key`,
    { secretId: keySecret.id, secretString: secretKey.result },
    p,
  );

  let metadata: MetadataConnection;
  let metadataInstance: aws.rds.Instance | undefined;
  if (config.metadataDatabase === "warehouse") {
    if (!args.metadata)
      throw new Error("Superset: metadataDatabase 'warehouse' needs the metadata connection from the warehouse");
    metadata = args.metadata;
  } else {
    const password = new random.RandomPassword(`${name}-metadata-password`, { length: 40, special: false }, p);
    const sg = new aws.ec2.SecurityGroup(
      `${name}-metadata`,
      {
        vpcId: args.network.vpcId,
        description: `${ctx.prefix}: Superset metadata database, from the cluster's workloads only`,
        ingress: [
          {
            protocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            securityGroups: [args.network.clientSecurityGroupId],
            description: "Superset pods",
          },
        ],
        egress: [],
        tags: { ...tags, Name: `${ctx.prefix}-superset-metadata` },
      },
      p,
    );
    const subnets = new aws.rds.SubnetGroup(
      `${name}-metadata`,
      { subnetIds: args.network.privateSubnetIds, description: "Superset metadata", tags },
      p,
    );
    const params = new aws.rds.ParameterGroup(
      `${name}-metadata`,
      {
        family: "postgres16",
        description: "TLS only",
        parameters: [{ name: "rds.force_ssl", value: "1" }],
        tags,
      },
      p,
    );
    metadataInstance = new aws.rds.Instance(
      `${name}-metadata`,
      {
        identifier: `${ctx.prefix}-superset`,
        engine: "postgres",
        engineVersion: "16.6",
        instanceClass: config.instanceClass,
        allocatedStorage: 20,
        maxAllocatedStorage: 100,
        storageType: "gp3",
        storageEncrypted: true,
        kmsKeyId: args.keyArn,
        dbName: "superset",
        username: "superset",
        password: password.result,
        dbSubnetGroupName: subnets.name,
        parameterGroupName: params.name,
        vpcSecurityGroupIds: [sg.id],
        publiclyAccessible: false,
        multiAz: ctx.environment === "prod",
        backupRetentionPeriod: ctx.environment === "prod" ? 14 : 1,
        deletionProtection: ctx.protect,
        skipFinalSnapshot: ctx.allowDestroyData,
        finalSnapshotIdentifier: ctx.allowDestroyData ? undefined : `${ctx.prefix}-superset-final`,
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        // Saved queries and cached chart results hold whatever the warehouse returned: confidential, as its key says.
        tags: dataTags(ctx, "shared", "confidential", { component: "bi", "data-platform:app": "superset" }),
      },
      { parent, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete },
    );
    metadata = {
      host: metadataInstance.address,
      port: metadataInstance.port,
      database: "superset",
      username: "superset",
      password: password.result,
    };
  }

  const ns = new k8s.core.v1.Namespace(
    `${name}-ns`,
    {
      metadata: {
        name: config.namespace,
        labels: {
          "pod-security.kubernetes.io/enforce": "baseline",
          "pod-security.kubernetes.io/warn": "restricted",
          "app.kubernetes.io/part-of": ctx.prefix,
        },
      },
    },
    kp,
  );
  const inNs = { parent, provider: args.provider, dependsOn: [ns] };
  const env = new k8s.core.v1.Secret(
    `${name}-env`,
    {
      metadata: { name: SUPERSET_ENV_SECRET, namespace: config.namespace },
      type: "Opaque",
      stringData: pulumi.secret(
        pulumi
          .all([
            metadata.host,
            metadata.port,
            metadata.database,
            metadata.username,
            metadata.password,
            secretKey.result,
          ])
          .apply(([host, port, db, user, pass, key]) => ({
            DB_HOST: host,
            DB_PORT: String(port),
            DB_NAME: db,
            DB_USER: user,
            DB_PASS: pass,
            REDIS_HOST: `${SUPERSET_RELEASE}-redis-headless`,
            REDIS_PORT: "6379",
            REDIS_PROTO: "redis",
            REDIS_DB: "1",
            REDIS_CELERY_DB: "0",
            REDIS_USER: "",
            SUPERSET_SECRET_KEY: key,
          })),
      ),
    },
    inNs,
  );
  const sources = new k8s.core.v1.Secret(
    `${name}-datasources`,
    {
      metadata: { name: SUPERSET_DATASOURCES_SECRET, namespace: config.namespace },
      type: "Opaque",
      stringData: pulumi.secret(
        pulumi
          .output(args.datasources)
          .apply((d) => ({ "import_datasources.yaml": datasourcesYaml(d as DatasourceInput) })),
      ),
    },
    inNs,
  );

  const release = new k8s.helm.v3.Release(
    `${name}-release`,
    {
      name: SUPERSET_RELEASE,
      chart: "superset",
      version: config.chartVersion,
      repositoryOpts: { repo: SUPERSET_REPO },
      namespace: config.namespace,
      values: supersetValues({ replicas: config.replicas }),
      // Pass the nulls in the values through to Helm, where they delete chart defaults (see podDisruptionBudget).
      allowNullValues: true,
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
    },
    { parent, provider: args.provider, dependsOn: [env, sources, ...(metadataInstance ? [metadataInstance] : [])] },
  );
  return { release, secretKeyArn: keySecret.arn, metadataInstance };
}
