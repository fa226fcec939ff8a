import { createHash } from "node:crypto";
import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";

// The identities the offline plan's mocks hand out: a fixed account and stable, seed-derived ids and names, so two
// plans of the same config are byte-identical.

/** The fixed account every offline plan runs in; ARNs carry it and the stack's region. */
export const ACCOUNT_ID = "123456789012";
export const DEPLOYER_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/platform-deployer`;
/** A Lake Formation admin the mocked account already has, set outside the program. */
export const EXISTING_LAKE_ADMIN_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/account-data-lake-admin`;

export type State = Record<string, unknown>;

/** Deterministic hex from a seed, so two plans of the same config produce byte-identical output. */
export function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

export function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** What Pulumi's auto-naming produces: the logical name plus a random suffix (here a stable one). */
export function autoName(args: MockResourceArgs, max = 63): string {
  return `${args.name}-${hex(args.type + args.name, 7)}`.slice(0, max);
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
