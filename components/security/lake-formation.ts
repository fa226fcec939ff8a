import { CLASSIFICATIONS, Classification, Zone } from "../core/types";
import { AccessConfig, Persona } from "./config";
import { LakeFacts, dataClassification, upTo } from "./personas";

type Domain = LakeFacts["domains"][number];

// Lake Formation: the platform's LF-tags, the tags of each domain's databases, and each persona's grants by tag
// expression. Plain data from resolved strings, so tests call it directly.

/** The LF-tags the platform defines; keys carry the prefix because LF-tags are per account, like Glue names. */
export const LF_TAGS = ["domain", "classification", "zone"] as const;
export type LfTagName = (typeof LF_TAGS)[number];

export function lfTagKey(prefix: string, tag: LfTagName): string {
  return `${prefix}:${tag}`;
}

/** The tags of one domain's database in one zone; its tables inherit them. */
export function databaseLfTags(
  lake: Pick<LakeFacts, "zones">,
  domain: { name: string; classification: Classification },
  zone: Zone,
): Record<LfTagName, string> {
  return { domain: domain.name, classification: dataClassification(lake, domain.classification, zone), zone };
}

/** One Lake Formation grant by tag expression: AND across keys, OR across a key's values. */
export interface LfTagGrant {
  readonly id: string;
  readonly resourceType: "DATABASE" | "TABLE";
  readonly expression: Partial<Record<LfTagName, readonly string[]>>;
  readonly permissions: readonly string[];
  /** Permissions the grantee may pass on (stewards only). */
  readonly grantable?: readonly string[];
}

/** An LF-tag permission (on the tag itself), which stewards need to grant with their domain's tag. */
export interface LfTagKeyGrant {
  readonly id: string;
  readonly tag: LfTagName;
  readonly values: readonly string[];
  readonly permissions: readonly string[];
  readonly grantable: readonly string[];
}

export type PersonaKey = Exclude<Persona, "steward"> | `steward:${string}`;

const TABLE_READ = ["SELECT", "DESCRIBE"];
const TABLE_WRITE = ["SELECT", "INSERT", "DELETE", "DESCRIBE", "ALTER"];

/**
 * Grants per persona. Classification drives every expression: analysts see the curated and analytics zones up to
 * their clearance; engineers see every zone of what their clearance covers and write curated and analytics;
 * stewards hold their own domain with the grant option (restricted domains only when stewards are cleared);
 * platform admins see database metadata and no table data. Nobody is granted through IAMAllowedPrincipals.
 */
export function personaGrants(
  key: PersonaKey,
  access: Pick<AccessConfig, "analystClearance" | "restrictedReaders">,
  domains: readonly Domain[],
): { tags: LfTagGrant[]; keys: LfTagKeyGrant[] } {
  const engineerClassifications = access.restrictedReaders.includes("data-engineer")
    ? [...CLASSIFICATIONS]
    : upTo("confidential");
  if (key === "analyst") {
    const expression = { zone: ["curated", "analytics"], classification: upTo(access.analystClearance) };
    return {
      tags: [
        { id: "databases", resourceType: "DATABASE", expression, permissions: ["DESCRIBE"] },
        { id: "tables", resourceType: "TABLE", expression, permissions: TABLE_READ },
      ],
      keys: [],
    };
  }
  if (key === "data-engineer") {
    const cls = { classification: engineerClassifications };
    return {
      tags: [
        {
          id: "raw-databases",
          resourceType: "DATABASE",
          expression: { ...cls, zone: ["raw"] },
          permissions: ["DESCRIBE"],
        },
        { id: "raw-tables", resourceType: "TABLE", expression: { ...cls, zone: ["raw"] }, permissions: TABLE_READ },
        {
          id: "databases",
          resourceType: "DATABASE",
          expression: { ...cls, zone: ["curated", "analytics"] },
          permissions: ["DESCRIBE", "CREATE_TABLE"],
        },
        {
          id: "tables",
          resourceType: "TABLE",
          expression: { ...cls, zone: ["curated", "analytics"] },
          permissions: TABLE_WRITE,
        },
      ],
      keys: [],
    };
  }
  if (key === "platform-admin") {
    return {
      tags: [
        {
          id: "databases",
          resourceType: "DATABASE",
          expression: { classification: [...CLASSIFICATIONS] },
          permissions: ["DESCRIBE"],
        },
      ],
      keys: [],
    };
  }
  const name = key.slice("steward:".length);
  const d = domains.find((x) => x.name === name);
  if (!d) throw new Error(`unknown domain '${name}'`);
  const readsData = d.classification !== "restricted" || access.restrictedReaders.includes("steward");
  const expression = { domain: [name] };
  return {
    tags: [
      { id: "databases", resourceType: "DATABASE", expression, permissions: ["DESCRIBE"], grantable: ["DESCRIBE"] },
      readsData
        ? {
            id: "tables",
            resourceType: "TABLE",
            expression,
            permissions: ["SELECT", "DESCRIBE", "ALTER"],
            grantable: TABLE_READ,
          }
        : {
            id: "tables",
            resourceType: "TABLE",
            expression,
            permissions: ["DESCRIBE", "ALTER"],
            grantable: ["DESCRIBE"],
          },
    ],
    keys: [{ id: "domain-tag", tag: "domain", values: [name], permissions: ["DESCRIBE"], grantable: ["DESCRIBE"] }],
  };
}
