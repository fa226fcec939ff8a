// Joins across a planned stack. Rules see inputs only (a key's ARN is an output), so resources are related
// through the engine's dependency edges and through inputs that carry another resource's name or id.
import type { PolicyResource } from "@pulumi/policy";
import { TAG } from "../../components/core/types";
import { tagsOf } from "./define";
import { stackIndex } from "./stack-index";
import { companions, list, S3, Stmt } from "./util";

export const KMS = { key: "aws:kms/key:Key", alias: "aws:kms/alias:Alias" } as const;
export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** A resource's dependencies of one type (the engine records one for every Output an input consumed). */
export function dependenciesOf(r: PolicyResource, type: string): PolicyResource[] {
  return r.dependencies.filter((d) => d.type === type);
}

/** Resources of `type` that depend on `target`. */
export function dependents(
  resources: readonly PolicyResource[],
  target: PolicyResource,
  type: string,
): readonly PolicyResource[] {
  return stackIndex(resources).dependents(target, type);
}

export const classificationOf = (r: { props: Record<string, unknown> }): string | undefined =>
  tagsOf(r.props)[TAG.dataClassification];

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * Where each type names the KMS key that encrypts it. Buckets name theirs through the SSE companion. MSK
 * Serverless is absent on purpose: it cannot use a customer-managed key.
 */
export const ENCRYPTION_KEY_INPUTS: Readonly<
  Record<string, (r: PolicyResource, all: readonly PolicyResource[]) => unknown[]>
> = {
  [S3.bucket]: (r, all) =>
    companions(all, S3.sse, r.props.bucket).flatMap((sse) =>
      list(sse.props.rules).map(
        (rule) =>
          (rule as { applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: unknown } })
            .applyServerSideEncryptionByDefault?.kmsMasterKeyId,
      ),
    ),
  "aws:sqs/queue:Queue": (r) => [r.props.kmsMasterKeyId],
  "aws:sns/topic:Topic": (r) => [r.props.kmsMasterKeyId],
  "aws:dynamodb/table:Table": (r) => [r.props.serverSideEncryption?.kmsKeyArn],
  "aws:kinesis/stream:Stream": (r) => [r.props.kmsKeyId],
  "aws:redshiftserverless/namespace:Namespace": (r) => [r.props.kmsKeyId],
  "aws:rds/cluster:Cluster": (r) => [r.props.kmsKeyId],
  "aws:rds/instance:Instance": (r) => [r.props.kmsKeyId],
  "aws:msk/cluster:Cluster": (r) => [r.props.encryptionInfo?.encryptionAtRestKmsKeyArn],
  "aws:secretsmanager/secret:Secret": (r) => [r.props.kmsKeyId],
  [LOG_GROUP]: (r) => [r.props.kmsKeyId],
  "aws:athena/workgroup:Workgroup": (r) => [
    r.props.configuration?.resultConfiguration?.encryptionConfiguration?.kmsKeyArn,
  ],
};

/** Key references that are not "this resource's data at rest" but still put data under the key. */
const OTHER_KEY_INPUTS: Readonly<Record<string, (r: PolicyResource) => unknown[]>> = {
  "aws:rds/clusterInstance:ClusterInstance": (r) => [r.props.performanceInsightsKmsKeyId],
  "aws:eks/cluster:Cluster": (r) =>
    list(r.props.encryptionConfig).map((c) => (c as { provider?: { keyArn?: unknown } }).provider?.keyArn),
  "aws:lambda/function:Function": (r) => [r.props.kmsKeyArn],
  "aws:ebs/volume:Volume": (r) => [r.props.kmsKeyId],
  "aws:ec2/launchTemplate:LaunchTemplate": (r) =>
    list(r.props.blockDeviceMappings).map((m) => (m as { ebs?: { kmsKeyId?: unknown } }).ebs?.kmsKeyId),
};

/** Every type that can put data under a KMS key, for rules about who uses which key. */
export const KEY_USER_TYPES: readonly string[] = [
  ...Object.keys(ENCRYPTION_KEY_INPUTS),
  ...Object.keys(OTHER_KEY_INPUTS),
];

/** The key references a resource's inputs make (unset ones dropped). */
export function keyRefs(r: PolicyResource, all: readonly PolicyResource[]): string[] {
  const read = ENCRYPTION_KEY_INPUTS[r.type] ?? OTHER_KEY_INPUTS[r.type];
  return read
    ? read(r, all)
        .map(str)
        .filter((v): v is string => v !== undefined)
    : [];
}

/**
 * Resolves a key reference (key ARN, key id, alias name or alias ARN) to the stack's Key resource. Aliases carry
 * the key id as an input and depend on their key, which is how an ARN output is tied back to a Key's tags.
 * Falls back to the only Key the referencing resource depends on.
 */
export function keyResolver(
  resources: readonly PolicyResource[],
): (ref: string, from?: PolicyResource) => PolicyResource | undefined {
  const byAlias = new Map<string, PolicyResource>();
  const byId = new Map<string, PolicyResource>();
  for (const alias of stackIndex(resources).ofType(KMS.alias)) {
    const key = dependenciesOf(alias, KMS.key)[0];
    if (!key) continue;
    if (str(alias.props.name)) byAlias.set(alias.props.name, key);
    if (str(alias.props.targetKeyId)) byId.set(alias.props.targetKeyId, key);
  }
  return (ref, from) => {
    const aliasName = /^(?:arn:[^:]+:kms:[^:]*:\d*:)?(alias\/.+)$/.exec(ref)?.[1];
    const keyId = /:key\/([^/]+)$/.exec(ref)?.[1] ?? ref;
    const found = aliasName ? byAlias.get(aliasName) : byId.get(keyId);
    if (found) return found;
    const deps = from ? dependenciesOf(from, KMS.key) : [];
    return deps.length === 1 ? deps[0] : undefined;
  };
}

/** The resource whose dependencies name the key: a bucket's SSE companion, or the resource itself. */
export function keyHolder(r: PolicyResource, all: readonly PolicyResource[]): PolicyResource {
  return r.type === S3.bucket ? (companions(all, S3.sse, r.props.bucket)[0] ?? r) : r;
}

// ---- policy documents ----------------------------------------------------------------------------------------

/** The key use actions a statement grants (kms:* and prefixes included); empty for pure administration. */
export const KEY_USE = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
];

const patterns = new Map<string, RegExp>();

/** Whether an IAM action pattern (with `*` and `?`) matches an action, case-insensitively as IAM does. */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
      "i",
    );
    // Policies repeat a few hundred patterns: each is compiled once (the cache is bounded for long-lived processes).
    if (patterns.size >= 10_000) patterns.clear();
    patterns.set(pattern, re);
  }
  return re.test(action);
}

export const grants = (s: Stmt, action: string): boolean =>
  s.Effect === "Allow" && list(s.Action).some((a) => actionMatches(a, action));

/** A principal that is everyone: `"*"` or `{ AWS: "*" }`. */
export function isAnyone(principal: unknown): boolean {
  if (principal === "*") return true;
  const aws = principal && typeof principal === "object" ? (principal as { AWS?: unknown }).AWS : undefined;
  return list(aws as string | string[] | undefined).includes("*");
}

/** Condition keys a statement tests with a positive operator (StringEquals, ArnLike, …), lower-cased. */
export function positiveConditionKeys(s: Stmt): string[] {
  const positive =
    /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|Bool|IpAddress|NumericEquals)$/;
  return Object.entries(s.Condition ?? {})
    .filter(([op]) => positive.test(op))
    .flatMap(([, keys]) => Object.keys(keys).map((k) => k.toLowerCase()));
}

/** AWS principals (ARNs or account ids) a statement names. */
export function awsPrincipals(s: Stmt): string[] {
  const p = s.Principal;
  if (!p || typeof p !== "object") return [];
  return list((p as { AWS?: string | string[] }).AWS);
}

export function servicePrincipals(s: Stmt): string[] {
  const p = s.Principal;
  if (!p || typeof p !== "object") return [];
  return list((p as { Service?: string | string[] }).Service);
}

/** The account id in an ARN (`arn:aws:iam::123456789012:role/x`) or a bare account id. */
export function accountOf(arnOrAccount: string): string | undefined {
  if (/^\d{12}$/.test(arnOrAccount)) return arnOrAccount;
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arnOrAccount)?.[1];
}
