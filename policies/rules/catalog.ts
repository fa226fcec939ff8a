import { TAG } from "../../components/core/types";
import { ALWAYS, PlatformRule, resourceRule, stackRule, tagsOf } from "./define";
import { list, S3 } from "./util";
import { groupBy, stackIndex } from "./stack-index";

export const GLUE = {
  database: "aws:glue/catalogDatabase:CatalogDatabase",
  table: "aws:glue/catalogTable:CatalogTable",
  encryptionSettings: "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
  securityConfiguration: "aws:glue/securityConfiguration:SecurityConfiguration",
} as const;
export const ATHENA_WORKGROUP = "aws:athena/workgroup:Workgroup";
export const LF = {
  settings: "aws:lakeformation/dataLakeSettings:DataLakeSettings",
  permissions: "aws:lakeformation/permissions:Permissions",
  resource: "aws:lakeformation/resource:Resource",
  tag: "aws:lakeformation/lfTag:LfTag",
  resourceTags: "aws:lakeformation/resourceLfTags:ResourceLfTags",
} as const;

/** LF-tag keys end in these names (`<prefix>:domain`); each mirrors a resource tag the lake puts on its databases. */
export const LF_TAG_MIRRORS: Readonly<Record<string, string>> = {
  domain: TAG.dataDomain,
  classification: TAG.dataClassification,
  zone: "data-platform:zone",
};

/** Lake Formation's name for "whatever IAM allows": granting it turns Lake Formation permissions off. */
export const IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS";
const SERVICE_LINKED_LF_ROLE = "AWSServiceRoleForLakeFormationDataAccess";
/** What a steward may pass on: reading, never changing or dropping. */
const DELEGABLE = ["SELECT", "DESCRIBE"];

/** `s3://bucket/prefix` → `bucket`. */
export const bucketOfUri = (uri: unknown): string | undefined =>
  typeof uri === "string" ? /^s3a?:\/\/([^/]+)/.exec(uri)?.[1] : undefined;

interface DefaultPermission {
  principal?: string | { dataLakePrincipalIdentifier?: string };
  permissions?: string[];
}
const principalOf = (p: DefaultPermission) =>
  typeof p.principal === "string" ? p.principal : p.principal?.dataLakePrincipalIdentifier;

export const catalogRules: PlatformRule[] = [
  resourceRule({
    name: "glue-catalog-encryption",
    description:
      "Where the account's Glue Data Catalog encryption is declared, metadata is encrypted with a KMS key and connection passwords are returned encrypted.",
    remediation:
      "Set encryptionAtRest { catalogEncryptionMode: SSE-KMS, sseAwsKmsKeyId } and connectionPasswordEncryption { returnConnectionPasswordEncrypted: true, awsKmsKeyId }.",
    group: "security",
    resourceTypes: [GLUE.encryptionSettings],
    enforcement: ALWAYS,
    validate(r, report) {
      const s = r.props.dataCatalogEncryptionSettings ?? {};
      if (
        !String(s.encryptionAtRest?.catalogEncryptionMode ?? "DISABLED").startsWith("SSE-KMS") ||
        !s.encryptionAtRest?.sseAwsKmsKeyId
      )
        report("catalog metadata is not encrypted with a customer-managed KMS key");
      if (
        s.connectionPasswordEncryption?.returnConnectionPasswordEncrypted !== true ||
        !s.connectionPasswordEncryption?.awsKmsKeyId
      )
        report("connection passwords are not encrypted with a KMS key");
    },
  }),
  resourceRule({
    name: "glue-security-configuration-encrypted",
    description:
      "Glue security configurations encrypt job output (SSE-KMS), job logs (SSE-KMS) and job bookmarks (CSE-KMS), each with a key.",
    remediation:
      "Set s3Encryption SSE-KMS, cloudwatchEncryption SSE-KMS and jobBookmarksEncryption CSE-KMS, each with kmsKeyArn.",
    group: "security",
    resourceTypes: [GLUE.securityConfiguration],
    enforcement: ALWAYS,
    validate(r, report) {
      const e = r.props.encryptionConfiguration ?? {};
      const parts: [string, ({ kmsKeyArn?: string } & Record<string, unknown>) | undefined, string, string][] = [
        ["S3 output", list(e.s3Encryption)[0], "s3EncryptionMode", "SSE-KMS"],
        ["CloudWatch logs", e.cloudwatchEncryption, "cloudwatchEncryptionMode", "SSE-KMS"],
        ["job bookmarks", e.jobBookmarksEncryption, "jobBookmarksEncryptionMode", "CSE-KMS"],
      ];
      for (const [what, cfg, field, mode] of parts)
        if (cfg?.[field] !== mode || !cfg?.kmsKeyArn) report(`${what} is not ${mode}-encrypted with a key`);
    },
  }),
  stackRule({
    name: "glue-database-in-registered-location",
    description:
      "Every Glue database points at a bucket of the stack that Lake Formation governs (a registered location), so its tables fall under Lake Formation grants.",
    remediation:
      "Set locationUri to s3://<zone bucket>/<domain>/ (DataLake does) and register the bucket with aws.lakeformation.Resource.",
    group: "governance",
    resourceTypes: [GLUE.database, S3.bucket, LF.resource],
    enforcement: ALWAYS,
    validate(resources, report) {
      const buckets = new Set(
        stackIndex(resources)
          .ofType(S3.bucket)
          .map((r) => r.props.bucket as string),
      );
      const registered = new Set(
        resources
          .filter((r) => r.type === LF.resource)
          .map((r) => /^arn:[^:]+:s3:::([^/]+)/.exec(String(r.props.arn))?.[1]),
      );
      for (const db of resources.filter(
        (r) => r.type === GLUE.database && !r.props.targetDatabase && !r.props.federatedDatabase,
      )) {
        const bucket = bucketOfUri(db.props.locationUri);
        if (!bucket) report(`database '${db.name}' has no S3 location`, db.urn);
        else if (!buckets.has(bucket))
          report(`database '${db.name}' points at '${bucket}', which this stack does not manage`, db.urn);
        else if (!registered.has(bucket))
          report(`database '${db.name}' points at '${bucket}', which is not registered with Lake Formation`, db.urn);
      }
    },
  }),
  // Workgroup enforcement, encryption, scan limits and engine pins, and IAM_ALLOWED_PRINCIPALS in grants and lake
  // defaults, are the access module's rules (athena-workgroup-enforced, lakeformation-no-iam-allowed-principals).
  stackRule({
    name: "athena-results-in-stack-bucket",
    description:
      "Athena workgroups write query results into a bucket of this stack (the lake's query-results zone), where they are classified, encrypted, logged and expired like the data they came from.",
    remediation:
      "Set configuration.resultConfiguration.outputLocation to s3://<the lake's query-results bucket>/<workgroup>/.",
    group: "governance",
    resourceTypes: [ATHENA_WORKGROUP, S3.bucket],
    enforcement: ALWAYS,
    validate(resources, report) {
      const buckets = new Set(
        stackIndex(resources)
          .ofType(S3.bucket)
          .map((b) => b.props.bucket as string),
      );
      for (const wg of stackIndex(resources).ofType(ATHENA_WORKGROUP)) {
        if (wg.props.configuration?.managedQueryResultsConfiguration?.enabled) continue;
        const bucket = bucketOfUri(wg.props.configuration?.resultConfiguration?.outputLocation);
        if (!bucket) report(`workgroup '${wg.name}' names no result location: each client picks its own`, wg.urn);
        else if (!buckets.has(bucket))
          report(`workgroup '${wg.name}' writes results to '${bucket}', which this stack does not declare`, wg.urn);
      }
    },
  }),
  resourceRule({
    name: "glue-database-no-default-grants",
    description:
      "No Glue database hands new tables to IAM_ALLOWED_PRINCIPALS by default: its tables are governed by Lake Formation grants from the start.",
    remediation:
      "Leave createTableDefaultPermissions unset or empty on the database (DataLake does); grant named principals or LF-tags.",
    group: "security",
    resourceTypes: [GLUE.database],
    enforcement: ALWAYS,
    validate(r, report) {
      if (
        (list(r.props.createTableDefaultPermissions) as DefaultPermission[]).some(
          (p) => principalOf(p) === IAM_ALLOWED_PRINCIPALS,
        )
      )
        report("createTableDefaultPermissions grants IAM_ALLOWED_PRINCIPALS");
    },
  }),
  stackRule({
    name: "lakeformation-tags-match-data-tags",
    description:
      "Where the stack declares LF-tags, every Glue database carries them, with the values of its own data-domain, data-classification and zone tags: grants follow LF-tags, so a mismatch hands restricted data to the wrong readers.",
    remediation:
      "Tag each database through the access model from the lake's databases (ResourceLfTags from the database's tags); declare every value in its LfTag.",
    group: "security",
    resourceTypes: [LF.tag, LF.resourceTags, GLUE.database],
    enforcement: ALWAYS,
    validate(resources, report) {
      const defined = new Map(
        stackIndex(resources)
          .ofType(LF.tag)
          .map((t) => [String(t.props.key), list(t.props.values).map(String)]),
      );
      if (defined.size === 0) return;
      const assignments = stackIndex(resources).ofType(LF.resourceTags);
      for (const a of assignments) {
        for (const { key, value } of list(a.props.lfTags) as { key: string; value: string }[]) {
          if (!defined.get(key)?.includes(value))
            report(`'${a.name}' assigns ${key}=${value}, which no LfTag of this stack defines`, a.urn);
        }
      }
      const byDatabase = groupBy(assignments, (a) => a.props.database?.name as unknown);
      for (const db of stackIndex(resources).ofType(GLUE.database)) {
        const lfTags = (byDatabase.get(db.props.name) ?? []).flatMap(
          (a) => list(a.props.lfTags) as { key: string; value: string }[],
        );
        if (lfTags.length === 0) {
          report(
            `database '${db.props.name}' carries no LF-tags, so no tag-based grant reaches it (or every broad one does)`,
            db.urn,
          );
          continue;
        }
        const tags = tagsOf(db.props);
        for (const key of defined.keys()) {
          const mirrored = LF_TAG_MIRRORS[key.split(":").pop() ?? ""];
          const value = lfTags.find((t) => t.key === key)?.value;
          if (!mirrored || tags[mirrored] === undefined) continue;
          if (value !== tags[mirrored])
            report(
              `database '${db.props.name}' is ${mirrored}=${tags[mirrored]} but LF-tagged ${key}=${value ?? "(none)"}`,
              db.urn,
            );
        }
      }
    },
  }),
  resourceRule({
    name: "lakeformation-admins",
    description: "The data lake names its administrators, and they are IAM roles (never users or '*').",
    remediation:
      "List the deploying role and the platform team's SSO role in DataLakeSettings.admins (lake.lakeFormationAdmins).",
    group: "governance",
    resourceTypes: [LF.settings],
    enforcement: ALWAYS,
    validate(r, report) {
      const admins = list(r.props.admins) as string[];
      if (admins.length === 0) report("has no administrators");
      for (const a of admins)
        if (!/^arn:[^:]+:iam::\d{12}:role\//.test(a)) report(`administrator '${a}' is not an IAM role`);
    },
  }),
  resourceRule({
    name: "lakeformation-location-role",
    description:
      "Registered lake locations are read through a dedicated role, not the service-linked role (which cannot use customer-managed keys and cannot be scoped).",
    remediation:
      "Register with roleArn set to the lake's Lake Formation role and useServiceLinkedRole unset (DataLake does).",
    group: "security",
    resourceTypes: [LF.resource],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.useServiceLinkedRole === true || !r.props.roleArn) report("uses the service-linked role");
      else if (String(r.props.roleArn).includes(SERVICE_LINKED_LF_ROLE))
        report(`names ${SERVICE_LINKED_LF_ROLE} as its role`);
    },
  }),
  resourceRule({
    name: "lakeformation-no-hybrid-access",
    description:
      "Registered locations are not in hybrid access mode, in which IAM policies keep bypassing Lake Formation grants.",
    remediation: "Set hybridAccessEnabled: false (or leave it unset).",
    group: "security",
    resourceTypes: [LF.resource],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.hybridAccessEnabled === true) report("is in hybrid access mode");
      if (r.props.withPrivilegedAccess === true) report("is registered with privileged access");
    },
  }),
  resourceRule({
    name: "lakeformation-least-privilege-grants",
    description:
      "Lake Formation grants never hand out ALL (super), and the right to re-grant only as delegated stewardship: read permissions (SELECT, DESCRIBE) over an LF-tag scope, never on named resources or for writes.",
    remediation:
      "Grant specific permissions; give grant options only to a domain's steward, for SELECT/DESCRIBE, through lfTag or lfTagPolicy (AccessModel does).",
    group: "security",
    resourceTypes: [LF.permissions],
    enforcement: ALWAYS,
    validate(r, report) {
      const perms = list(r.props.permissions) as string[];
      if (perms.includes("ALL")) report(`grants ALL to ${r.props.principal}`);
      const withGrant = list(r.props.permissionsWithGrantOptions) as string[];
      if (withGrant.length === 0) return;
      // A tag scope follows the domain as tables come and go; a grant option on a named resource outlives its intent.
      const tagScoped = r.props.lfTag !== undefined || r.props.lfTagPolicy !== undefined;
      const writes = withGrant.filter((p) => !DELEGABLE.includes(p));
      if (!tagScoped)
        report(`lets ${r.props.principal} re-grant ${withGrant.join(", ")} on a named resource, not an LF-tag scope`);
      if (writes.length > 0) report(`lets ${r.props.principal} re-grant ${writes.join(", ")}, beyond reading`);
    },
  }),
];
