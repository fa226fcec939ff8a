import { z } from "zod";
import { ENVIRONMENTS, Environment, PlatformContext, TAG } from "../core/types";
import type { Problem } from "../core/problems";
import { ConfigError, problemsFromZod, REGION_PATTERN } from "./load";
import { PROFILES } from "./profiles";
import { governanceSchema, platformNameSchema } from "./schema";

export const MANAGED_BY = "pulumi:data-platform";

/** What the shared context needs when a program uses the components without the whole platform config. */
export interface ContextInput {
  /** Short name, 2–24 lower-case letters, digits or hyphens; physical names become `<name>-<environment>-…`. */
  readonly name: string;
  readonly environment: Environment;
  /** The stack's AWS region, e.g. `eu-west-1` (AZ names, ARNs and endpoints are built from it). */
  readonly region: string;
  /** E-mail address of whoever is accountable for the platform: the `owner` tag. */
  readonly owner: string;
  /** The `cost-center` tag: letters, digits and hyphens. */
  readonly costCenter: string;
  /** Extra tags on every taggable resource; they may not replace a governance tag. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Mark stateful resources `protect`. @default the environment's profile: prod true, else false */
  readonly protect?: boolean;
  /** Keep stateful resources in the cloud when they leave the program. @default dev false, staging and prod true */
  readonly retainOnDelete?: boolean;
  /** Let `pulumi destroy` empty buckets and skip final snapshots. @default dev true; refused outside dev */
  readonly allowDestroyData?: boolean;
}

const GOVERNANCE_TAGS: readonly string[] = Object.values(TAG);

const contextSchema = z.strictObject({
  name: platformNameSchema,
  environment: z.enum(ENVIRONMENTS, { message: `must be one of ${ENVIRONMENTS.join(" | ")}` }),
  region: z.string().regex(REGION_PATTERN, { message: "must be an AWS region name such as eu-west-1" }),
  owner: governanceSchema.shape.owner,
  costCenter: governanceSchema.shape.costCenter,
  tags: z.record(z.string(), z.string()).optional(),
  protect: z.boolean().optional(),
  retainOnDelete: z.boolean().optional(),
  allowDestroyData: z.boolean().optional(),
});

const ROOT = "context";
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/** Extra tags: AWS's key and value limits, and none of the governance tags the context sets. */
function tagProblems(tags: Readonly<Record<string, string>>): Problem[] {
  return Object.entries(tags).flatMap(([k, v]) => {
    const path = `${ROOT}.tags.${k}`;
    if (GOVERNANCE_TAGS.includes(k)) return [{ path, message: "is a governance tag the context sets itself" }];
    if (!TAG_KEY.test(k)) return [{ path, message: "is not an AWS tag key (1-128 letters, digits, spaces, _.:/=+-@)" }];
    if (v.length > 256) return [{ path, message: "must be at most 256 characters (AWS's limit for a tag value)" }];
    return [];
  });
}

/**
 * The naming, safety switches and governance tags every component derives its resources from, validated like the
 * platform config: every problem is listed by its path (`context.owner`, …) in one ConfigError, before any resource.
 * Safety switches default to the environment's profile, so a prod context protects and retains its data.
 */
export function platformContext(input: ContextInput): PlatformContext {
  const parsed = contextSchema.safeParse(input);
  const problems = parsed.success ? [] : problemsFromZod(parsed.error, ROOT);
  if (parsed.success) problems.push(...tagProblems(parsed.data.tags ?? {}));
  if (parsed.success && parsed.data.allowDestroyData && parsed.data.environment !== "dev")
    problems.push({
      path: `${ROOT}.allowDestroyData`,
      message: `is refused in ${parsed.data.environment}: emptying buckets on destroy would delete data; only dev may set it`,
    });
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const c = parsed.data;
  const profile = PROFILES[c.environment];
  return {
    prefix: `${c.name}-${c.environment}`,
    environment: c.environment,
    region: c.region,
    tags: {
      ...c.tags,
      [TAG.environment]: c.environment,
      [TAG.owner]: c.owner,
      [TAG.costCenter]: c.costCenter,
      [TAG.managedBy]: MANAGED_BY,
      [TAG.platform]: c.name,
    },
    protect: c.protect ?? profile.safety.protect,
    retainOnDelete: c.retainOnDelete ?? profile.safety.retainOnDelete,
    allowDestroyData: c.allowDestroyData ?? profile.lake.forceDestroy,
  };
}
