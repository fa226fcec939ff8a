import { ALWAYS, PlatformRule, resourceRule, SECURITY, stackRule } from "./define";
import { isWorkloadLayer, parsePolicy } from "./util";
import { stackIndex } from "./stack-index";

const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/policy:Policy";
const KEY = "aws:kms/key:Key";

/** The boundary policy the platform creates; roles must carry exactly this one. */
export const BOUNDARY_SUFFIX = "-permissions-boundary";
const BOUNDARY_ARN = new RegExp(`^arn:aws[a-z-]*:iam::\\d{12}:policy/[a-z0-9-]+${BOUNDARY_SUFFIX}$`);

export const securityRules: PlatformRule[] = [
  resourceRule({
    name: "kms-key-rotation",
    description: "Customer-managed KMS keys rotate their key material automatically.",
    remediation: "Set enableKeyRotation: true (SecurityFoundation does).",
    group: "security",
    resourceTypes: [KEY],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.enableKeyRotation !== true) report("key rotation is off");
    },
  }),
  resourceRule({
    name: "kms-key-policy-no-wildcard-use",
    description: "No KMS key policy lets every principal ('*') use the key without a condition.",
    remediation:
      "Grant key use to the account root with an aws:PrincipalArn condition, as SecurityFoundation's keyPolicy does.",
    group: "security",
    resourceTypes: [KEY],
    enforcement: ALWAYS,
    validate(r, report) {
      const doc = parsePolicy(r.props.policy);
      if (!doc) return report("has no explicit key policy (the default grants the whole account)");
      for (const s of doc.Statement) {
        const principal = s.Principal;
        const anyone =
          principal === "*" ||
          (typeof principal === "object" && principal !== null && (principal as { AWS?: unknown }).AWS === "*");
        if (s.Effect === "Allow" && anyone && !s.Condition)
          report("a statement allows any principal without a condition");
      }
    },
  }),
  stackRule({
    name: "iam-role-permissions-boundary",
    description: "Every IAM role carries the platform's permissions boundary, so no role can exceed its ceiling.",
    remediation:
      "Create roles with platformRole() or set permissionsBoundary to SecurityFoundation.permissionsBoundaryArn.",
    group: "security",
    resourceTypes: [ROLE, POLICY],
    enforcement: ALWAYS,
    validate(resources, report) {
      const boundaries = resources
        .filter((r) => r.type === POLICY && String(r.props.name ?? "").endsWith(BOUNDARY_SUFFIX))
        .map((r) => String(r.props.name));
      // A workload layer's boundary is the foundation's: its name is all this stack can check.
      const elsewhere = boundaries.length === 0 && isWorkloadLayer(resources);
      for (const role of stackIndex(resources).ofType(ROLE)) {
        const arn = role.props.permissionsBoundary;
        if (typeof arn !== "string" || arn === "") report(`role '${role.name}' has no permissions boundary`, role.urn);
        else if (elsewhere ? !BOUNDARY_ARN.test(arn) : !boundaries.some((b) => arn.endsWith(`:policy/${b}`)))
          report(`role '${role.name}' carries '${arn}', not the platform's boundary`, role.urn);
      }
    },
  }),
  resourceRule({
    name: "iam-no-wildcard-admin",
    description: "No inline or managed IAM policy allows every action on every resource.",
    remediation: "Scope actions and resources; the boundary's own 'Ceiling' statement is the only allowed exception.",
    group: "security",
    resourceTypes: ["aws:iam/rolePolicy:RolePolicy", POLICY],
    enforcement: ALWAYS,
    validate(r, report) {
      if (String(r.props.name ?? "").endsWith(BOUNDARY_SUFFIX)) return;
      const doc = parsePolicy(r.props.policy);
      for (const s of doc?.Statement ?? []) {
        const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
        const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
        if (s.Effect === "Allow" && actions.includes("*") && resources.includes("*")) report("allows '*' on '*'");
      }
    },
  }),
  resourceRule({
    name: "iam-role-trust-scoped",
    description: "Role trust policies never trust every principal ('*').",
    remediation: "Trust a service principal (with aws:SourceAccount) or named roles.",
    group: "security",
    resourceTypes: [ROLE],
    enforcement: SECURITY,
    validate(r, report) {
      const doc = parsePolicy(r.props.assumeRolePolicy);
      for (const s of doc?.Statement ?? []) {
        const p = s.Principal as unknown;
        if (
          s.Effect === "Allow" &&
          (p === "*" || (typeof p === "object" && p !== null && (p as { AWS?: unknown }).AWS === "*"))
        )
          report("trusts any principal");
      }
    },
  }),
];
