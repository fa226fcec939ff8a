import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { Environment } from "../../components/core/types";
import { stackIndex } from "./stack-index";

export type RuleGroup = "security" | "governance" | "reliability" | "cost";
export type Enforcement = Record<Environment, EnforcementLevel>;

/** Catalogue data every rule carries besides what @pulumi/policy needs. */
export interface RuleMeta {
  readonly group: RuleGroup;
  readonly remediation: string;
  /** Pulumi type tokens the rule judges, e.g. `aws:s3/bucketV2:BucketV2`. */
  readonly resourceTypes: readonly string[];
  /** Default enforcement per environment; policies/config/<env>.json carries the same levels. */
  readonly enforcement: Enforcement;
}

/** One waived resource: its URN or logical name, and why. Lives in the policy config under the rule. */
export interface Waiver {
  readonly resource: string;
  readonly reason: string;
}

export interface RuleConfig {
  readonly waivers?: readonly Waiver[];
}

export type PlatformResourceRule = ResourceValidationPolicy & { readonly meta: RuleMeta };
export type PlatformStackRule = StackValidationPolicy & { readonly meta: RuleMeta };
export type PlatformRule = PlatformResourceRule | PlatformStackRule;

/** Security rules: advisory in dev so people can iterate, mandatory from staging on. */
export const SECURITY: Enforcement = { dev: "advisory", staging: "mandatory", prod: "mandatory" };
/** Mandatory everywhere: rules whose violation cannot be undone later (e.g. public data, missing owners). */
export const ALWAYS: Enforcement = { dev: "mandatory", staging: "mandatory", prod: "mandatory" };
/** Only prod must comply (data-loss protection); staging is told, dev (built to be thrown away) is not. */
export const PROD_ONLY: Enforcement = { dev: "disabled", staging: "advisory", prod: "mandatory" };
/**
 * What only the prod profile promises (NAT per AZ, year-long log retention, protected state): dev and staging
 * deliberately differ, so telling them would be noise.
 */
export const PROD_PROFILE: Enforcement = { dev: "disabled", staging: "disabled", prod: "mandatory" };
/** What only the dev profile promises (small sizes, no hourly-billed extras): staging and prod are sized on purpose. */
export const DEV_PROFILE: Enforcement = { dev: "mandatory", staging: "disabled", prod: "disabled" };
/** Cost caps matter in dev; larger environments are sized on purpose. */
export const DEV_COST: Enforcement = { dev: "mandatory", staging: "advisory", prod: "disabled" };
export const ADVISORY: Enforcement = { dev: "advisory", staging: "advisory", prod: "advisory" };

/** Minimal view of a resource that rule bodies read: what both resource and stack validation provide. */
export interface ResourceView {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  // Resource inputs as the policy runtime hands them over: untyped JSON behind an unknown-checking proxy.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly props: Record<string, any>;
  readonly opts: { readonly protect?: boolean } & object;
}

const waiverSchema: PolicyConfigSchema = {
  properties: {
    waivers: {
      type: "array",
      items: {
        type: "object",
        properties: { resource: { type: "string" }, reason: { type: "string", minLength: 10 } },
        required: ["resource", "reason"],
      },
    },
  },
};

/**
 * The URN without the root stack's type: the engine leaves `pulumi:pulumi:Stack$` out of its children's URNs, the
 * SDK's own mock monitor puts it in; a waiver written either way names the same resource.
 */
const canonicalUrn = (urn: string) => urn.replace("::pulumi:pulumi:Stack$", "::");

/** Whether `config.waivers` names this resource (by URN or logical name). */
export function waived(config: RuleConfig | undefined, r: { urn: string; name: string }): Waiver | undefined {
  return config?.waivers?.find((w) => w.resource === r.name || canonicalUrn(w.resource) === canonicalUrn(r.urn));
}

/** The catalogue entry every rule has. */
interface RuleDef {
  name: string;
  description: string;
  group: RuleGroup;
  remediation: string;
  resourceTypes: readonly string[];
  enforcement: Enforcement;
}

/** What the policy runtime and the catalogue read of a rule, whatever its kind. */
function ruleHeader(def: RuleDef) {
  return {
    name: def.name,
    description: def.description,
    remediationSteps: def.remediation,
    enforcementLevel: def.enforcement.prod,
    configSchema: waiverSchema,
    meta: {
      group: def.group,
      remediation: def.remediation,
      resourceTypes: def.resourceTypes,
      enforcement: def.enforcement,
    },
  };
}

interface ResourceRuleDef extends RuleDef {
  /** Called only for resources of `resourceTypes` that no waiver names. */
  validate(resource: ResourceView, report: (message: string) => void, args: ResourceValidationArgs): void;
}

/** A rule over single resources, with type filtering and waivers handled once here. */
export function resourceRule(def: ResourceRuleDef): PlatformResourceRule {
  const types = new Set(def.resourceTypes);
  return {
    ...ruleHeader(def),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (!types.has(args.type)) return;
      if (waived(args.getConfig<RuleConfig>(), args)) return;
      def.validate(args as unknown as ResourceView, (message) => reportViolation(message, args.urn), args);
    },
  };
}

interface StackRuleDef extends RuleDef {
  /** `resources` holds the whole stack; waived resources are filtered out of what can be reported. */
  validate(
    resources: readonly PolicyResource[],
    report: (message: string, urn: string) => void,
    args: StackValidationArgs,
  ): void;
}

/** A rule that joins resources across the stack (a bucket and its companions, a role and its boundary). */
export function stackRule(def: StackRuleDef): PlatformStackRule {
  return {
    ...ruleHeader(def),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const config = args.getConfig<RuleConfig>();
      const index = stackIndex(args.resources);
      def.validate(
        args.resources,
        (message, urn) => {
          const r = index.byUrn(urn);
          if (r && waived(config, r)) return;
          reportViolation(message, urn);
        },
        args,
      );
    },
  };
}

/** Reads a tag map from resource props (`tags` for AWS, `metadata.labels` for Kubernetes). */
export function tagsOf(props: Record<string, unknown>): Record<string, string> {
  const tags = props["tags"];
  return tags && typeof tags === "object" ? (tags as Record<string, string>) : {};
}
