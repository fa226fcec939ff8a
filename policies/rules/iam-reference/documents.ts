// Every policy document a resource's inputs carry, and what kind of document it is.
import { list, parsePolicy, Stmt } from "../util";
import type { DocKind } from "./check";

export interface PolicyDoc {
  /** Input path, e.g. `inlinePolicies[0].policy`. */
  readonly path: string;
  readonly kind: DocKind;
  readonly statements: Stmt[];
}

const IDENTITY_TYPES = new Set([
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
]);

/** Types whose inputs carry policy documents (what the rules declare they judge). */
export const POLICY_DOCUMENT_TYPES: readonly string[] = [
  ...IDENTITY_TYPES,
  "aws:iam/role:Role",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:sqs/queuePolicy:QueuePolicy",
  "aws:sqs/queue:Queue",
  "aws:sns/topicPolicy:TopicPolicy",
  "aws:sns/topic:Topic",
  "aws:kms/key:Key",
  "aws:secretsmanager/secretPolicy:SecretPolicy",
  "aws:glue/resourcePolicy:ResourcePolicy",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
  "aws:msk/clusterPolicy:ClusterPolicy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy",
  "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
];

/** The inputs that hold policy documents, whatever the type (role inline policies are read one by one). */
const DOCUMENT_INPUTS = ["policy", "assumeRolePolicy", "inlinePolicies"] as const;

/** A policy document's statements, parsed once; undefined for a value that is not one. */
const statementsOf = (v: unknown): Stmt[] | undefined => {
  if (typeof v === "string") return v.includes('"Statement"') ? parsePolicy(v)?.Statement : undefined;
  return !!v && typeof v === "object" && !Array.isArray(v) && "Statement" in v ? parsePolicy(v)?.Statement : undefined;
};

const kindOf = (type: string, path: string): DocKind =>
  type === "aws:iam/role:Role"
    ? path === "assumeRolePolicy"
      ? "trust"
      : "identity"
    : IDENTITY_TYPES.has(type)
      ? "identity"
      : "resource";

/** The policy documents of a resource's inputs (strings or objects with a Statement). */
export function policyDocuments(type: string, props: Record<string, unknown>): PolicyDoc[] {
  const out: PolicyDoc[] = [];
  const add = (v: unknown, path: string) => {
    const statements = statementsOf(v);
    if (statements) out.push({ path, kind: kindOf(type, path), statements });
  };
  for (const input of DOCUMENT_INPUTS) {
    const v = props[input];
    if (input === "inlinePolicies")
      list(v as { policy?: unknown }[] | undefined).forEach((p, i) => add(p?.policy, `inlinePolicies[${i}].policy`));
    else add(v, input);
  }
  return out;
}
