// AGPL-licensed evaluator: imported only by tools/ and test/, never by the library (components/, policies/).
import * as path from "node:path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Inventory, NamedPolicy, PolicyDoc, RoleFact } from "./inventory";

// Resource policies are shared by every request on their resource: a small id stands for one in cache keys.
const policyIds = new WeakMap<object, number>();
let policies = 0;
const policyId = (doc: PolicyDoc | undefined) => {
  if (!doc) return 0;
  let id = policyIds.get(doc);
  if (id === undefined) policyIds.set(doc, (id = ++policies));
  return id;
};

/**
 * The simulator's validated entry point drops context keys whose variable part holds a colon, such as
 * `kms:EncryptionContext:aws:s3:arn`, so a condition on the encryption context could never match. When it reports
 * such a key as ignored, the same (already validated) request is decided again by its core engine with the full
 * context. Internal modules, so resolved from the installed package; the versions are pinned by the lock file.
 */
const core = (() => {
  const dir = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
  const load = (file: string) => require(path.join(dir, file)) as Record<string, unknown>;
  type Ctor = new (...args: unknown[]) => unknown;
  return {
    authorize: load("core_engine/CoreSimulatorEngine.js").authorize as (
      request: Record<string, unknown>,
    ) => Record<string, unknown> & { result: string },
    AwsRequest: load("request/request.js").AwsRequestImpl as Ctor,
    RequestContext: load("requestContext.js").RequestContextImpl as Ctor,
    Constraints: load("context_keys/discoveryContextKeyConstraints.js").DiscoveryContextKeyConstraints as Ctor,
    policy: require(require.resolve("@cloud-copilot/iam-policy", { paths: [dir] })) as {
      loadPolicy: (doc: unknown, meta: { name: string }) => unknown;
      createValidatedPolicy: (doc: unknown, validate: (doc: unknown) => unknown[]) => PolicyDoc;
      validateIdentityPolicy: (doc: unknown) => unknown[];
      validateResourcePolicy: (doc: unknown) => unknown[];
    },
    resourceTypes: load("simulation_engine/resourceTypes.js") as {
      getResourceTypesForAction: (service: string, action: string, resource: string) => Promise<unknown[]>;
    },
  };
})();

// Which resource types an action applies to, for a resource ARN, depends on those two alone, yet the simulator
// works it out from the IAM reference on every request: a quarter of a large access table. Each answer is kept.
const resourceTypesOf = core.resourceTypes.getResourceTypesForAction;
const resourceTypes = new Map<string, Promise<unknown[]>>();
core.resourceTypes.getResourceTypesForAction = (service, action, resource) => {
  const key = `${service}:${action}\0${resource}`;
  let found = resourceTypes.get(key);
  if (!found) {
    found = resourceTypesOf(service, action, resource);
    found.catch(() => resourceTypes.delete(key));
    resourceTypes.set(key, found);
  }
  return found;
};

// Each document is validated once, not on every request that involves it (the simulator reuses a validated one).
const validated = { identity: new WeakMap<object, PolicyDoc>(), resource: new WeakMap<object, PolicyDoc>() };
function checked(doc: PolicyDoc, kind: "identity" | "resource"): PolicyDoc {
  let v = validated[kind].get(doc);
  if (!v) {
    const validate = kind === "identity" ? core.policy.validateIdentityPolicy : core.policy.validateResourcePolicy;
    v = core.policy.createValidatedPolicy(doc, validate);
    validated[kind].set(doc, v);
  }
  return v;
}
const COLON_VARIABLE = /^kms:EncryptionContext:/i;
const NO_IDENTITY_ALLOW: Promise<Decision> = Promise.resolve({
  allowed: false,
  why: "no identity statement allows it",
});

/** Who makes a request: a role of the plan (as one of its sessions), or a caller from outside it. */
export type Principal =
  | { readonly kind: "role"; readonly role: RoleFact }
  | {
      readonly kind: "caller";
      /** The caller's ARN as `aws:PrincipalArn` sees it (an IAM user, a role, an Identity Center role). */
      readonly arn: string;
      readonly mfa: boolean;
      /** The caller's own permissions; the matrix assumes "may assume any role" unless a row says otherwise. */
      readonly identity: readonly NamedPolicy[];
    };

export interface Request {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly resourcePolicy?: PolicyDoc;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface Decision {
  readonly allowed: boolean;
  /** One line: which statement decided, or that none allowed. */
  readonly why: string;
}

const accountOf = (arn: string) => arn.split(":")[4] ?? "";

/** The ARN a request is made with: a session of the role (as every AWS call by a role is). */
function sessionArn(p: Principal): string {
  if (p.kind === "role") return `arn:aws:sts::${accountOf(p.role.arn)}:assumed-role/${p.role.name}/access-matrix`;
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(p.arn);
  return m ? `arn:aws:sts::${m[1]}:assumed-role/${m[2]}/person` : p.arn;
}

/**
 * Global context keys the real request would carry. The simulator derives none of them, and conditions on a
 * missing key fail closed, so leaving them out would make every `aws:PrincipalArn` condition deny.
 */
function principalContext(p: Principal): Record<string, string | string[]> {
  if (p.kind === "role") {
    const tags = Object.fromEntries(Object.entries(p.role.tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
    return {
      "aws:PrincipalArn": p.role.arn,
      "aws:PrincipalAccount": accountOf(p.role.arn),
      "aws:PrincipalType": "AssumedRole",
      ...tags,
    };
  }
  return {
    "aws:PrincipalArn": p.arn,
    "aws:PrincipalAccount": accountOf(p.arn),
    "aws:PrincipalType": /:user\//.test(p.arn) ? "User" : "AssumedRole",
    ...(p.mfa
      ? { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "120" }
      : { "aws:MultiFactorAuthPresent": "false" }),
  };
}

// Compiled once per pattern: the same few hundred patterns are tested against every request.
const globs = new Map<string, RegExp>();
/** An IAM pattern (`*`, `?`; policy variables such as `${aws:username}` match anything) as a regular expression. */
function glob(pattern: string): RegExp {
  let re = globs.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/\$\{[^}]*\}/g, "\u0001")
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")
      .split("\u0001")
      .join(".*");
    re = new RegExp(`^${body}$`, "i");
    globs.set(pattern, re);
  }
  return re;
}
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string]);

type Statement = Record<string, unknown>;
const actionMatches = (s: Statement, action: string) =>
  s.Action !== undefined
    ? list(s.Action).some((a) => glob(a).test(action))
    : !list(s.NotAction).some((a) => glob(a).test(action));
/** Conservative: a statement with `NotResource` (or none) may match any resource. */
const resourceMatches = (s: Statement, resource: string) =>
  s.Resource === undefined || list(s.Resource).some((r) => glob(r).test(resource));

// Per set of documents and action, the Allow statements that match the action: a role is asked the same few
// actions about every database, so its statements are filtered by action once, not once per resource.
const allowsByAction = new WeakMap<readonly { doc: PolicyDoc }[], Map<string, Statement[]>>();

function allowsFor(docs: readonly { doc: PolicyDoc }[], action: string): Statement[] {
  let byAction = allowsByAction.get(docs);
  if (!byAction) allowsByAction.set(docs, (byAction = new Map()));
  let found = byAction.get(action);
  if (!found) {
    found = docs.flatMap(({ doc }) => doc.Statement.filter((s) => s.Effect === "Allow" && actionMatches(s, action)));
    byAction.set(action, found);
  }
  return found;
}

/** Whether some Allow statement of these documents could match the action (a cheap filter before simulating). */
function mayAllow(docs: readonly { doc: PolicyDoc }[], action: string, resource?: string): boolean {
  return allowsFor(docs, action).some((s) => resource === undefined || resourceMatches(s, resource));
}

/**
 * Whether a resource policy could itself grant this role the action: an Allow statement for everyone or naming
 * the role. Statements for the account root only delegate to IAM, and service principals are never a role, so
 * for those the identity policies decide alone.
 */
function resourcePolicyMayGrant(doc: PolicyDoc | undefined, role: RoleFact, action: string, resource: string): boolean {
  return (doc?.Statement ?? []).some((s) => {
    if (s.Effect !== "Allow" || !actionMatches(s, action) || !resourceMatches(s, resource)) return false;
    if (s.NotPrincipal !== undefined || s.Principal === "*") return true;
    const aws = list((s.Principal as { AWS?: unknown } | undefined)?.AWS);
    return aws.some((a) => a === "*" || a === role.arn || a.includes(`/${role.name}`));
  });
}

/** Whether a resource policy grants someone other than "the account" (which only delegates to IAM). */
function grantsBeyondAccount(doc: PolicyDoc | undefined): boolean {
  return (doc?.Statement ?? []).some((s) => {
    if (s.Effect !== "Allow") return false;
    const p = s.Principal as string | { AWS?: unknown; Service?: unknown } | undefined;
    if (p === "*" || (typeof p === "object" && p !== null && p.Service !== undefined)) return true;
    const aws = typeof p === "object" && p !== null ? list(p.AWS) : [];
    return aws.some((a) => a === "*" || !/^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$/.test(a));
  });
}

type StatementAnalysis = { policyId?: string; explain?: { identifier?: string } };

function explain(analysis: Record<string, unknown> | undefined): string {
  if (!analysis) return "no analysis";
  // Statements are named by policy and Sid (or index); a resource has one policy, so its name adds nothing.
  const label = (kind: string, s: StatementAnalysis) =>
    `${kind}${s.policyId && kind !== "resource policy" ? ` ${s.policyId}` : ""}${s.explain?.identifier ? `#${s.explain.identifier}` : ""}`;
  const parts: [string, string][] = [
    ["identityAnalysis", "identity"],
    ["resourceAnalysis", "resource policy"],
    ["permissionBoundaryAnalysis", "boundary"],
  ];
  const statements = (key: string, which: "denyStatements" | "allowStatements") =>
    (analysis[key] as Record<string, StatementAnalysis[]> | undefined)?.[which] ?? [];
  for (const [key, kind] of parts) {
    const deny = statements(key, "denyStatements");
    if (deny.length > 0) return `denied by ${deny.map((s) => label(kind, s)).join(", ")}`;
  }
  const allows = parts.flatMap(([key, kind]) => statements(key, "allowStatements").map((s) => label(kind, s)));
  if (analysis.result === "Allowed") return `allowed by ${allows.join(", ") || "policy"}`;
  const blocked = analysis.blockedBy as string[] | undefined;
  if (blocked?.length) return `allowed by ${allows.join(", ")} but not by the ${blocked.join(", ")} policy`;
  return "no statement allows it";
}

/**
 * Decides IAM requests with a real policy evaluator over the plan's documents: identity policies, the permissions
 * boundary, and the resource's policy (bucket, key, trust). Decisions are cached per request; a request no
 * identity statement could allow, on a resource whose policy only delegates to IAM, is denied without simulating.
 */
export class Simulator {
  private readonly cache = new Map<string, Promise<Decision>>();
  /** Simulations actually run (the rest were cached or filtered). */
  runs = 0;

  constructor(readonly inventory: Inventory) {}

  decide(req: Request): Promise<Decision> {
    const p = req.principal;
    // A role's request that no identity statement could allow (action and resource) and that its resource's
    // policy does not grant to the role itself is denied by IAM whatever the conditions say: no simulation.
    // Most role × resource pairs of a large plan are of that kind, so this keeps the work near the grants.
    if (
      p.kind === "role" &&
      !mayAllow(p.role.identity, req.action, req.resource) &&
      !resourcePolicyMayGrant(req.resourcePolicy, p.role, req.action, req.resource)
    )
      return NO_IDENTITY_ALLOW;
    const key = JSON.stringify([
      p.kind === "role" ? p.role.arn : p,
      req.action,
      req.resource,
      req.context,
      policyId(req.resourcePolicy),
    ]);
    let d = this.cache.get(key);
    if (!d) {
      d = this.run(req);
      this.cache.set(key, d);
    }
    return d;
  }

  private async run(req: Request): Promise<Decision> {
    const p = req.principal;
    const identity = p.kind === "role" ? p.role.identity : p.identity;
    if (!mayAllow(identity, req.action) && !grantsBeyondAccount(req.resourcePolicy))
      return { allowed: false, why: "no identity statement allows it" };
    this.runs++;
    const context = { "aws:SecureTransport": "true", ...principalContext(p), ...req.context };
    const boundary =
      p.kind === "role" && p.role.boundary ? { name: p.role.boundary.name, policy: p.role.boundary.doc } : undefined;
    const result = await runSimulation(
      {
        request: {
          principal: sessionArn(p),
          action: req.action,
          resource: { resource: req.resource, accountId: accountOf(req.resource) || this.inventory.accountId },
          contextVariables: context,
        },
        identityPolicies: identity.map((i) => ({ name: i.name, policy: checked(i.doc, "identity") })),
        permissionBoundaryPolicies: boundary
          ? [{ name: boundary.name, policy: checked(boundary.policy, "identity") }]
          : undefined,
        resourcePolicy: req.resourcePolicy && checked(req.resourcePolicy, "resource"),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === "error")
      throw new Error(`IAM simulation of ${req.action} on ${req.resource} failed: ${JSON.stringify(result.errors)}`);
    const single = result.resultType === "single" ? result.result : result.results[0];
    if ((single?.ignoredContextKeys ?? []).some((k) => COLON_VARIABLE.test(k))) {
      const analysis = core.authorize({
        request: new core.AwsRequest(
          sessionArn(p),
          { resource: req.resource, accountId: accountOf(req.resource) || this.inventory.accountId },
          req.action,
          new core.RequestContext(context),
          req.resource === "*",
        ),
        sessionPolicy: undefined,
        identityPolicies: identity.map((i) => core.policy.loadPolicy(i.doc, { name: i.name })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: req.resourcePolicy
          ? core.policy.loadPolicy(req.resourcePolicy, { name: "resource policy" })
          : undefined,
        permissionBoundaries: boundary ? [core.policy.loadPolicy(boundary.policy, { name: boundary.name })] : undefined,
        vpcEndpointPolicies: undefined,
        simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new core.Constraints([]) },
        serviceSettings: { s3: { blockPublicAccess: undefined } },
      });
      return { allowed: analysis.result === "Allowed", why: explain(analysis) };
    }
    return {
      allowed: result.overallResult === "Allowed",
      why: explain(single?.analysis as unknown as Record<string, unknown>),
    };
  }
}
