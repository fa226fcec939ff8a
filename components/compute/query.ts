// Constants and catalog properties of the query engine, shared by its access rules (query-access.ts) and Helm values
// (query-values.ts).

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
/** A reference to one of ENV in a properties file. */
export const envRef = (name: string) => `\${ENV:${name}}`;
/** A Java properties file, one `key=value` per line. */
export const propertiesText = (entries: Record<string, string>) =>
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
    catalogs[CATALOG.lake] = propertiesText({
      "connector.name": "hive",
      ...glue,
      ...s3,
      "hive.non-managed-table-writes-enabled": "false",
    });
    catalogs[CATALOG.iceberg] = propertiesText({
      "connector.name": "iceberg",
      "iceberg.catalog.type": "glue",
      "hive.metastore.glue.region": input.region,
      "hive.metastore.glue.catalogid": input.accountId,
      ...s3,
    });
  } else {
    catalogs[CATALOG.lake] = propertiesText({
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
    catalogs[CATALOG.warehouse] = propertiesText({
      "connector.name": w.engine === "redshift-serverless" ? "redshift" : "postgresql",
      "connection-url": url,
      "connection-user": envRef(ENV.warehouseUser),
      "connection-password": envRef(ENV.warehousePassword),
    });
  }
  if (input.kafka) {
    catalogs[CATALOG.kafka] = propertiesText({
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
  return propertiesText({
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "AWS_MSK_IAM",
    "sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
    "sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
    "group.id": "query-engine-kafka",
  });
}
