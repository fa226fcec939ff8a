import { ALWAYS, PlatformRule, resourceRule, SECURITY } from "./define";
import { list, parsePolicy } from "./util";

const PERMISSIONS = "aws:lakeformation/permissions:Permissions";
const LF_SETTINGS = "aws:lakeformation/dataLakeSettings:DataLakeSettings";
const WORKGROUP = "aws:athena/workgroup:Workgroup";
const ROLE = "aws:iam/role:Role";

/** Lake Formation's pseudo-principal for "whoever IAM allows": granting it hands access control back to IAM. */
export const IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS";

const ACCOUNT_PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$/;

export const accessRules: PlatformRule[] = [
  resourceRule({
    name: "lakeformation-no-iam-allowed-principals",
    description:
      "Lake Formation never grants IAMAllowedPrincipals, and new databases and tables get no default grant to it.",
    remediation:
      "Grant by LF-tag expression to named roles (AccessModel does); set createDatabaseDefaultPermissions and createTableDefaultPermissions to [].",
    group: "security",
    resourceTypes: [PERMISSIONS, LF_SETTINGS],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.type === PERMISSIONS) {
        if (r.props.principal === IAM_ALLOWED_PRINCIPALS)
          report("grants IAMAllowedPrincipals: every IAM principal allowed by its own policies gets this access");
        return;
      }
      for (const key of ["createDatabaseDefaultPermissions", "createTableDefaultPermissions"]) {
        const value = r.props[key];
        // Unset means the service default, which is ALL to IAMAllowedPrincipals.
        if (value === undefined) report(`leaves ${key} unset: the account default grants IAMAllowedPrincipals`);
        else if (
          list(value as unknown[]).some((p) => (p as { principal?: string }).principal === IAM_ALLOWED_PRINCIPALS)
        )
          report(`${key} grants IAMAllowedPrincipals`);
      }
    },
  }),
  resourceRule({
    name: "athena-workgroup-enforced",
    description:
      "Athena workgroups enforce their settings: KMS-encrypted results, a per-query scan limit, and a pinned engine version.",
    remediation:
      "Create workgroups with BiAccess, or set enforceWorkgroupConfiguration, SSE_KMS with a key, bytesScannedCutoffPerQuery and a selectedEngineVersion other than AUTO.",
    group: "security",
    resourceTypes: [WORKGROUP],
    enforcement: SECURITY,
    validate(r, report) {
      const c = (r.props.configuration ?? {}) as Record<string, never>;
      if (c["enforceWorkgroupConfiguration"] !== true)
        report("does not enforce its configuration: clients could send results anywhere, unencrypted");
      const enc = (
        (c["resultConfiguration"] ?? {}) as {
          encryptionConfiguration?: { encryptionOption?: string; kmsKeyArn?: string };
        }
      ).encryptionConfiguration;
      if (!enc || !["SSE_KMS", "CSE_KMS"].includes(enc.encryptionOption ?? "") || !enc.kmsKeyArn)
        report("does not encrypt results with a customer-managed KMS key");
      if (typeof c["bytesScannedCutoffPerQuery"] !== "number") report("has no per-query scan limit");
      const engine = ((c["engineVersion"] ?? {}) as { selectedEngineVersion?: string }).selectedEngineVersion;
      if (!engine || engine === "AUTO") report("does not pin an engine version");
    },
  }),
  resourceRule({
    name: "iam-human-trust-mfa",
    description:
      "A role that trusts a whole account (people arriving with their own IAM credentials) requires MFA to assume it.",
    remediation:
      "Add Bool aws:MultiFactorAuthPresent = true to the statement, or trust named roles (e.g. Identity Center permission sets through aws:PrincipalArn).",
    group: "security",
    resourceTypes: [ROLE],
    enforcement: SECURITY,
    validate(r, report) {
      for (const s of parsePolicy(r.props.assumeRolePolicy)?.Statement ?? []) {
        if (s.Effect !== "Allow" || !list(s.Action).some((a) => /^sts:AssumeRole$|^sts:\*$|^\*$/.test(a))) continue;
        const aws = (s.Principal as { AWS?: string | string[] } | undefined)?.AWS;
        if (!list(aws).some((p) => ACCOUNT_PRINCIPAL.test(p))) continue;
        // A statement narrowed to named principals is not "anyone in the account".
        const cond = s.Condition ?? {};
        if (Object.values(cond).some((m) => Object.keys(m).includes("aws:PrincipalArn"))) continue;
        const mfa = (cond["Bool"] as Record<string, unknown> | undefined)?.["aws:MultiFactorAuthPresent"];
        if (String(mfa) !== "true") report(`trusts account principal(s) ${list(aws).join(", ")} without requiring MFA`);
      }
    },
  }),
];
