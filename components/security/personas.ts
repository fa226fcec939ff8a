import { s3Statements } from "../compute/identity";
import { doc, PolicyDocument, Statement } from "../core/iam";
import { CLASSIFICATIONS, Classification, Zone, ZONES } from "../core/types";
import { glueDatabaseName, maxClassification } from "../lake/DataLake";
import { ACCOUNT_ROOT_ARN, SSO_ROLE_ARN } from "./config";

// Plain documents the AccessModel is built from: trust policies, identity policies per persona, and Lake
// Formation grants by tag expression. Everything here takes resolved strings, so tests call it directly.

/** The lake as the access model sees it: every ARN resolved. */
export interface LakeFacts {
  readonly accountId: string;
  readonly region: string;
  readonly prefix: string;
  readonly zones: Record<
    Zone,
    { readonly bucketArn: string; readonly keyArn: string; readonly classification: Classification }
  >;
  /** The bucket of restricted domains, laid out `<zone>/<domain>/`. */
  readonly restricted?: { readonly bucketArn: string; readonly keyArn: string };
  readonly domains: readonly { readonly name: string; readonly classification: Classification }[];
}

export interface Location {
  readonly bucketArn: string;
  readonly keyArn: string;
  /** Key prefix inside the bucket, ending in `/`. */
  readonly prefix: string;
}

/** Where a domain's data of one zone lives (the DataLake layout: restricted domains in their own bucket). */
export function lakeLocation(lake: LakeFacts, domain: string, zone: Zone): Location {
  const d = lake.domains.find((x) => x.name === domain);
  if (!d) throw new Error(`unknown domain '${domain}'`);
  if (d.classification === "restricted") {
    if (!lake.restricted) throw new Error(`domain '${domain}' is restricted but the lake has no restricted bucket`);
    return { ...lake.restricted, prefix: `${zone}/${domain}/` };
  }
  return { bucketArn: lake.zones[zone].bucketArn, keyArn: lake.zones[zone].keyArn, prefix: `${domain}/` };
}

/** The classification a domain's data carries in a zone: raw is at least as sensitive as the raw zone. */
export function dataClassification(
  lake: Pick<LakeFacts, "zones">,
  domainClassification: Classification,
  zone: Zone,
): Classification {
  return zone === "raw" ? maxClassification(domainClassification, lake.zones.raw.classification) : domainClassification;
}

const rank = (c: Classification) => CLASSIFICATIONS.indexOf(c);
/** Classifications up to and including `clearance`. */
export function upTo(clearance: Classification): Classification[] {
  return CLASSIFICATIONS.filter((c) => rank(c) <= rank(clearance));
}

// ---------------------------------------------------------------------------------------------------------------
// Trust

export interface TrustInput {
  readonly accountId: string;
  /** From config: permission-set role ARNs, account root ARNs or account ids. Empty: this account, with MFA. */
  readonly principals: readonly string[];
}

/**
 * Who may assume a persona role. Two kinds of principal, treated differently on MFA:
 * - IAM Identity Center permission sets are matched by `aws:PrincipalArn` under their account, not named as
 *   principals: the service recreates those roles when a permission set is re-provisioned, and a trust policy
 *   naming a deleted role silently stops matching. MFA is enforced at Identity Center sign-in, and sessions it
 *   issues carry no `aws:MultiFactorAuthPresent`, so requiring it here would lock everyone out.
 * - Account principals delegate to that account's IAM, so the person arrives with their own credentials:
 *   MFA is required, and must be recent.
 */
export function personaTrust(input: TrustInput): PolicyDocument {
  const principals = input.principals.length > 0 ? input.principals : [input.accountId];
  const sso = principals.filter((p) => SSO_ROLE_ARN.test(p));
  const accounts = principals
    .filter((p) => !SSO_ROLE_ARN.test(p))
    .map((p) => (ACCOUNT_ROOT_ARN.test(p) ? p : `arn:aws:iam::${p}:root`));
  const statements: Statement[] = [];
  const ssoAccounts = [...new Set(sso.map((arn) => arn.split(":")[4]))];
  if (sso.length > 0) {
    statements.push({
      Sid: "IdentityCenterPermissionSets",
      Effect: "Allow",
      Principal: { AWS: ssoAccounts.map((a) => `arn:aws:iam::${a}:root`) },
      Action: "sts:AssumeRole",
      Condition: { ArnLike: { "aws:PrincipalArn": sso } },
    });
  }
  if (accounts.length > 0) {
    statements.push({
      Sid: "AccountPrincipalsWithMfa",
      Effect: "Allow",
      Principal: { AWS: accounts },
      Action: "sts:AssumeRole",
      Condition: {
        Bool: { "aws:MultiFactorAuthPresent": "true" },
        NumericLessThan: { "aws:MultiFactorAuthAge": "3600" },
      },
    });
  }
  return doc(...statements);
}

// ---------------------------------------------------------------------------------------------------------------
// Identity policies

const GLUE_READ = [
  "glue:GetDatabase",
  "glue:GetDatabases",
  "glue:GetTable",
  "glue:GetTables",
  "glue:GetTableVersions",
  "glue:GetPartition",
  "glue:GetPartitions",
  "glue:BatchGetPartition",
];
const GLUE_WRITE = [
  "glue:CreateTable",
  "glue:UpdateTable",
  "glue:DeleteTable",
  "glue:BatchCreatePartition",
  "glue:CreatePartition",
  "glue:UpdatePartition",
  "glue:DeletePartition",
  "glue:BatchDeletePartition",
];

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const DESCRIBE_KEY = "kms:DescribeKey";

/**
 * Direct S3 access to locations: the compute module's statements (keys usable only through S3), with each key
 * further bound to the buckets granted here. Keys are shared per classification, so without the encryption-context
 * condition a key granted for one bucket would also decrypt every other bucket under it. (Buckets use bucket keys:
 * the context is the bucket ARN.)
 */
export function s3Access(
  sid: string,
  region: string,
  reads: readonly Location[],
  writes: readonly Location[],
): Statement[] {
  const all = [...reads, ...writes];
  return s3Statements(sid, region, reads, writes).flatMap((s) => {
    const actions = [s.Action ?? []].flat();
    if (!actions.every((a) => a.startsWith("kms:"))) return [s];
    const keys = [s.Resource ?? []].flat();
    const buckets = unique(
      all.filter((l) => keys.includes(l.keyArn)).flatMap((l) => [l.bucketArn, `${l.bucketArn}/*`]),
    );
    const bound = { ...s, Action: actions.filter((a) => a !== DESCRIBE_KEY) };
    bound.Condition = { ...s.Condition, StringLike: { "kms:EncryptionContext:aws:s3:arn": buckets } };
    // DescribeKey requests carry no encryption context: bound to the buckets, it would never be granted.
    return actions.includes(DESCRIBE_KEY) ? [bound, { ...s, Sid: `${s.Sid}Describe`, Action: DESCRIBE_KEY }] : [bound];
  });
}

/** Glue Data Catalog access to named databases (Lake Formation still has to grant on top). */
export function catalogAccess(
  sid: string,
  lake: Pick<LakeFacts, "region" | "accountId">,
  readDatabases: readonly string[],
  writeDatabases: readonly string[] = [],
): Statement[] {
  const base = `arn:aws:glue:${lake.region}:${lake.accountId}`;
  const resources = (dbs: readonly string[]) => [
    `${base}:catalog`,
    ...unique(dbs).flatMap((db) => [`${base}:database/${db}`, `${base}:table/${db}/*`]),
  ];
  const all = unique([...readDatabases, ...writeDatabases]);
  if (all.length === 0) return [];
  const statements: Statement[] = [{ Sid: `${sid}Read`, Effect: "Allow", Action: GLUE_READ, Resource: resources(all) }];
  if (writeDatabases.length > 0)
    statements.push({ Sid: `${sid}Write`, Effect: "Allow", Action: GLUE_WRITE, Resource: resources(writeDatabases) });
  return statements;
}

/** Lake Formation hands out short-lived credentials for what it granted; without this, no LF grant works. */
const LF_DATA_ACCESS: Statement = {
  Sid: "LakeFormationDataAccess",
  Effect: "Allow",
  Action: "lakeformation:GetDataAccess",
  Resource: "*",
};

type Domain = LakeFacts["domains"][number];
const dbs = (lake: LakeFacts, domains: readonly Domain[], zones: readonly Zone[]) =>
  domains.flatMap((d) => zones.map((z) => glueDatabaseName(lake.prefix, d.name, z)));

/**
 * Analysts query through Athena (BiAccess adds the workgroups): catalog entries of the curated and analytics
 * zones up to their clearance, and Lake Formation data access. No S3 grant at all: every byte they read is
 * vended by Lake Formation for a table it granted, so raw and restricted data stay out of reach by construction.
 */
export function analystPolicy(lake: LakeFacts, clearance: Classification): PolicyDocument {
  const visible = lake.domains.filter(
    (d) => d.classification !== "restricted" && rank(d.classification) <= rank(clearance),
  );
  return doc(...catalogAccess("Catalog", lake, dbs(lake, visible, ["curated", "analytics"])), LF_DATA_ACCESS);
}

/**
 * Data engineers build and repair pipelines: they read every zone and write curated and analytics, directly and
 * through Lake Formation, for domains their clearance covers. Raw is written by ingestion alone, so history
 * cannot be rewritten by hand.
 */
export function dataEngineerPolicy(lake: LakeFacts, cleared: boolean): PolicyDocument {
  const domains = lake.domains.filter((d) => cleared || d.classification !== "restricted");
  const written: Zone[] = ["curated", "analytics"];
  const loc = (d: Domain, z: Zone) => lakeLocation(lake, d.name, z);
  // Non-restricted domains share the zone buckets: grant the bucket, not a prefix per domain.
  const whole = (z: Zone): Location => ({
    bucketArn: lake.zones[z].bucketArn,
    keyArn: lake.zones[z].keyArn,
    prefix: "",
  });
  const restricted = domains.filter((d) => d.classification === "restricted");
  const reads = [whole("raw"), ...restricted.map((d) => loc(d, "raw"))];
  const writes = [...written.map(whole), ...restricted.flatMap((d) => written.map((z) => loc(d, z)))];
  return doc(
    ...s3Access("Lake", lake.region, reads, writes),
    ...catalogAccess("Catalog", lake, dbs(lake, domains, ["raw"]), dbs(lake, domains, written)),
    LF_DATA_ACCESS,
  );
}

/** Lake Formation calls a steward needs to manage grants; LF itself limits them to the steward's own domain. */
const LF_GOVERNANCE = [
  "lakeformation:GrantPermissions",
  "lakeformation:RevokePermissions",
  "lakeformation:BatchGrantPermissions",
  "lakeformation:BatchRevokePermissions",
  "lakeformation:ListPermissions",
  "lakeformation:GetResourceLFTags",
  "lakeformation:ListLFTags",
  "lakeformation:GetLFTag",
  "lakeformation:SearchTablesByLFTags",
  "lakeformation:SearchDatabasesByLFTags",
];

/**
 * A domain's steward curates its catalog entries and decides who else may read them. IAM cannot scope Lake
 * Formation's grant API to a domain (it takes no resource ARN); the grant options Lake Formation holds for the
 * steward do, and they cover the steward's own domain only (see personaGrants in lake-formation.ts).
 */
export function stewardPolicy(lake: LakeFacts, domain: string): PolicyDocument {
  const d = lake.domains.find((x) => x.name === domain);
  if (!d) throw new Error(`unknown domain '${domain}'`);
  const own = dbs(lake, [d], ZONES);
  const base = `arn:aws:glue:${lake.region}:${lake.accountId}`;
  return doc(
    ...catalogAccess("Catalog", lake, own),
    {
      Sid: "CatalogCuration",
      Effect: "Allow",
      Action: ["glue:UpdateDatabase", "glue:UpdateTable"],
      Resource: [`${base}:catalog`, ...own.flatMap((db) => [`${base}:database/${db}`, `${base}:table/${db}/*`])],
    },
    { Sid: "Grants", Effect: "Allow", Action: LF_GOVERNANCE, Resource: "*" },
    LF_DATA_ACCESS,
  );
}

/** Read-only control-plane actions an operator needs to see the platform's state, and no data-plane reads. */
const OPERATE = [
  "cloudwatch:Describe*",
  "cloudwatch:Get*",
  "cloudwatch:List*",
  "logs:Describe*",
  "logs:FilterLogEvents",
  "logs:GetLogEvents",
  "logs:StartQuery",
  "logs:GetQueryResults",
  "ec2:Describe*",
  "s3:ListAllMyBuckets",
  "s3:GetBucketLocation",
  "s3:GetBucketPolicy",
  "s3:GetBucketVersioning",
  "s3:GetEncryptionConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:GetBucketLogging",
  "s3:GetBucketPublicAccessBlock",
  "s3:GetBucketOwnershipControls",
  "s3:GetBucketTagging",
  "glue:GetDatabase",
  "glue:GetDatabases",
  "glue:GetTables",
  "lakeformation:GetDataLakeSettings",
  "lakeformation:ListPermissions",
  "lakeformation:ListResources",
  "lakeformation:DescribeResource",
  "lakeformation:ListLFTags",
  "lakeformation:GetLFTag",
  "lakeformation:GetResourceLFTags",
  "athena:GetWorkGroup",
  "athena:ListWorkGroups",
  "kms:DescribeKey",
  "kms:ListAliases",
  "kms:ListKeys",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "iam:GetRole",
  "iam:GetRolePolicy",
  "iam:ListRoles",
  "iam:ListRolePolicies",
  "iam:ListAttachedRolePolicies",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
  "eks:Describe*",
  "eks:List*",
  // Not Get*: that would include GetCredentials and GetIdentityCenterAuthToken, which hand out database logins.
  "redshift-serverless:GetNamespace",
  "redshift-serverless:GetWorkgroup",
  "redshift-serverless:GetUsageLimit",
  "redshift-serverless:GetSnapshot",
  "redshift-serverless:GetRecoveryPoint",
  "redshift-serverless:GetEndpointAccess",
  "redshift-serverless:GetScheduledAction",
  "redshift-serverless:GetTableRestoreStatus",
  "redshift-serverless:List*",
  "rds:Describe*",
  "kafka:Describe*",
  "kafka:List*",
  "secretsmanager:DescribeSecret",
  "secretsmanager:ListSecrets",
  "states:Describe*",
  "states:List*",
  "lambda:GetFunctionConfiguration",
  "lambda:List*",
  "cloudtrail:LookupEvents",
  "cloudtrail:DescribeTrails",
  "cloudtrail:GetTrailStatus",
  "tag:GetResources",
];

/** Role changes that the permissions boundary conditions on `iam:PermissionsBoundary`. */
export const BOUNDED_ROLE_ACTIONS = [
  "iam:CreateRole",
  "iam:PutRolePermissionsBoundary",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
];
const ROLE_MAINTENANCE = [
  "iam:DeleteRole",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
];

/**
 * Platform admins operate the platform: they see its state and may repair service roles, but only under the
 * platform path and only with the boundary attached. They read no data, cannot assume or pass the roles they
 * create (which would turn role creation into data access), and cannot touch the people roles, whose access
 * changes through code review only. CloudTrail keeps a record of all of it (the boundary forbids stopping it).
 */
export function platformAdminPolicy(input: { accountId: string; prefix: string; boundaryArn: string }): PolicyDocument {
  const roles = `arn:aws:iam::${input.accountId}:role/${input.prefix}/*`;
  const people = `arn:aws:iam::${input.accountId}:role/${input.prefix}/${input.prefix}-*`;
  return doc(
    { Sid: "Operate", Effect: "Allow", Action: OPERATE, Resource: "*" },
    {
      Sid: "ServiceRolesWithBoundary",
      Effect: "Allow",
      Action: BOUNDED_ROLE_ACTIONS,
      Resource: roles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": input.boundaryArn } },
    },
    { Sid: "ServiceRoleMaintenance", Effect: "Allow", Action: ROLE_MAINTENANCE, Resource: roles },
    {
      Sid: "PeopleRolesThroughCodeOnly",
      Effect: "Deny",
      Action: [...BOUNDED_ROLE_ACTIONS, ...ROLE_MAINTENANCE],
      Resource: people,
    },
    { Sid: "NoUsingPlatformRoles", Effect: "Deny", Action: ["sts:AssumeRole", "iam:PassRole"], Resource: roles },
  );
}
