// Reads one policy statement against the Service Authorization Reference and says what AWS will never honour.
import { list, Stmt } from "../util";
import { ActionRef, actionsOf, conditionKey, globalConditionKey, keyMatches, resourceTypesOf } from "./data";
import { resourceFits } from "./arn";

export type FindingKind = "action" | "resource" | "condition-key" | "operator" | "principal";
export interface Finding {
  readonly kind: FindingKind;
  readonly message: string;
}

/** Where a document sits decides what its statements may and must hold. */
export type DocKind = "identity" | "trust" | "resource";

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^$()|[\]\\{}]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );

/** The reference entries an action pattern names; undefined when the service or every action is unknown. */
export function expandAction(action: string): ActionRef[] | undefined {
  const [service, name, ...rest] = action.split(":");
  if (!service || !name || rest.length > 0) return undefined;
  const actions = actionsOf(service);
  if (!actions) return undefined;
  if (!/[*?]/.test(name)) {
    const one = actions[name.toLowerCase()];
    return one ? [one] : undefined;
  }
  const re = glob(name);
  const found = Object.values(actions).filter((a) => re.test(a.name));
  return found.length > 0 ? found : undefined;
}

const serviceOf = (action: string) => action.split(":")[0]?.toLowerCase() ?? "";

/** Why the statement's resources can never name a resource the action acts on; undefined when some can. */
function resourceProblem(service: string, a: ActionRef, resources: readonly string[]): string | undefined {
  if (resources.includes("*")) return undefined;
  if (a.resourceTypes.length === 0) return `${service}:${a.name} accepts only "*" as its resource`;
  const types = resourceTypesOf(service) ?? {};
  const templates = a.resourceTypes.map((t) => types[t.name.toLowerCase()]?.arn);
  // A resource type the reference lists but does not describe could be anything: give the benefit of the doubt.
  if (templates.some((t) => t === undefined)) return undefined;
  if (resources.some((r) => templates.some((t) => resourceFits(r, t as string)))) return undefined;
  return `${service}:${a.name} acts on ${a.resourceTypes.map((t) => t.name).join(", ")}, and none of ${resources.join(", ")} is one`;
}

/** Whether requests for the action can carry the key (service keys only: global keys ride on every request). */
function keyApplies(service: string, a: ActionRef, key: string): boolean {
  const types = resourceTypesOf(service) ?? {};
  const keys = [
    ...a.conditionKeys,
    ...a.resourceTypes.flatMap((t) => [...t.conditionKeys, ...(types[t.name.toLowerCase()]?.conditionKeys ?? [])]),
  ];
  return keys.some((k) => keyMatches(k, key));
}

/** The key types each operator family compares. */
const OPERATOR_TYPES: readonly [RegExp, readonly string[]][] = [
  [/^String(Not)?(Equals|Like|EqualsIgnoreCase)$/, ["String", "ArrayOfString", "ARN", "ArrayOfARN"]],
  // AWS's own key-policy examples compare string keys that hold ARNs (kms:EncryptionContext:aws:logs:arn) with ArnLike.
  [/^Arn(Not)?(Equals|Like)$/, ["ARN", "ArrayOfARN", "String", "ArrayOfString"]],
  [/^Numeric(NotEquals|Equals|LessThan|LessThanEquals|GreaterThan|GreaterThanEquals)$/, ["Numeric", "ArrayOfNumeric"]],
  [/^Date(NotEquals|Equals|LessThan|LessThanEquals|GreaterThan|GreaterThanEquals)$/, ["Date", "ArrayOfDate"]],
  [/^Bool$/, ["Bool", "ArrayOfBool"]],
  [/^(Not)?IpAddress$/, ["IPAddress", "ArrayOfIPAddress"]],
  [/^BinaryEquals$/, ["Binary", "ArrayOfBinary"]],
];

interface Operator {
  readonly base: string;
  /** Whether a request without the key can still satisfy the condition. */
  readonly passesWhenAbsent: boolean;
}

function parseOperator(op: string): Operator {
  const set = /^(ForAllValues|ForAnyValue):/.exec(op)?.[1];
  const ifExists = op.endsWith("IfExists");
  const base = op.replace(/^(ForAllValues|ForAnyValue):/, "").replace(/IfExists$/, "");
  const negated = /Not/.test(base);
  return { base, passesWhenAbsent: ifExists || base === "Null" || set === "ForAllValues" || negated };
}

/** Findings of one statement. `where` names it in messages ("statement 'ReadRaw'"). */
export function checkStatement(s: Stmt, doc: DocKind, where: string): Finding[] {
  const out: Finding[] = [];
  const report = (kind: FindingKind, message: string) => out.push({ kind, message: `${where}: ${message}` });
  const actions = [...list(s.Action), ...list(s.NotAction)].filter((a) => a !== "*");
  const known = new Map<string, ActionRef[]>();
  for (const a of actions) {
    const refs = expandAction(a);
    if (refs) known.set(a, refs);
    else report("action", `${a} is not an action of the AWS Service Authorization Reference`);
  }
  principalFindings(s, doc).forEach((m) => report("principal", m));
  // Only what an Allow grants can go ungranted; keys and operators are wrong whatever the effect.
  const granted = s.Effect === "Allow" ? [...known].filter(([a]) => list(s.Action).includes(a)) : [];
  if (s.Resource !== undefined && doc !== "trust") {
    const resources = list(s.Resource);
    for (const [a, refs] of granted) {
      const problems = refs.map((ref) => resourceProblem(serviceOf(a), ref, resources));
      if (problems.every((p) => p !== undefined))
        report(
          "resource",
          refs.length === 1 ? (problems[0] as string) : `no action ${a} names acts on ${resources.join(", ")}`,
        );
    }
  }
  for (const [op, block] of Object.entries(s.Condition ?? {})) {
    const operator = parseOperator(op);
    const family = OPERATOR_TYPES.find(([re]) => re.test(operator.base));
    if (!family && operator.base !== "Null") {
      report("operator", `${op} is not a condition operator`);
      continue;
    }
    for (const key of Object.keys(block ?? {})) {
      const ref = conditionKey(key);
      if (!ref) {
        report("condition-key", `condition key ${key} does not exist`);
        continue;
      }
      if (family && !family[1].includes(ref.type)) report("operator", `${op} cannot compare ${key}, a ${ref.type} key`);
      if (globalConditionKey(key) || operator.passesWhenAbsent) continue;
      for (const [a, refs] of granted) {
        if (refs.some((r) => keyApplies(serviceOf(a), r, key))) continue;
        report("condition-key", `${a} is never granted: its requests carry no ${key} (${op})`);
      }
    }
  }
  return out;
}

const ACCOUNT_PRINCIPAL =
  /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|role\/.+|user\/.+|federated-user\/.+)|arn:aws[a-z-]*:sts::\d{12}:(assumed-role|federated-user)\/.+)$/;
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;
const FEDERATED_PRINCIPAL =
  /^(arn:aws[a-z-]*:iam::\d{12}:(oidc-provider|saml-provider)\/.+|cognito-identity\.amazonaws\.com|accounts\.google\.com|graph\.facebook\.com|www\.amazon\.com)$/;
const PRINCIPAL_FORMS: Readonly<Record<string, RegExp>> = {
  AWS: ACCOUNT_PRINCIPAL,
  Service: SERVICE_PRINCIPAL,
  Federated: FEDERATED_PRINCIPAL,
  CanonicalUser: /^[0-9a-f]{64}$/,
};

/** Identity policies name no principal; resource and trust policies name one, in a form IAM accepts. */
function principalFindings(s: Stmt, doc: DocKind): string[] {
  const p = s.Principal ?? s.NotPrincipal;
  if (doc === "identity") return p === undefined ? [] : ["an identity policy cannot name a Principal"];
  if (p === undefined) return ["names no Principal"];
  if (p === "*") return [];
  if (typeof p !== "object" || p === null || Array.isArray(p)) return [`Principal ${JSON.stringify(p)} is malformed`];
  const out: string[] = [];
  for (const [kind, values] of Object.entries(p as Record<string, unknown>)) {
    const form = PRINCIPAL_FORMS[kind];
    if (!form) {
      out.push(`Principal kind ${kind} does not exist`);
      continue;
    }
    for (const v of list(values as string | string[])) {
      if (!(kind === "AWS" && v === "*") && !(typeof v === "string" && form.test(v)))
        out.push(`${kind} principal ${JSON.stringify(v)} is malformed`);
    }
  }
  return out;
}
