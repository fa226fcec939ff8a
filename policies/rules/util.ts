import type { PolicyResource } from "@pulumi/policy";
import { tagsOf } from "./define";
import { stackIndex } from "./stack-index";

export interface Stmt {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** Parses a policy document input (JSON string or object); undefined when absent or malformed. */
export function parsePolicy(value: unknown): { Statement: Stmt[] } | undefined {
  try {
    const parsed = typeof value === "string" ? JSON.parse(value) : value;
    if (!parsed || typeof parsed !== "object") return undefined;
    const st = (parsed as { Statement?: Stmt | Stmt[] }).Statement;
    return { Statement: Array.isArray(st) ? st : st ? [st] : [] };
  } catch {
    return undefined;
  }
}

export const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Companion resources of one type that point at `bucketName` through their `bucket` input. */
export function companions(
  resources: readonly PolicyResource[],
  type: string,
  bucketName: unknown,
): readonly PolicyResource[] {
  return stackIndex(resources).withInput(type, "bucket", bucketName);
}

export const S3 = {
  bucket: "aws:s3/bucket:Bucket",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  logging: "aws:s3/bucketLogging:BucketLogging",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
} as const;

/** The access-log bucket may use SSE-S3: S3 server access log delivery cannot write to SSE-KMS buckets. */
export function isAccessLogBucket(r: { props: Record<string, unknown> }): boolean {
  return tagsOf(r.props)["data-platform:bucket-role"] === "access-logs";
}

/** The component that marks the workload layer of a layered deployment (components/platform/PlatformWorkloads.ts). */
export const WORKLOAD_LAYER = "data-platform:platform:PlatformWorkloads";

/**
 * A workload-layer stack: its keys, boundary, cluster and domains live in the foundation stack, so a join that finds
 * nothing here is not a finding (`npm run plan -- --layer workloads` judges it beside the foundation's resources).
 */
export const isWorkloadLayer = (resources: readonly PolicyResource[]): boolean =>
  stackIndex(resources).ofType(WORKLOAD_LAYER).length > 0;
