import { lakeFormationAllows } from "./lakeformation";
import type { BucketFact, DatabaseFact, Inventory, PolicyDoc, RoleFact, SecretFact, WorkgroupFact } from "./inventory";
import { Decision, Principal, Simulator } from "./simulate";

// Access questions as people ask them ("can the analyst read raw sales data?"), answered as AWS would: each verb
// becomes the IAM requests the real call makes (S3 and then KMS through S3; Athena through Lake Formation's
// vended credentials), and every one of them must be allowed by identity policy, boundary and resource policy.

export type Target =
  | { readonly kind: "data"; readonly db: DatabaseFact; readonly bucket: BucketFact; readonly label: string }
  | { readonly kind: "object"; readonly bucket: BucketFact; readonly key: string; readonly label: string }
  | { readonly kind: "workgroup"; readonly workgroup: WorkgroupFact; readonly label: string }
  | { readonly kind: "secret"; readonly secret: SecretFact; readonly label: string }
  | { readonly kind: "role"; readonly role: RoleFact; readonly label: string }
  | {
      readonly kind: "arn";
      readonly arn: string;
      readonly context?: Readonly<Record<string, string>>;
      readonly label: string;
    };

export interface Options {
  /** The request arrives over TLS. @default true */
  readonly tls?: boolean;
}

export interface Verdict {
  readonly allowed: boolean;
  /** Which way access was possible (or the first way that was refused). */
  readonly via: "direct" | "lake-formation" | "iam";
  readonly why: string;
  /** Set when access holds only below the database's prefix (e.g. one ingestion source's folder): that sub-prefix. */
  readonly within?: string;
}

/** The verbs rows use besides raw IAM actions (`service:Action`). */
export const VERBS = ["read", "write", "grant", "use", "assume"] as const;
export type Verb = (typeof VERBS)[number];

const objectArn = (b: BucketFact, key: string) => `${b.arn}/${key}`;
/** A representative object of a database's location (any key under the prefix is decided the same way). */
const sampleKey = (db: DatabaseFact) => `${db.prefix}part-00000.parquet`;

// Per role, the folders its identity policies name as S3 object resources, by bucket ARN: read once per role, so
// probing every database of the lake does not re-read every statement each time.
const namedFolders = new WeakMap<RoleFact, Map<string, Set<string>>>();

function foldersOf(role: RoleFact): Map<string, Set<string>> {
  let byBucket = namedFolders.get(role);
  if (byBucket) return byBucket;
  byBucket = new Map();
  for (const policy of role.identity) {
    for (const st of policy.doc.Statement) {
      for (const r of [st["Resource"]].flat()) {
        if (typeof r !== "string" || !r.startsWith("arn:aws:s3:::")) continue;
        const slash = r.indexOf("/");
        if (slash < 0) continue;
        const key = r.slice(slash + 1);
        const folder = key.slice(0, key.search(/[*?]|$/)).replace(/[^/]*$/, "");
        const bucketArn = r.slice(0, slash);
        const set = byBucket.get(bucketArn) ?? new Set<string>();
        set.add(folder);
        byBucket.set(bucketArn, set);
      }
    }
  }
  namedFolders.set(role, byBucket);
  return byBucket;
}

/** Folders strictly below `prefix` in `bucket` that the role's identity policies name as S3 object resources. */
export function subPrefixes(role: RoleFact, bucket: BucketFact, prefix: string): string[] {
  const folders = foldersOf(role).get(bucket.arn);
  if (!folders) return [];
  return [...folders].filter((f) => f.startsWith(prefix) && f.length > prefix.length).sort();
}

export class AccessEvaluator {
  readonly sim: Simulator;
  private readonly buckets: ReadonlyMap<string, BucketFact>;
  private readonly roles: ReadonlyMap<string, RoleFact>;

  constructor(
    readonly inv: Inventory,
    sim?: Simulator,
  ) {
    this.sim = sim ?? new Simulator(inv);
    this.buckets = new Map(inv.buckets.map((b) => [b.name, b]));
    this.roles = new Map(inv.roles.map((r) => [r.arn, r]));
  }

  bucket(name: string): BucketFact {
    const b = this.buckets.get(name);
    if (!b) throw new Error(`bucket ${name} is not in the plan`);
    return b;
  }

  role(arn: string): RoleFact | undefined {
    return this.roles.get(arn);
  }

  /** Can `p` do `action` (a verb, or a raw IAM action) on the target? */
  async can(p: Principal, action: string, target: Target, opts: Options = {}): Promise<Verdict> {
    const tls = opts.tls ?? true;
    switch (action) {
      case "read":
      case "write":
        if (target.kind === "data") return this.dataAccess(p, action, target.db, target.bucket, tls);
        if (target.kind === "object") return this.direct(p, action, target.bucket, target.key, tls);
        if (target.kind === "secret" && action === "read") return this.readSecret(p, target.secret);
        break;
      case "grant":
        if (target.kind === "data") return this.grant(p, target.db);
        break;
      case "use":
        if (target.kind === "workgroup")
          return iam(
            await this.sim.decide({
              principal: p,
              action: "athena:StartQueryExecution",
              resource: target.workgroup.arn,
            }),
          );
        break;
      case "assume":
        if (target.kind === "role")
          return iam(
            await this.sim.decide({
              principal: p,
              action: "sts:AssumeRole",
              resource: target.role.arn,
              resourcePolicy: target.role.trust,
            }),
          );
        break;
      default:
        if (/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(action)) return this.raw(p, action, target, tls);
    }
    throw new Error(`'${action}' does not apply to a ${target.kind} target (${target.label})`);
  }

  /** Lake data: directly through S3, or as Athena does, through Lake Formation's vended credentials. */
  private async dataAccess(
    p: Principal,
    verb: "read" | "write",
    db: DatabaseFact,
    bucket: BucketFact,
    tls: boolean,
  ): Promise<Verdict> {
    const direct = await this.direct(p, verb, bucket, sampleKey(db), tls);
    if (direct.allowed) return direct;
    // A role may reach only a folder below the database's prefix (an ingestion source writes its own): probe the
    // sub-prefixes its own policies name, so such access shows as partial instead of as none.
    for (const prefix of p.kind === "role" ? subPrefixes(p.role, bucket, db.prefix) : []) {
      const below = await this.direct(p, verb, bucket, `${prefix}part-00000.parquet`, tls);
      if (below.allowed) return { ...below, within: prefix.slice(db.prefix.length) };
    }
    // Lake Formation, Glue and Athena endpoints accept HTTPS only: without TLS there is no such path.
    if (!tls || p.kind !== "role") return direct;
    const viaLf = await this.throughLakeFormation(p, verb, db, bucket);
    return viaLf.allowed
      ? viaLf
      : { allowed: false, via: "direct", why: `${direct.why}; Lake Formation: ${viaLf.why}` };
  }

  /** S3 request, then the KMS request S3 makes with the caller's credentials for the bucket's key. */
  private async direct(
    p: Principal,
    verb: "read" | "write",
    bucket: BucketFact,
    key: string,
    tls: boolean,
  ): Promise<Verdict> {
    const s3Action = verb === "read" ? "s3:GetObject" : "s3:PutObject";
    const transport: Record<string, string> = tls
      ? { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" }
      : { "aws:SecureTransport": "false" };
    const s3 = await this.sim.decide({
      principal: p,
      action: s3Action,
      resource: objectArn(bucket, key),
      resourcePolicy: bucket.policy,
      context: transport,
    });
    if (!s3.allowed) return { allowed: false, via: "direct", why: `${s3Action}: ${s3.why}` };
    if (!bucket.keyArn) return { allowed: true, via: "direct", why: `${s3Action}: ${s3.why}` };
    const kms = await this.kmsThroughS3(p, verb === "read" ? "kms:Decrypt" : "kms:GenerateDataKey", bucket);
    return {
      allowed: kms.allowed,
      via: "direct",
      why: `${s3Action}: ${s3.why}; ${verb === "read" ? "kms:Decrypt" : "kms:GenerateDataKey"}: ${kms.why}`,
    };
  }

  private kmsThroughS3(p: Principal, action: string, bucket: BucketFact): Promise<Decision> {
    const key = this.inv.keys.get(bucket.keyArn ?? "");
    if (!key) throw new Error(`bucket ${bucket.name} is encrypted with ${bucket.keyArn}, which is not in the plan`);
    // Bucket keys: S3 asks KMS with the bucket ARN as encryption context, on the caller's behalf.
    return this.sim.decide({
      principal: p,
      action,
      resource: key.arn,
      resourcePolicy: key.policy,
      context: {
        "kms:ViaService": `s3.${this.inv.region}.amazonaws.com`,
        "kms:CallerAccount": this.inv.accountId,
        "kms:EncryptionContext:aws:s3:arn": bucket.arn,
        "kms:EncryptionContextKeys": ["aws:s3:arn"],
        "aws:ViaAWSService": "true",
      },
    });
  }

  /**
   * Athena's path: Lake Formation must grant the table permission, IAM must allow asking Lake Formation for
   * credentials and reading the table's definition, and the location's registered role must itself reach the data.
   */
  private async throughLakeFormation(
    p: Principal & { kind: "role" },
    verb: "read" | "write",
    db: DatabaseFact,
    bucket: BucketFact,
  ): Promise<Verdict> {
    const lf = lakeFormationAllows(this.inv, p.role.arn, verb === "read" ? "SELECT" : "INSERT", db);
    if (!lf.allowed) return { allowed: false, via: "lake-formation", why: lf.why };
    const tableArn = `arn:aws:glue:${this.inv.region}:${this.inv.accountId}:table/${db.name}/events`;
    for (const [action, resource] of [
      ["lakeformation:GetDataAccess", "*"],
      ["glue:GetTable", tableArn],
    ] as const) {
      const d = await this.sim.decide({ principal: p, action, resource });
      if (!d.allowed) return { allowed: false, via: "lake-formation", why: `${lf.why}, but ${action}: ${d.why}` };
    }
    const registered = this.inv.lf.registrations.get(bucket.arn);
    const reader = registered ? this.role(registered) : undefined;
    if (!reader)
      return {
        allowed: false,
        via: "lake-formation",
        why: `${lf.why}, but ${bucket.name} is not registered with a role of the plan`,
      };
    const vended = await this.direct({ kind: "role", role: reader }, verb, bucket, sampleKey(db), true);
    return vended.allowed
      ? { allowed: true, via: "lake-formation", why: `${lf.why}; data read by ${reader.logicalName}` }
      : { allowed: false, via: "lake-formation", why: `${lf.why}, but the registered role cannot: ${vended.why}` };
  }

  /** Granting SELECT on a database's tables to someone else: the LF grant API, and a grant option LF holds for the caller. */
  private async grant(p: Principal, db: DatabaseFact): Promise<Verdict> {
    if (p.kind !== "role")
      return { allowed: false, via: "lake-formation", why: "only roles of the plan are evaluated for grants" };
    const api = await this.sim.decide({ principal: p, action: "lakeformation:GrantPermissions", resource: "*" });
    if (!api.allowed) return { allowed: false, via: "iam", why: `lakeformation:GrantPermissions: ${api.why}` };
    const lf = lakeFormationAllows(this.inv, p.role.arn, "SELECT", db, true);
    return { allowed: lf.allowed, via: "lake-formation", why: lf.why };
  }

  private async readSecret(p: Principal, secret: SecretFact): Promise<Verdict> {
    const get = await this.sim.decide({
      principal: p,
      action: "secretsmanager:GetSecretValue",
      resource: secret.arn,
      resourcePolicy: secret.policy,
    });
    if (!get.allowed || !secret.keyArn) return { ...iam(get), why: `secretsmanager:GetSecretValue: ${get.why}` };
    const key = this.inv.keys.get(secret.keyArn);
    if (!key) throw new Error(`secret ${secret.name} is encrypted with ${secret.keyArn}, which is not in the plan`);
    const kms = await this.sim.decide({
      principal: p,
      action: "kms:Decrypt",
      resource: key.arn,
      resourcePolicy: key.policy,
      context: {
        "kms:ViaService": `secretsmanager.${this.inv.region}.amazonaws.com`,
        "kms:CallerAccount": this.inv.accountId,
        "kms:EncryptionContext:SecretARN": secret.arn,
        "kms:EncryptionContextKeys": ["SecretARN"],
        "aws:ViaAWSService": "true",
      },
    });
    return {
      allowed: kms.allowed,
      via: "iam",
      why: `secretsmanager:GetSecretValue: ${get.why}; kms:Decrypt: ${kms.why}`,
    };
  }

  /** Any other IAM action, on the target's ARN with the target's resource policy. */
  private async raw(p: Principal, action: string, target: Target, tls: boolean): Promise<Verdict> {
    const transport = tls ? { "aws:SecureTransport": "true" } : { "aws:SecureTransport": "false" };
    let resource: string;
    let resourcePolicy: PolicyDoc | undefined;
    let context: Record<string, string | string[]> = { ...transport };
    switch (target.kind) {
      case "data":
        resource = objectArn(target.bucket, sampleKey(target.db));
        resourcePolicy = target.bucket.policy;
        break;
      case "object":
        resource = objectArn(target.bucket, target.key);
        resourcePolicy = target.bucket.policy;
        break;
      case "workgroup":
        resource = target.workgroup.arn;
        break;
      case "secret":
        resource = target.secret.arn;
        resourcePolicy = target.secret.policy;
        break;
      case "role":
        resource = target.role.arn;
        resourcePolicy = action.startsWith("sts:") ? target.role.trust : undefined;
        // IAM sets this key to the boundary the changed role carries (and keeps).
        if (target.role.boundary) context = { ...context, "iam:PermissionsBoundary": target.role.boundary.arn };
        break;
      case "arn":
        resource = target.arn;
        context = { ...context, ...target.context };
        break;
    }
    return iam(await this.sim.decide({ principal: p, action, resource, resourcePolicy, context }));
  }
}

const iam = (d: Decision): Verdict => ({ allowed: d.allowed, via: "iam", why: d.why });
