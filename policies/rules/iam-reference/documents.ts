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

const looksLikePolicy = (v: unknown): boolean => {
  if (typeof v === "string") return v.includes('"Statement"') && parsePolicy(v) !== undefined;
  return !!v && typeof v === "object" && !Array.isArray(v) && "Statement" in v;
};

/** Walks the inputs for JSON policy documents (strings or objects with a Statement). */
export function policyDocuments(type: string, props: Record<string, unknown>): PolicyDoc[] {
  const out: PolicyDoc[] = [];
  const visit = (v: unknown, path: string) => {
    if (looksLikePolicy(v)) {
      const kind: DocKind =
        type === "aws:iam/role:Role"
          ? path === "assumeRolePolicy"
            ? "trust"
            : "identity"
          : IDENTITY_TYPES.has(type)
            ? "identity"
            : "resource";
      out.push({ path, kind, statements: list(parsePolicy(v)?.Statement) });
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) visit(x, path ? `${path}.${k}` : k);
  };
  visit(props, "");
  return out;
}
