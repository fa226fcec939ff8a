// Every version the compute module deploys, in one place. Bumping is a one-line change reviewed like any other;
// nothing floats ("latest", version ranges), so two plans of the same commit install the same software.

/** EKS control-plane version; add-on versions below are builds published for it. */
export const KUBERNETES_VERSION = "1.33";

/** EKS managed add-ons, pinned to builds for KUBERNETES_VERSION (list them with `aws eks describe-addon-versions`). */
export const EKS_ADDON_VERSIONS = {
  "vpc-cni": "v1.19.6-eksbuild.7",
  coredns: "v1.12.2-eksbuild.4",
  "kube-proxy": "v1.33.0-eksbuild.2",
  "aws-ebs-csi-driver": "v1.46.0-eksbuild.1",
  "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
  // Resource metrics for the query engine's worker autoscaling.
  "metrics-server": "v0.8.0-eksbuild.1",
} as const;
export type EksAddonName = keyof typeof EKS_ADDON_VERSIONS;

/** A Helm chart: where it lives and the exact version whose values.yaml the tests check our values against. */
export interface ChartRef {
  readonly chart: string;
  readonly repo: string;
  readonly version: string;
  /** The application version the chart version ships, for the README. */
  readonly appVersion: string;
}

export const CHARTS = {
  sparkOperator: {
    chart: "spark-operator",
    repo: "https://kubeflow.github.io/spark-operator",
    version: "2.5.2",
    appVersion: "2.5.2",
  },
  trino: { chart: "trino", repo: "https://trinodb.github.io/charts", version: "1.42.2", appVersion: "480" },
  presto: {
    chart: "presto",
    repo: "https://prestodb.github.io/presto-helm-charts",
    version: "0.4.0",
    appVersion: "0.291",
  },
  externalSecrets: {
    chart: "external-secrets",
    repo: "https://charts.external-secrets.io",
    version: "2.9.0",
    appVersion: "v2.9.0",
  },
  // The autoscaler's minor version must match the control plane's: 9.51.0 is the newest chart shipping 1.33.
  clusterAutoscaler: {
    chart: "cluster-autoscaler",
    repo: "https://kubernetes.github.io/autoscaler",
    version: "9.51.0",
    appVersion: "1.33.0",
  },
} as const satisfies Record<string, ChartRef>;

/** Spark version the scheduled applications declare (the operator passes it to spark-submit). */
export const SPARK_VERSION = "3.5.6";
