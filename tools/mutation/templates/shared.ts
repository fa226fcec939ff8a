// Helpers the weakening templates share: resource types, input accessors and policy-document edits.
import type { PlannedResource } from "../../../policies/engine/args";

export type R = PlannedResource;
export type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw inputs

export const S3 = {
  bucket: "aws:s3/bucket:Bucket",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  logging: "aws:s3/bucketLogging:BucketLogging",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
};
export const inp = (r: R) => r.inputs as Inputs;
export const bucketOf = (r: R, all: readonly R[]) =>
  all.find((b) => b.type === S3.bucket && b.inputs.bucket === r.inputs.bucket);
export const notLogBucket = (r: R) => !String(r.inputs.bucket).includes("access-logs");
export const doc = (v: unknown): Inputs => (typeof v === "string" ? JSON.parse(v) : v) as Inputs;
/** Edits a policy document input (kept in the form it had: string or object). */
export const editDoc = (inputs: Inputs, key: string, fn: (d: Inputs) => void) => {
  const d = doc(inputs[key]);
  fn(d);
  inputs[key] = typeof inputs[key] === "string" ? JSON.stringify(d) : d;
};
export const dropStatement = (pred: (s: Inputs) => boolean) => (d: Inputs) => {
  d.Statement = d.Statement.filter((s: Inputs) => !pred(s));
};
export const firstPodSpec = (i: Inputs) => i.spec.template.spec;
export const container = (i: Inputs) => firstPodSpec(i).containers[0];
export const sparkRole = (role: "driver" | "executor") => (i: Inputs) => i.spec.template[role];
export const param = (i: Inputs, key: string, value: string) => {
  for (const p of i.configParameters) if (p.parameterKey === key) p.parameterValue = value;
};
export const chart = (name: string) => (r: R) => r.inputs.chart === name;
export const nsOfQuota = (r: R, all: readonly R[]) =>
  all.find((n) => n.type === "kubernetes:core/v1:Namespace" && inp(n).metadata?.name === inp(r).metadata?.namespace);

export const K8S = {
  deployment: "kubernetes:apps/v1:Deployment",
  spark: "kubernetes:sparkoperator.k8s.io/v1beta2:ScheduledSparkApplication",
  release: "kubernetes:helm.sh/v3:Release",
  namespace: "kubernetes:core/v1:Namespace",
};
