import { ALWAYS, PlatformRule, resourceRule, ResourceView, SECURITY, stackRule } from "./define";
import { accountOf, actionMatches, awsPrincipals, grants, KMS, positiveConditionKeys } from "./graph";
import { BOUNDARY_SUFFIX } from "./security";
import { list, parsePolicy, Stmt } from "./util";
import { stackIndex } from "./stack-index";

export const IAM = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  user: "aws:iam/user:User",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  userPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  accessKey: "aws:iam/accessKey:AccessKey",
  loginProfile: "aws:iam/userLoginProfile:UserLoginProfile",
} as const;

const MSK = ["aws:msk/cluster:Cluster", "aws:msk/serverlessCluster:ServerlessCluster"];

/** Types whose inputs carry identity-policy documents. */
const DOC_TYPES: readonly string[] = [IAM.rolePolicy, IAM.policy, IAM.role];

const isBoundary = (r: { type: string; props: Record<string, unknown> }) =>
  r.type === IAM.policy && String(r.props.name ?? "").endsWith(BOUNDARY_SUFFIX);

/** The grant statements of a policy-bearing resource (the boundary is a ceiling, not a grant, and is skipped). */
function grantStatements(r: { type: string; props: Record<string, unknown> }): Stmt[] {
  if (isBoundary(r)) return [];
  const docs =
    r.type === IAM.role
      ? list(r.props.inlinePolicies as { policy?: unknown }[] | undefined).map((p) => p.policy)
      : [r.props.policy];
  return docs.flatMap((d) => parsePolicy(d)?.Statement ?? []);
}

/** Services whose every action at once is never what a data-platform role needs. */
export const SENSITIVE_SERVICES = [
  "s3",
  "kms",
  "iam",
  "sts",
  "glue",
  "lakeformation",
  "secretsmanager",
  "ssm",
  "kafka",
  "kafka-cluster",
  "redshift",
  "redshift-serverless",
  "redshift-data",
  "rds",
  "rds-db",
  "dynamodb",
  "athena",
  "lambda",
  "states",
  "sqs",
  "sns",
  "eks",
  "ec2",
  "logs",
  "kinesis",
  "cloudtrail",
  "organizations",
];

/** Topic-level MSK actions: these are what "who may read or write a topic" means under IAM access control. */
const TOPIC_ACTIONS = [
  "ReadData",
  "WriteData",
  "WriteDataIdempotently",
  "DescribeTopic",
  "DescribeTopicDynamicConfiguration",
  "CreateTopic",
  "AlterTopic",
  "AlterTopicDynamicConfiguration",
  "DeleteTopic",
].map((a) => `kafka-cluster:${a}`);

/** Longest session a platform role may hand out; a leaked session token stays useful at most this long. */
export const MAX_SESSION_SECONDS = 4 * 3600;

const ADMIN_MANAGED_POLICY =
  /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?(AdministratorAccess|PowerUserAccess|IAMFullAccess|[A-Za-z0-9]*FullAccess)$/;

function forEachGrant(r: ResourceView, fn: (s: Stmt) => void) {
  for (const s of grantStatements(r)) if (s.Effect === "Allow") fn(s);
}

export const iamRules: PlatformRule[] = [
  resourceRule({
    name: "iam-no-service-wildcards",
    description: `No identity policy allows every action of a sensitive service (${SENSITIVE_SERVICES.slice(0, 6).join(", ")}, …) or every action ('*') on any resource.`,
    remediation: "List the actions the workload calls (e.g. s3:GetObject, s3:PutObject), scoped to its resources.",
    group: "security",
    resourceTypes: DOC_TYPES,
    enforcement: ALWAYS,
    validate(r, report) {
      forEachGrant(r, (s) => {
        const resources = list(s.Resource);
        for (const a of list(s.Action)) {
          // '*' on '*' is iam-no-wildcard-admin's finding; here it is '*' on something narrower.
          if (a === "*" && !resources.every((x) => x === "*")) report(`allows every action on ${resources.join(", ")}`);
          const service = /^([a-z0-9-]+):\*$/i.exec(a)?.[1]?.toLowerCase();
          if (service && SENSITIVE_SERVICES.includes(service)) report(`allows ${a}`);
        }
      });
    },
  }),
  resourceRule({
    name: "iam-no-passrole-wildcard",
    description:
      "No policy allows iam:PassRole on every role: passing a stronger role to a service is the classic privilege escalation.",
    remediation:
      "Name the role ARNs the workload passes (e.g. the Spark job role), optionally with an iam:PassedToService condition.",
    group: "security",
    resourceTypes: DOC_TYPES,
    enforcement: ALWAYS,
    validate(r, report) {
      forEachGrant(r, (s) => {
        if (!grants(s, "iam:PassRole")) return;
        for (const res of list(s.Resource))
          if (res === "*" || /:role\/\*$/.test(res)) report(`allows iam:PassRole on ${res}`);
      });
    },
  }),
  resourceRule({
    name: "iam-no-allow-not-action",
    description:
      "No policy allows with NotAction or NotResource: an allow-list written as an exclusion grants every future action too.",
    remediation:
      "Rewrite the statement as an explicit Action / Resource allow-list; keep NotAction for Deny statements.",
    group: "security",
    resourceTypes: DOC_TYPES,
    enforcement: ALWAYS,
    validate(r, report) {
      forEachGrant(r, (s) => {
        if (s.NotAction !== undefined)
          report(`statement ${s.Sid ?? "(no Sid)"} allows NotAction ${list(s.NotAction).join(", ")}`);
        if (s.NotResource !== undefined) report(`statement ${s.Sid ?? "(no Sid)"} allows on NotResource`);
      });
    },
  }),
  resourceRule({
    name: "iam-no-users-or-keys",
    description:
      "The platform declares no IAM users, access keys, login profiles or user policies: people sign in through SSO roles, workloads assume roles.",
    remediation: "Replace the user with a role (platformRole) that the workload or the identity provider assumes.",
    group: "security",
    resourceTypes: [IAM.user, IAM.userPolicy, IAM.userPolicyAttachment, IAM.accessKey, IAM.loginProfile],
    enforcement: ALWAYS,
    validate(r, report) {
      report(`declares ${r.type.split(":").pop()} '${r.name}'`);
    },
  }),
  resourceRule({
    name: "iam-no-admin-managed-policies",
    description:
      "No role or policy attachment uses AdministratorAccess, PowerUserAccess, IAMFullAccess or any AWS-managed *FullAccess policy.",
    remediation: "Attach a least-privilege inline policy instead (platformRole's `policy`).",
    group: "security",
    resourceTypes: [IAM.rolePolicyAttachment, IAM.policyAttachment, IAM.role],
    enforcement: ALWAYS,
    validate(r, report) {
      const arns =
        r.type === IAM.role ? list(r.props.managedPolicyArns as string[] | undefined) : [r.props.policyArn as string];
      for (const arn of arns)
        if (typeof arn === "string" && ADMIN_MANAGED_POLICY.test(arn)) report(`attaches ${arn.split("/").pop()}`);
    },
  }),
  resourceRule({
    name: "iam-role-max-session",
    description: `Roles cap their sessions at ${MAX_SESSION_SECONDS / 3600} hours, so a leaked session stays useful for hours, not half a day.`,
    remediation: `Leave maxSessionDuration unset (1 hour) or at most ${MAX_SESSION_SECONDS}.`,
    group: "security",
    resourceTypes: [IAM.role],
    enforcement: SECURITY,
    validate(r, report) {
      const seconds = r.props.maxSessionDuration as number | undefined;
      if (seconds !== undefined && seconds > MAX_SESSION_SECONDS) report(`sessions last up to ${seconds / 3600} hours`);
    },
  }),
  resourceRule({
    name: "iam-trust-cross-account-external-id",
    description:
      "A role trusted by another account requires an sts:ExternalId (or the organisation id), so that account cannot be tricked into assuming it for a third party. Trusts that require MFA are people, not services, and are exempt.",
    remediation:
      "Add Condition StringEquals sts:ExternalId (agreed with the other party) or aws:PrincipalOrgID to the trust statement.",
    group: "security",
    resourceTypes: [IAM.role],
    enforcement: ALWAYS,
    validate(r, report) {
      // The role's own account is the one in its boundary's ARN (every platform role carries the boundary).
      const own = typeof r.props.permissionsBoundary === "string" ? accountOf(r.props.permissionsBoundary) : undefined;
      if (!own) return;
      for (const s of parsePolicy(r.props.assumeRolePolicy)?.Statement ?? []) {
        if (s.Effect !== "Allow") continue;
        const foreign = awsPrincipals(s).filter((p) => accountOf(p) !== undefined && accountOf(p) !== own);
        const keys = positiveConditionKeys(s);
        // A confused deputy is a service acting for someone else; a caller with MFA is a person (iam-human-trust-mfa).
        const mfa = Object.entries(s.Condition?.Bool ?? {}).some(
          ([k, v]) => k.toLowerCase() === "aws:multifactorauthpresent" && String(v) === "true",
        );
        if (foreign.length > 0 && !mfa && !keys.includes("sts:externalid") && !keys.includes("aws:principalorgid"))
          report(`trusts ${foreign.join(", ")} without an external id`);
      }
    },
  }),
  resourceRule({
    name: "iam-boundary-blocks-escalation",
    description:
      "The platform's permissions boundary denies creating roles without it, removing or editing it, and creating users or access keys.",
    remediation:
      "Keep SecurityFoundation's boundaryPolicy statements NoRoleWithoutBoundary, NoBoundaryRemovalOrChange, BoundaryIsImmutable and NoIdentityAdministration.",
    group: "security",
    resourceTypes: [IAM.policy],
    enforcement: ALWAYS,
    validate(r, report) {
      if (!isBoundary(r)) return;
      const statements = parsePolicy(r.props.policy)?.Statement ?? [];
      const denies = (action: string, conditional: boolean) =>
        statements.some(
          (s) =>
            s.Effect === "Deny" &&
            list(s.Action).some((a) => actionMatches(a, action)) &&
            (conditional || !s.Condition),
        );
      const required: [string, boolean][] = [
        ["iam:DeleteRolePermissionsBoundary", false],
        ["iam:CreatePolicyVersion", false],
        ["iam:CreateUser", false],
        ["iam:CreateAccessKey", false],
        ["iam:CreateRole", true],
        ["iam:PutRolePermissionsBoundary", true],
      ];
      const missing = required.filter(([action, conditional]) => !denies(action, conditional)).map(([a]) => a);
      if (missing.length > 0) report(`does not deny ${missing.join(", ")}`);
    },
  }),
  stackRule({
    name: "iam-role-under-platform-path",
    description:
      "Every role lives under the IAM path that the platform's KMS key policies admit (aws:PrincipalArn role/<prefix>/*), so keys and roles agree on who is a platform role.",
    remediation: "Create roles with platformRole(), which sets path /<prefix>/.",
    group: "security",
    resourceTypes: [IAM.role, KMS.key],
    enforcement: ALWAYS,
    validate(resources, report) {
      const admitted = new Set<string>();
      for (const key of stackIndex(resources).ofType(KMS.key)) {
        for (const s of parsePolicy(key.props.policy)?.Statement ?? []) {
          for (const patterns of Object.values(s.Condition?.ArnLike ?? {})) {
            for (const p of list(patterns as string | string[])) {
              const path = /^arn:[^:]+:iam::\d{12}:role(\/.+\/)\*$/.exec(p)?.[1];
              if (path) admitted.add(path);
            }
          }
        }
      }
      for (const role of stackIndex(resources).ofType(IAM.role)) {
        const path = (role.props.path as string | undefined) ?? "/";
        if (admitted.size > 0 ? ![...admitted].some((a) => path.startsWith(a)) : path === "/") {
          report(
            `role '${role.name}' has path '${path}'${admitted.size > 0 ? `, outside ${[...admitted].join(", ")}` : ""}`,
            role.urn,
          );
        }
      }
    },
  }),
  stackRule({
    name: "iam-kafka-topic-scope",
    description:
      "Policies that read, write or administer Kafka topics name topics of the stack's MSK clusters, never every topic ('*').",
    remediation:
      "Scope kafka-cluster topic actions to arn:aws:kafka:<region>:<account>:topic/<cluster>/<uuid>/<topic or prefix*>.",
    group: "security",
    resourceTypes: [...DOC_TYPES, ...MSK],
    enforcement: ALWAYS,
    validate(resources, report) {
      const clusters = new Set(
        resources
          .filter((r) => MSK.includes(r.type))
          .map((r) => r.props.clusterName as string | undefined)
          .filter(Boolean),
      );
      for (const r of stackIndex(resources).ofType(...DOC_TYPES)) {
        for (const s of grantStatements(r)) {
          if (s.Effect !== "Allow" || !TOPIC_ACTIONS.some((a) => grants(s, a))) continue;
          for (const res of list(s.Resource))
            problems(res, clusters).forEach((p) => report(`'${r.name}': ${p}`, r.urn));
        }
      }
    },
  }),
];

/** What is wrong with one resource entry of a statement granting topic actions. */
function problems(resource: string, clusters: Set<string | undefined>): string[] {
  if (resource === "*") return ["grants topic access on every resource ('*')"];
  const m = /^arn:[^:]+:kafka:[^:]*:[^:]*:topic\/([^/]+)\/([^/]+)\/(.+)$/.exec(resource);
  if (!m) return []; // cluster and group ARNs: topic actions do not apply to them
  const out: string[] = [];
  if (m[3] === "*") out.push(`grants every topic of ${m[1]}`);
  if (clusters.size > 0 && m[1] !== "*" && !clusters.has(m[1]))
    out.push(`names cluster '${m[1]}', which this stack does not declare`);
  if (m[1] === "*") out.push("names topics of any cluster");
  return out;
}
