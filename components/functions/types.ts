import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext, Tags } from "../core/types";

/**
 * Contract for `PlatformFunction` (data-platform:functions:PlatformFunction), implemented in components/functions/.
 * Every Lambda the platform runs goes through it, so the security and operability defaults live in one place:
 * an esbuild bundle of a TypeScript handler (from its source in this repository, prebuilt in the package; the
 * bundle's hash drives updates), arm64, a recent Node runtime, X-Ray tracing, JSON logs to its own KMS-encrypted log group with retention, an execution role under
 * the permissions boundary with only the statements given, reserved concurrency, and a DLQ / on-failure destination.
 */
export interface PlatformFunctionArgs {
  readonly ctx: PlatformContext;
  /**
   * Absolute path of the TypeScript handler module; it must export `handler`. Bundled from the source when it is
   * present, otherwise taken from the package's prebuilt handlers (see `bundle`).
   */
  readonly entry: string;
  /** Tags beyond the context's (e.g. from `dataTags`). */
  readonly tags?: Tags;
  /** IAM statements of the execution role's inline policy: least privilege, scoped to ARNs. */
  readonly statements: pulumi.Input<pulumi.Input<PolicyStatement>[]>;
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  /** KMS key for the log group and environment variables. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Non-secret settings only; secrets are read at run time from Secrets Manager by ARN. */
  readonly environment?: Record<string, pulumi.Input<string>>;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 2 */
  readonly reservedConcurrency?: number;
  /** Log retention in days. @default 30 (dev 7, prod 365 via the profile) */
  readonly logRetentionDays?: number;
  /** Runs the function in the VPC (needed to reach the warehouse or Kafka). */
  readonly vpc?: { subnetIds: pulumi.Input<string>[]; securityGroupIds: pulumi.Input<string>[] };
  /**
   * Where failed asynchronous invocations go. When omitted the function gets its own encrypted SQS DLQ.
   */
  readonly deadLetterTargetArn?: pulumi.Input<string>;
  /**
   * Static files packaged beside `index.js` (file name → content), read at run time from `LAMBDA_TASK_ROOT`.
   * For non-secret configuration too large for environment variables, such as a payload JSON Schema.
   * @default none
   */
  readonly files?: Readonly<Record<string, string>>;
  /** One line on what the function does. @default none */
  readonly description?: string;
  /** Physical name after the context prefix (`<prefix>-<functionName>`). @default the component name */
  readonly functionName?: string;
  /**
   * KMS key of the log group when it must differ from `kmsKeyArn`: CloudWatch Logs may not use the restricted
   * key, so restricted functions log under a lower key (their logs carry ids and reasons, never records).
   * @default kmsKeyArn
   */
  readonly logKmsKeyArn?: pulumi.Input<string>;
  /** Tags on the execution role only, e.g. the clearance tag the restricted key requires. @default none */
  readonly roleTags?: Tags;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}
