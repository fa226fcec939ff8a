import type { Labels } from "./k8s";

// Credentials reach pods from Secrets Manager through the External Secrets operator: the platform declares which
// secret keys become which Kubernetes Secret keys; values never pass through Pulumi, Helm values or ConfigMaps.

export const EXTERNAL_SECRETS_API_VERSION = "external-secrets.io/v1";
export const EXTERNAL_SECRETS_NAMESPACE = "external-secrets";
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "external-secrets";

export interface SecretStore {
  apiVersion: typeof EXTERNAL_SECRETS_API_VERSION;
  kind: "SecretStore";
  metadata: { name: string; namespace: string; labels: Labels };
  spec: { provider: { aws: { service: "SecretsManager"; region: string } } };
}

export interface ExternalSecretData {
  secretKey: string;
  remoteRef: { key: string; property?: string; decodingStrategy?: "None" | "Base64" };
}

export interface ExternalSecret {
  apiVersion: typeof EXTERNAL_SECRETS_API_VERSION;
  kind: "ExternalSecret";
  metadata: { name: string; namespace: string; labels: Labels };
  spec: {
    refreshInterval: string;
    secretStoreRef: { name: string; kind: "SecretStore" };
    target: { name: string; creationPolicy: "Owner"; deletionPolicy: "Retain" };
    data: ExternalSecretData[];
  };
}

/** A namespaced store: it authenticates as the operator's own (Pod Identity) role, which reads only listed secrets. */
export function secretStore(namespace: string, region: string, labels: Labels): SecretStore {
  return {
    apiVersion: EXTERNAL_SECRETS_API_VERSION,
    kind: "SecretStore",
    metadata: { name: "secrets-manager", namespace, labels },
    spec: { provider: { aws: { service: "SecretsManager", region } } },
  };
}

/** One Kubernetes Secret assembled from Secrets Manager; kept if the ExternalSecret goes, so pods do not lose it mid-run. */
export function externalSecret(
  name: string,
  namespace: string,
  labels: Labels,
  data: readonly ExternalSecretData[],
): ExternalSecret {
  return {
    apiVersion: EXTERNAL_SECRETS_API_VERSION,
    kind: "ExternalSecret",
    metadata: { name, namespace, labels },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { name: "secrets-manager", kind: "SecretStore" },
      target: { name, creationPolicy: "Owner", deletionPolicy: "Retain" },
      data: [...data],
    },
  };
}

/** Values for the external-secrets chart: namespaced stores only, so no cluster-wide secret access exists. */
export function externalSecretsValues(highAvailability: boolean) {
  const resources = { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } };
  return {
    installCRDs: true,
    replicaCount: highAvailability ? 2 : 1,
    leaderElect: highAvailability,
    serviceAccount: { create: true, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT },
    processClusterStore: false,
    processClusterExternalSecret: false,
    processClusterPushSecret: false,
    processPushSecret: false,
    resources,
    webhook: { create: true, resources },
    certController: { create: true, resources },
  };
}
