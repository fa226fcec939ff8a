import { z } from "zod";
import type { Problem } from "../core/problems";
import type { Classification, Environment } from "../core/types";

// The `access` section of the platform config: who may assume each persona role, how far analysts' clearance
// goes, and who holds the restricted clearance. Strict objects: an unknown key is a typo, and is an error.

/** The people roles. Stewards exist once per domain. */
export const PERSONAS = ["platform-admin", "data-engineer", "analyst", "steward"] as const;
export type Persona = (typeof PERSONAS)[number];

/** An IAM Identity Center permission-set role (its path and name are fixed by the service). */
export const SSO_ROLE_ARN =
  /^arn:aws[a-z-]*:iam::\d{12}:role\/aws-reserved\/sso\.amazonaws\.com\/([a-z0-9-]+\/)?AWSReservedSSO_[\w+=,.@-]+$/;
/** An account principal: every IAM identity of that account whose own policies allow sts:AssumeRole. */
export const ACCOUNT_ROOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

const principal = z.string().refine((v) => SSO_ROLE_ARN.test(v) || ACCOUNT_ROOT_ARN.test(v) || /^\d{12}$/.test(v), {
  message:
    "must be an IAM Identity Center permission-set role ARN (arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_…), an account root ARN (arn:aws:iam::<account>:root) or a 12-digit account id",
});
const principals = z.array(principal);

/** Analysts never read restricted data, whatever the config says. */
export const ANALYST_CLEARANCES = ["public", "internal", "confidential"] as const;
export const RESTRICTED_READERS = ["steward", "data-engineer"] as const;
export type RestrictedReader = (typeof RESTRICTED_READERS)[number];

export const accessSchema = z.strictObject({
  /** Who may assume each persona role; empty means "this account, with MFA" (refused in prod). */
  principals: z
    .strictObject({
      platformAdmin: principals.optional(),
      dataEngineer: principals.optional(),
      analyst: principals.optional(),
    })
    .optional(),
  /** Per domain name: who may assume that domain's steward role. */
  stewards: z.record(z.string(), principals).optional(),
  /** Highest classification analysts read (curated and analytics zones only). */
  analystClearance: z
    .enum(ANALYST_CLEARANCES, {
      message: `must be one of ${ANALYST_CLEARANCES.join(" | ")} (analysts never read restricted data)`,
    })
    .optional(),
  /** Personas holding the restricted clearance; a steward only ever for its own domain. */
  restrictedReaders: z
    .array(
      z.enum(RESTRICTED_READERS, {
        message: `must be one of ${RESTRICTED_READERS.join(" | ")} (analysts and platform admins never read restricted data)`,
      }),
    )
    .optional(),
  /** Longest session of a persona role. */
  sessionHours: z.number().int().min(1).max(12).optional(),
});

export type AccessInput = z.input<typeof accessSchema>;

/** The access config after the environment profile filled every default. */
export interface AccessConfig {
  readonly principals: {
    readonly platformAdmin: readonly string[];
    readonly dataEngineer: readonly string[];
    readonly analyst: readonly string[];
  };
  readonly stewards: Readonly<Record<string, readonly string[]>>;
  readonly analystClearance: Exclude<Classification, "restricted">;
  readonly restrictedReaders: readonly RestrictedReader[];
  readonly sessionHours: number;
}

const none = { platformAdmin: [], dataEngineer: [], analyst: [] };

/**
 * dev and staging trust this account's identities (with MFA) unless told otherwise; prod names its principals
 * (validateAccess refuses the default there) and keeps sessions short, so a leaked session expires soon.
 */
export const ACCESS_PROFILES: Record<Environment, AccessConfig> = {
  dev: {
    principals: none,
    stewards: {},
    analystClearance: "confidential",
    restrictedReaders: ["steward"],
    sessionHours: 8,
  },
  staging: {
    principals: none,
    stewards: {},
    analystClearance: "confidential",
    restrictedReaders: ["steward"],
    sessionHours: 4,
  },
  prod: {
    principals: none,
    stewards: {},
    analystClearance: "confidential",
    restrictedReaders: ["steward"],
    sessionHours: 1,
  },
};

/** Profile defaults under the user's values: the user wins field by field (and principal list by list). */
export function resolveAccessConfig(input: AccessInput | undefined, environment: Environment): AccessConfig {
  const d = ACCESS_PROFILES[environment];
  return {
    principals: { ...d.principals, ...input?.principals },
    stewards: { ...d.stewards, ...input?.stewards },
    analystClearance: input?.analystClearance ?? d.analystClearance,
    restrictedReaders: input?.restrictedReaders ?? d.restrictedReaders,
    sessionHours: input?.sessionHours ?? d.sessionHours,
  };
}

export interface AccessCheckContext {
  readonly environment: Environment;
  /** Physical name prefix (`<name>-<environment>`): role names are built from it. */
  readonly prefix: string;
  readonly domains: readonly { readonly name: string }[];
}

/** Persona role names: stable, so people and SSO configurations can refer to them. */
export function personaRoleName(prefix: string, persona: Exclude<Persona, "steward">): string;
export function personaRoleName(prefix: string, persona: "steward", domain: string): string;
export function personaRoleName(prefix: string, persona: Persona, domain?: string): string {
  return persona === "steward" ? `${prefix}-steward-${domain}` : `${prefix}-${persona}`;
}

const at = (path: string) => `platform.access.${path}`;
const PRINCIPAL_KEYS = ["platformAdmin", "dataEngineer", "analyst"] as const;

/** Rules no single field can express. Returns every problem, each with the dotted path to fix. */
export function validateAccess(
  input: AccessInput | undefined,
  config: AccessConfig,
  ctx: AccessCheckContext,
): Problem[] {
  const problems: Problem[] = [];
  const domains = new Set(ctx.domains.map((d) => d.name));
  for (const domain of Object.keys(config.stewards)) {
    if (!domains.has(domain))
      problems.push({
        path: at(`stewards.${domain}`),
        message: `no domain '${domain}' is declared; stewards are keyed by platform.domains[].name`,
      });
  }
  const lists: [string, readonly string[]][] = [
    ...PRINCIPAL_KEYS.map((k) => [`principals.${k}`, config.principals[k]] as [string, readonly string[]]),
    ...Object.entries(config.stewards).map(([d, p]) => [`stewards.${d}`, p] as [string, readonly string[]]),
  ];
  for (const [path, list] of lists) {
    const dup = list.find((p, i) => list.indexOf(p) !== i);
    if (dup) problems.push({ path: at(path), message: `lists '${dup}' twice` });
  }
  for (const d of ctx.domains) {
    const name = personaRoleName(ctx.prefix, "steward", d.name);
    if (name.length > 64)
      problems.push({
        path: `platform.domains`,
        message: `domain '${d.name}' makes the steward role name '${name}' longer than IAM's 64 characters; shorten the domain or platform name`,
      });
  }
  if (ctx.environment === "prod") {
    for (const k of PRINCIPAL_KEYS) {
      if (config.principals[k].length === 0)
        problems.push({
          path: at(`principals.${k}`),
          message:
            "is required in prod: name who may assume the role (IAM Identity Center permission sets); the account-wide default is for dev and staging",
        });
    }
    for (const d of ctx.domains) {
      if ((config.stewards[d.name] ?? []).length === 0)
        problems.push({
          path: at(`stewards.${d.name}`),
          message: `is required in prod: every domain needs a steward who grants access to its data`,
        });
    }
    if (input?.sessionHours !== undefined && input.sessionHours > 4)
      problems.push({
        path: at("sessionHours"),
        message: "is refused in prod above 4: a leaked session stays valid that long",
      });
  }
  return problems;
}
