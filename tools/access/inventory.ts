import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { TableFact, tableFacts } from "./columns";
import { CLASSIFICATIONS, Classification, Zone, ZONES } from "../../components/core/types";
import type { PlannedResource } from "../../policies/engine/args";
import { IAM_ALLOWED_PRINCIPALS } from "../../policies/rules/access";
import { awsState } from "../plan/mocks";
import type { NamedPolicy, PolicyDoc } from "./documents";
import { AWS_MANAGED_STAND_INS } from "./managed";

// What the access evaluator knows about a plan: every policy document that decides access (identity policies,
// boundaries, trust, bucket and key policies), and the Lake Formation grants and tags. Read from the recorded
// resources only; identifiers the engine would return (role names, ARNs) come from the same mock functions the
// plan ran with, so they are exactly what other resources' inputs refer to.

export type { NamedPolicy, PolicyDoc };

export interface RoleFact {
  readonly urn: string;
  /** Pulumi logical name: a stable selector for the access matrix. */
  readonly logicalName: string;
  readonly name: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly trust: PolicyDoc;
  readonly identity: readonly NamedPolicy[];
  readonly boundary?: NamedPolicy & { readonly arn: string };
}

export interface BucketFact {
  readonly logicalName: string;
  readonly name: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly policy?: PolicyDoc;
  /** Default encryption key (SSE-KMS); undefined for SSE-S3 buckets. */
  readonly keyArn?: string;
  /** `data-platform:zone` or `data-platform:bucket-role` tag: raw, curated, analytics, restricted, query-results, access-logs. */
  readonly role?: string;
}

export interface KeyFact {
  readonly arn: string;
  readonly policy: PolicyDoc;
  readonly tags: Readonly<Record<string, string>>;
}

export interface SecretFact {
  readonly name: string;
  readonly arn: string;
  readonly keyArn?: string;
  readonly policy?: PolicyDoc;
}

export interface WorkgroupFact {
  readonly name: string;
  readonly arn: string;
  readonly group?: string;
  readonly outputLocation?: string;
}

/** A Glue database holding one domain's data of one zone. */
export interface DatabaseFact {
  readonly name: string;
  readonly domain: string;
  readonly zone: Zone;
  readonly classification: Classification;
  /** Bucket and key prefix of its location. */
  readonly bucketName: string;
  readonly prefix: string;
  /** LF-tags by their logical name (`domain`, `classification`, `zone`), read from ResourceLfTags. */
  readonly lfTags: Readonly<Record<string, string>>;
}

export type LfResource =
  | {
      readonly kind: "tag-policy";
      readonly resourceType: string;
      readonly expressions: readonly { key: string; values: readonly string[] }[];
    }
  | { readonly kind: "database"; readonly name: string }
  | { readonly kind: "table"; readonly database: string; readonly name?: string }
  | { readonly kind: "other" };

export interface LfGrantFact {
  readonly logicalName: string;
  readonly principal: string;
  readonly permissions: readonly string[];
  readonly grantable: readonly string[];
  readonly resource: LfResource;
}

export interface Inventory {
  readonly accountId: string;
  readonly region: string;
  /** The `environment` tag the plan's roles carry (dev, staging, prod). */
  readonly environment?: string;
  readonly roles: readonly RoleFact[];
  readonly buckets: readonly BucketFact[];
  readonly keys: ReadonlyMap<string, KeyFact>;
  readonly secrets: readonly SecretFact[];
  readonly workgroups: readonly WorkgroupFact[];
  readonly databases: readonly DatabaseFact[];
  /** Glue tables with their columns and column-level LF-tags. */
  readonly tables: readonly TableFact[];
  /** Domains and their classification (the curated zone's database tag). */
  readonly domains: readonly { readonly name: string; readonly classification: Classification }[];
  /** The permissions boundary every platform role should carry (the plan's one boundary policy). */
  readonly boundaryArn?: string;
  /** IAM path of platform roles, e.g. `/acme-data-prod/`. */
  readonly rolePath?: string;
  readonly lf: {
    readonly admins: readonly string[];
    /** New databases/tables get a default grant to IAMAllowedPrincipals (the account default when unset). */
    readonly defaultsToIamAllowed: boolean;
    readonly grants: readonly LfGrantFact[];
    /** Registered location (bucket ARN) → the role Lake Formation reads it with. */
    readonly registrations: ReadonlyMap<string, string>;
  };
}

const T = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policy: "aws:iam/policy:Policy",
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  key: "aws:kms/key:Key",
  secret: "aws:secretsmanager/secret:Secret",
  secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
  workgroup: "aws:athena/workgroup:Workgroup",
  database: "aws:glue/catalogDatabase:CatalogDatabase",
  lfSettings: "aws:lakeformation/dataLakeSettings:DataLakeSettings",
  lfPermissions: "aws:lakeformation/permissions:Permissions",
  lfResource: "aws:lakeformation/resource:Resource",
  lfTags: "aws:lakeformation/resourceLfTags:ResourceLfTags",
} as const;

export function parseDoc(value: unknown, what: string): PolicyDoc {
  const parsed = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (!parsed || typeof parsed !== "object") throw new Error(`${what}: no policy document`);
  const st = (parsed as { Statement?: unknown }).Statement;
  return { ...(parsed as object), Statement: (Array.isArray(st) ? st : st ? [st] : []) as Record<string, unknown>[] };
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const tagsOf = (r: PlannedResource): Record<string, string> =>
  r.inputs.tags && typeof r.inputs.tags === "object" ? (r.inputs.tags as Record<string, string>) : {};

/** Outputs the mock engine returned for a recorded resource (deterministic: same function, same inputs). */
function outputs(r: PlannedResource, region: string): Record<string, unknown> {
  const args = {
    type: r.type,
    name: r.name,
    inputs: r.inputs,
    provider: r.provider,
    custom: r.custom,
  } as unknown as MockResourceArgs;
  return { id: awsState(args, region).id, ...awsState(args, region).state };
}

/** Region and account, from the ARN of the first KMS key a bucket is encrypted with. */
function placeOf(resources: readonly PlannedResource[]): { region: string; accountId: string } {
  for (const r of resources) {
    if (r.type !== T.sse) continue;
    const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\//.exec(
      JSON.stringify(r.inputs).match(/arn:aws[a-z-]*:kms:[^"]+/)?.[0] ?? "",
    );
    if (m) return { region: m[1], accountId: m[2] };
  }
  throw new Error("access inventory: the plan has no KMS-encrypted bucket to learn the region and account from");
}

export function buildInventory(resources: readonly PlannedResource[]): Inventory {
  const custom = resources.filter((r) => r.custom);
  const { region, accountId } = placeOf(custom);
  // Indexed once by type, and policies and attachments by role name: a role's documents are found in constant
  // time, so the inventory grows linearly with the plan.
  const byType = new Map<string, PlannedResource[]>();
  for (const r of custom) {
    const same = byType.get(r.type);
    if (same) same.push(r);
    else byType.set(r.type, [r]);
  }
  const of = (type: string): readonly PlannedResource[] => byType.get(type) ?? [];
  const byInput = (type: string, input: string) => {
    const index = new Map<unknown, PlannedResource[]>();
    for (const r of of(type)) {
      const same = index.get(r.inputs[input]);
      if (same) same.push(r);
      else index.set(r.inputs[input], [r]);
    }
    return (value: unknown): readonly PlannedResource[] => index.get(value) ?? [];
  };
  const policiesOfRole = byInput(T.rolePolicy, "role");
  const attachmentsOfRole = byInput(T.attachment, "role");
  const bucketPolicies = byInput(T.bucketPolicy, "bucket");
  const bucketEncryption = byInput(T.sse, "bucket");
  const secretPolicies = byInput(T.secretPolicy, "secretArn");

  const managed = new Map(
    of(T.policy).map((p) => [
      String(outputs(p, region).arn),
      { name: String(outputs(p, region).name), doc: parseDoc(p.inputs.policy, p.name) },
    ]),
  );
  const boundaryEntry = [...managed].find(([, p]) => p.name.endsWith("-permissions-boundary"));

  const roles: RoleFact[] = of(T.role).map((r) => {
    const out = outputs(r, region);
    const name = String(out.name);
    const inline = policiesOfRole(name).map((p) => ({
      name: str(p.inputs.name) ?? p.name,
      doc: parseDoc(p.inputs.policy, p.name),
    }));
    const embedded = ((r.inputs.inlinePolicies as { name?: string; policy?: string }[] | undefined) ?? [])
      .filter((p) => p.policy)
      .map((p, i) => ({ name: p.name ?? `inline-${i}`, doc: parseDoc(p.policy, r.name) }));
    const attachedArns = [
      ...attachmentsOfRole(name).map((a) => String(a.inputs.policyArn)),
      ...((r.inputs.managedPolicyArns as string[] | undefined) ?? []),
    ];
    const attached = attachedArns.map((arn) => {
      const m = managed.get(arn) ?? AWS_MANAGED_STAND_INS[arn];
      // Loud, not lenient: an unknown AWS-managed policy's document is not in the plan, so nothing about this role could be proven.
      if (!m)
        throw new Error(
          `role '${r.name}' has policy ${arn} attached whose document is not in the plan; the access matrix cannot evaluate it`,
        );
      return m;
    });
    const boundaryArn = str(r.inputs.permissionsBoundary);
    const boundary = boundaryArn ? managed.get(boundaryArn) : undefined;
    if (boundaryArn && !boundary)
      throw new Error(`role '${r.name}' carries boundary ${boundaryArn}, which is not in the plan`);
    return {
      urn: r.urn,
      logicalName: r.name,
      name,
      arn: String(out.arn),
      tags: tagsOf(r),
      trust: parseDoc(r.inputs.assumeRolePolicy, `${r.name} trust`),
      identity: [...inline, ...embedded, ...attached],
      boundary: boundary && boundaryArn ? { ...boundary, arn: boundaryArn } : undefined,
    };
  });

  const keys = new Map<string, KeyFact>(
    of(T.key).map((k) => [
      String(outputs(k, region).arn),
      { arn: String(outputs(k, region).arn), policy: parseDoc(k.inputs.policy, k.name), tags: tagsOf(k) },
    ]),
  );

  const buckets: BucketFact[] = of(T.bucket).map((b) => {
    const name = String(b.inputs.bucket);
    const policy = bucketPolicies(name)[0];
    const sse = bucketEncryption(name)[0];
    const rule = (
      sse?.inputs.rules as { applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: string } }[] | undefined
    )?.[0];
    const tags = tagsOf(b);
    return {
      logicalName: b.name,
      name,
      arn: `arn:aws:s3:::${name}`,
      tags,
      policy: policy ? parseDoc(policy.inputs.policy, policy.name) : undefined,
      keyArn: rule?.applyServerSideEncryptionByDefault?.kmsMasterKeyId,
      role: tags["data-platform:zone"] ?? tags["data-platform:bucket-role"],
    };
  });

  const secrets: SecretFact[] = of(T.secret).map((s) => {
    const arn = String(outputs(s, region).arn);
    const policy = secretPolicies(arn)[0];
    return {
      name: String(s.inputs.name ?? outputs(s, region).name),
      arn,
      keyArn: str(s.inputs.kmsKeyId),
      policy: policy ? parseDoc(policy.inputs.policy, policy.name) : undefined,
    };
  });

  const workgroups: WorkgroupFact[] = of(T.workgroup).map((w) => ({
    name: String(w.inputs.name),
    arn: String(outputs(w, region).arn),
    group: tagsOf(w)["data-platform:workgroup"],
    outputLocation: str(
      (w.inputs.configuration as { resultConfiguration?: { outputLocation?: string } } | undefined)?.resultConfiguration
        ?.outputLocation,
    ),
  }));

  // LF-tag values per database; keys are read back to their logical name (the part after the prefix).
  const lfTagsByDb = new Map<string, Record<string, string>>();
  for (const t of of(T.lfTags)) {
    const db = str((t.inputs.database as { name?: string } | undefined)?.name);
    if (!db) continue;
    const tags = lfTagsByDb.get(db) ?? {};
    for (const { key, value } of (t.inputs.lfTags as { key: string; value: string }[]) ?? [])
      tags[logicalTagKey(key)] = value;
    lfTagsByDb.set(db, tags);
  }
  const databases: DatabaseFact[] = of(T.database).flatMap((d) => {
    const tags = tagsOf(d);
    const zone = tags["data-platform:zone"] as Zone;
    const classification = tags["data-classification"] as Classification;
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(String(d.inputs.locationUri ?? ""));
    if (!ZONES.includes(zone) || !CLASSIFICATIONS.includes(classification) || !m) return [];
    return [
      {
        name: String(d.inputs.name),
        domain: tags["data-domain"],
        zone,
        classification,
        bucketName: m[1],
        prefix: m[2],
        lfTags: lfTagsByDb.get(String(d.inputs.name)) ?? {},
      },
    ];
  });
  const domains = [...new Set(databases.map((d) => d.domain))].map((name) => ({
    name,
    classification:
      databases.find((d) => d.domain === name && d.zone === "curated")?.classification ??
      databases.find((d) => d.domain === name)!.classification,
  }));

  const settings = of(T.lfSettings)[0];
  const grants: LfGrantFact[] = of(T.lfPermissions).map((g) => ({
    logicalName: g.name,
    principal: String(g.inputs.principal),
    permissions: (g.inputs.permissions as string[]) ?? [],
    grantable: (g.inputs.permissionsWithGrantOptions as string[] | undefined) ?? [],
    resource: lfResource(g.inputs),
  }));
  const defaultGrant = (v: unknown) =>
    v === undefined ||
    (Array.isArray(v) && v.some((p) => (p as { principal?: string }).principal === IAM_ALLOWED_PRINCIPALS));

  return {
    accountId,
    region,
    environment: roles.map((r) => r.tags["environment"]).find((e) => e !== undefined),
    roles,
    buckets,
    keys,
    secrets,
    workgroups,
    databases,
    tables: tableFacts(custom, logicalTagKey),
    domains,
    boundaryArn: boundaryEntry?.[0],
    rolePath: roles
      .map((r) => /^arn:aws[a-z-]*:iam::\d{12}:role(\/.+\/)[^/]+$/.exec(r.arn)?.[1])
      .find((p) => p !== undefined),
    lf: {
      admins: (settings?.inputs.admins as string[] | undefined) ?? [],
      defaultsToIamAllowed: settings
        ? defaultGrant(settings.inputs.createDatabaseDefaultPermissions) ||
          defaultGrant(settings.inputs.createTableDefaultPermissions)
        : true,
      grants,
      registrations: new Map(of(T.lfResource).map((r) => [String(r.inputs.arn), String(r.inputs.roleArn)])),
    },
  };
}

/** `acme-data-prod:domain` → `domain`; keys without a prefix are kept as they are. */
export function logicalTagKey(key: string): string {
  return key.includes(":") ? key.slice(key.lastIndexOf(":") + 1) : key;
}

function lfResource(inputs: Record<string, unknown>): LfResource {
  const policy = inputs.lfTagPolicy as
    { resourceType?: string; expressions?: { key: string; values: string[] }[] } | undefined;
  if (policy)
    return {
      kind: "tag-policy",
      resourceType: String(policy.resourceType),
      expressions: (policy.expressions ?? []).map((e) => ({ key: logicalTagKey(e.key), values: e.values })),
    };
  const table = (inputs.table ?? inputs.tableWithColumns) as { databaseName?: string; name?: string } | undefined;
  if (table?.databaseName) return { kind: "table", database: table.databaseName, name: table.name };
  const db = inputs.database as { name?: string } | undefined;
  if (db?.name) return { kind: "database", name: db.name };
  return { kind: "other" };
}
