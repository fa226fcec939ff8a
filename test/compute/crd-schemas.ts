// JSON schemas of the custom resources the platform writes, derived from the fields it uses of
//   - the Spark operator v2.5.2 API (api/v1beta2: SparkApplicationSpec, SparkPodSpec, DriverSpec, ExecutorSpec,
//     RestartPolicy, ScheduledSparkApplicationSpec; SparkPodSpec.template is a corev1.PodTemplateSpec), and
//   - the External Secrets v1 API of chart 2.9.0 (SecretStoreSpec/AWSProvider, ExternalSecretSpec).
// Objects are closed (additionalProperties: false) so a misspelt or unsupported field fails the test instead of
// being silently dropped by the API server's structural pruning.
import Ajv from "ajv";

const name = { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 };
const labels = { type: "object", additionalProperties: { type: "string", maxLength: 63 } };
const metadata = (nameRequired: boolean) => ({
  type: "object",
  additionalProperties: false,
  required: nameRequired ? ["name", "namespace"] : ["namespace"],
  properties: { name, generateName: { type: "string" }, namespace: name, labels },
});
const quantityMemory = { type: "string", pattern: "^[0-9]+[mgMG]$" };
const securityContext = {
  type: "object",
  additionalProperties: false,
  properties: {
    allowPrivilegeEscalation: { type: "boolean" },
    privileged: { type: "boolean" },
    readOnlyRootFilesystem: { type: "boolean" },
    runAsNonRoot: { type: "boolean" },
    runAsUser: { type: "integer" },
    capabilities: {
      type: "object",
      additionalProperties: false,
      properties: {
        drop: { type: "array", items: { type: "string" } },
        add: { type: "array", items: { type: "string" } },
      },
    },
    seccompProfile: {
      type: "object",
      additionalProperties: false,
      required: ["type"],
      properties: { type: { enum: ["RuntimeDefault", "Localhost", "Unconfined"] } },
    },
  },
};
const podSecurityContext = {
  type: "object",
  additionalProperties: false,
  properties: {
    runAsNonRoot: { type: "boolean" },
    runAsUser: { type: "integer" },
    runAsGroup: { type: "integer" },
    fsGroup: { type: "integer" },
    seccompProfile: securityContext.properties.seccompProfile,
  },
};
const toleration = {
  type: "object",
  additionalProperties: false,
  properties: {
    key: { type: "string" },
    operator: { enum: ["Exists", "Equal"] },
    value: { type: "string" },
    effect: { enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
  },
};
const podSpec = (extra: Record<string, unknown>, required: string[]) => ({
  type: "object",
  additionalProperties: false,
  required: ["cores", "memory", ...required],
  properties: {
    cores: { type: "integer", minimum: 1 },
    memory: quantityMemory,
    labels,
    serviceAccount: name,
    podSecurityContext,
    securityContext,
    nodeSelector: labels,
    tolerations: { type: "array", items: toleration },
    ...extra,
  },
});

export const sparkApplicationSpecSchema = {
  type: "object",
  additionalProperties: false,
  required: ["type", "sparkVersion", "mainApplicationFile", "driver", "executor"],
  properties: {
    type: { enum: ["Java", "Python", "Scala", "R"] },
    mode: { enum: ["cluster", "client", "in-cluster-client"] },
    sparkVersion: { type: "string", pattern: "^\\d+\\.\\d+\\.\\d+$" },
    image: { type: "string" },
    imagePullPolicy: { enum: ["Always", "IfNotPresent", "Never"] },
    mainApplicationFile: { type: "string" },
    mainClass: { type: "string" },
    arguments: { type: "array", items: { type: "string" } },
    sparkConf: { type: "object", additionalProperties: { type: "string" } },
    timeToLiveSeconds: { type: "integer", minimum: 1 },
    restartPolicy: {
      type: "object",
      additionalProperties: false,
      properties: {
        type: { enum: ["Never", "Always", "OnFailure"] },
        onFailureRetries: { type: "integer", minimum: 0 },
        onFailureRetryInterval: { type: "integer", minimum: 1 },
        onSubmissionFailureRetries: { type: "integer", minimum: 0 },
        onSubmissionFailureRetryInterval: { type: "integer", minimum: 1 },
      },
    },
    driver: podSpec({}, ["serviceAccount"]),
    executor: podSpec(
      {
        instances: { type: "integer", minimum: 1 },
        deleteOnTermination: { type: "boolean" },
        // corev1.PodTemplateSpec, the two fields the platform sets.
        template: {
          type: "object",
          additionalProperties: false,
          properties: {
            spec: {
              type: "object",
              additionalProperties: false,
              properties: {
                automountServiceAccountToken: { type: "boolean" },
                containers: {
                  type: "array",
                  items: { type: "object", additionalProperties: false, required: ["name"], properties: { name } },
                },
              },
            },
          },
        },
      },
      ["instances"],
    ),
  },
};

export const sparkApplicationSchema = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { const: "sparkoperator.k8s.io/v1beta2" },
    kind: { const: "SparkApplication" },
    metadata: metadata(false),
    spec: sparkApplicationSpecSchema,
  },
};

export const scheduledSparkApplicationSchema = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { const: "sparkoperator.k8s.io/v1beta2" },
    kind: { const: "ScheduledSparkApplication" },
    // The operator names each run `<name>-<unix nanos>`; 40 characters leave room for that within 63.
    metadata: { ...metadata(true), properties: { ...metadata(true).properties, name: { ...name, maxLength: 40 } } },
    spec: {
      type: "object",
      additionalProperties: false,
      required: ["schedule", "template"],
      properties: {
        schedule: { type: "string", minLength: 1 },
        timeZone: { type: "string" },
        concurrencyPolicy: { enum: ["Allow", "Forbid", "Replace"] },
        suspend: { type: "boolean" },
        successfulRunHistoryLimit: { type: "integer", minimum: 1 },
        failedRunHistoryLimit: { type: "integer", minimum: 1 },
        template: sparkApplicationSpecSchema,
      },
    },
  },
};

export const secretStoreSchema = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { const: "external-secrets.io/v1" },
    kind: { const: "SecretStore" },
    metadata: metadata(true),
    spec: {
      type: "object",
      additionalProperties: false,
      required: ["provider"],
      properties: {
        provider: {
          type: "object",
          additionalProperties: false,
          properties: {
            aws: {
              type: "object",
              additionalProperties: false,
              required: ["service", "region"],
              properties: { service: { enum: ["SecretsManager", "ParameterStore"] }, region: { type: "string" } },
            },
          },
        },
      },
    },
  },
};

export const externalSecretSchema = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { const: "external-secrets.io/v1" },
    kind: { const: "ExternalSecret" },
    metadata: metadata(true),
    spec: {
      type: "object",
      additionalProperties: false,
      required: ["secretStoreRef", "target", "data"],
      properties: {
        refreshInterval: { type: "string", pattern: "^[0-9]+(s|m|h)$" },
        secretStoreRef: {
          type: "object",
          additionalProperties: false,
          required: ["name"],
          properties: { name, kind: { enum: ["SecretStore", "ClusterSecretStore"] } },
        },
        target: {
          type: "object",
          additionalProperties: false,
          properties: {
            name,
            creationPolicy: { enum: ["Owner", "Orphan", "Merge", "None"] },
            deletionPolicy: { enum: ["Delete", "Merge", "Retain"] },
          },
        },
        data: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["secretKey", "remoteRef"],
            properties: {
              secretKey: { type: "string", pattern: "^[-._a-zA-Z0-9]+$" },
              remoteRef: {
                type: "object",
                additionalProperties: false,
                required: ["key"],
                properties: {
                  key: { type: "string", minLength: 1 },
                  property: { type: "string" },
                  decodingStrategy: { enum: ["Auto", "Base64", "Base64URL", "None"] },
                },
              },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = {
  SparkApplication: ajv.compile(sparkApplicationSchema),
  ScheduledSparkApplication: ajv.compile(scheduledSparkApplicationSchema),
  SecretStore: ajv.compile(secretStoreSchema),
  ExternalSecret: ajv.compile(externalSecretSchema),
};

/** Validates a custom resource against its schema; returns ajv's error messages (empty when valid). */
export function crdErrors(obj: { kind: string }): string[] {
  const validate = validators[obj.kind as keyof typeof validators];
  if (!validate) return [`no schema for kind ${obj.kind}`];
  return validate(obj)
    ? []
    : (validate.errors ?? []).map(
        (e) =>
          `${e.instancePath} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
      );
}
