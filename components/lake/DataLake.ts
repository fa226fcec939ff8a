import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { doc, KEY_USE_ACTIONS, platformRole, RESTRICTED_CLEARANCE_TAG, serviceTrust } from "../core/iam";
import { baseTags, dataTags } from "../core/tags";
import { Classification, PlatformContext, SecurityRefs, Zone, ZONES } from "../core/types";
import { SecureBucket } from "./SecureBucket";

export interface LakeDomain {
  readonly name: string;
  readonly classification: Classification;
  readonly owner: string;
  readonly steward: string;
}

export interface DataLakeArgs {
  readonly ctx: PlatformContext;
  readonly security: SecurityRefs;
  readonly accountId: pulumi.Input<string>;
  readonly domains: readonly LakeDomain[];
  /** Classification per zone; each zone's bucket uses that classification's key. @default DEFAULT_ZONE_CLASSIFICATIONS: raw confidential, curated internal, analytics internal */
  readonly zones?: Readonly<Record<Zone, { readonly classification: Classification }>>;
  /** @default false; the dev profile sets true */
  readonly forceDestroy?: boolean;
  /** @default 30 */ readonly rawInfrequentAccessAfterDays?: number;
  /** @default 90 (prod 180) */ readonly rawArchiveAfterDays?: number;
  /** @default 30 (dev 7, prod 90) */ readonly noncurrentVersionExpirationDays?: number;
  /** @default 90 */ readonly accessLogExpirationDays?: number;
  /** @default 30 */ readonly queryResultExpirationDays?: number;
  /** Lake Formation admins besides the deploying identity. @default [] */
  readonly lakeFormationAdmins?: readonly pulumi.Input<string>[];
  /** The identity running `pulumi up` (an IAM role ARN), made a Lake Formation admin so it can manage grants. */
  readonly deployerArn: pulumi.Input<string>;
}

export interface ZoneRefs {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  readonly classification: Classification;
}

/** Zone classifications when none are given: raw data is confidential until curated. */
export const DEFAULT_ZONE_CLASSIFICATIONS: Readonly<Record<Zone, { readonly classification: Classification }>> = {
  raw: { classification: "confidential" },
  curated: { classification: "internal" },
  analytics: { classification: "internal" },
};

/** Glue database name: unique per platform and environment because Glue names are per account and region. */
export function glueDatabaseName(prefix: string, domain: string, zone: Zone): string {
  return `${prefix.replace(/-/g, "_")}_${domain}_${zone}`;
}

/**
 * The lake: raw, curated and analytics zones, an access-log bucket and an Athena results bucket; a Glue database
 * per domain and zone; Lake Formation in charge of permissions (no IAMAllowedPrincipals) over registered locations.
 */
export class DataLake extends pulumi.ComponentResource {
  readonly zones: Record<Zone, ZoneRefs>;
  readonly accessLogBucketName: pulumi.Output<string>;
  readonly queryResultsBucketName: pulumi.Output<string>;
  readonly queryResultsBucketArn: pulumi.Output<string>;
  readonly queryResultsKeyArn: pulumi.Output<string>;
  /** `<domain>_<zone>` → physical Glue database name. */
  readonly databases: Record<string, pulumi.Output<string>>;
  readonly lakeFormationRoleArn: pulumi.Output<string>;
  /** The restricted bucket, present when a domain is classified restricted. */
  readonly restricted?: ZoneRefs;

  constructor(name: string, args: DataLakeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:lake:DataLake", name, {}, opts);
    const { ctx, security } = args;
    const p = { parent: this };
    const accountId = pulumi.output(args.accountId);
    const physical = (purpose: string) => accountId.apply((a) => `${ctx.prefix}-${purpose}-${a}`);

    const logs = new SecureBucket(
      `${name}-access-logs`,
      {
        ctx,
        bucketName: physical("access-logs"),
        tags: baseTags(ctx, "lake", { "data-platform:bucket-role": "access-logs" }),
        lifecycle: {
          noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 30,
          expireAfterDays: args.accessLogExpirationDays ?? 90,
        },
        forceDestroy: args.forceDestroy,
        extraPolicyStatements: (arn) =>
          accountId.apply((account) => [
            {
              Sid: "S3ServerAccessLogDelivery",
              Effect: "Allow" as const,
              Principal: { Service: "logging.s3.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: `${arn}/*`,
              Condition: { StringEquals: { "aws:SourceAccount": account } },
            },
          ]),
      },
      p,
    );
    this.accessLogBucketName = logs.name;

    const zones = {} as Record<Zone, ZoneRefs>;
    const zoneBuckets: SecureBucket[] = [];
    for (const zone of ZONES) {
      const { classification } = (args.zones ?? DEFAULT_ZONE_CLASSIFICATIONS)[zone];
      const keyArn = security.keyArns[classification];
      const bucket = new SecureBucket(
        `${name}-${zone}`,
        {
          ctx,
          bucketName: physical(zone),
          kmsKeyArn: keyArn,
          tags: dataTags(ctx, "shared", classification, { component: "lake", "data-platform:zone": zone }),
          lifecycle: {
            noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 30,
            tiering:
              zone === "raw"
                ? {
                    infrequentAccessAfterDays: args.rawInfrequentAccessAfterDays ?? 30,
                    archiveAfterDays: args.rawArchiveAfterDays ?? 90,
                  }
                : undefined,
          },
          accessLogs: { bucket: logs.name, prefix: `${zone}/` },
          forceDestroy: args.forceDestroy,
        },
        p,
      );
      zoneBuckets.push(bucket);
      zones[zone] = { bucketName: bucket.name, bucketArn: bucket.arn, keyArn, classification };
    }
    this.zones = zones;

    // Query results can hold anything analysts selected, so they get the confidential key, not the results' origin's.
    const results = new SecureBucket(
      `${name}-query-results`,
      {
        ctx,
        bucketName: physical("query-results"),
        kmsKeyArn: security.keyArns.confidential,
        tags: dataTags(ctx, "shared", "confidential", {
          component: "lake",
          "data-platform:bucket-role": "query-results",
        }),
        lifecycle: { noncurrentVersionExpirationDays: 1, expireAfterDays: args.queryResultExpirationDays ?? 30 },
        accessLogs: { bucket: logs.name, prefix: "query-results/" },
        forceDestroy: args.forceDestroy,
      },
      p,
    );
    this.queryResultsBucketName = results.name;
    this.queryResultsBucketArn = results.arn;
    this.queryResultsKeyArn = security.keyArns.confidential;

    // Restricted domains never share a bucket (or key) with less sensitive data: they get their own restricted
    // bucket, with one prefix per zone, so only holders of the restricted key's clearance can read them.
    const restrictedDomains = args.domains.filter((d) => d.classification === "restricted");
    if (restrictedDomains.length > 0) {
      const restricted = new SecureBucket(
        `${name}-restricted`,
        {
          ctx,
          bucketName: physical("restricted"),
          kmsKeyArn: security.keyArns.restricted,
          tags: dataTags(ctx, restrictedDomains.map((d) => d.name).join("."), "restricted", {
            component: "lake",
            "data-platform:zone": "restricted",
          }),
          lifecycle: { noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 30 },
          accessLogs: { bucket: logs.name, prefix: "restricted/" },
          forceDestroy: args.forceDestroy,
        },
        p,
      );
      zoneBuckets.push(restricted);
      this.restricted = {
        bucketName: restricted.name,
        bucketArn: restricted.arn,
        keyArn: security.keyArns.restricted,
        classification: "restricted",
      };
    }
    const locationOf = (domain: LakeDomain, zone: Zone) =>
      domain.classification === "restricted" && this.restricted
        ? pulumi.interpolate`s3://${this.restricted.bucketName}/${zone}/${domain.name}/`
        : pulumi.interpolate`s3://${zones[zone].bucketName}/${domain.name}/`;

    const databases: Record<string, pulumi.Output<string>> = {};
    for (const domain of args.domains) {
      for (const zone of ZONES) {
        const db = new aws.glue.CatalogDatabase(
          `${name}-${domain.name}-${zone}`,
          {
            name: glueDatabaseName(ctx.prefix, domain.name, zone),
            description: `${domain.name} data in the ${zone} zone (owner ${domain.owner}, steward ${domain.steward})`,
            locationUri: locationOf(domain, zone),
            tags: dataTags(
              ctx,
              domain.name,
              zone === "raw"
                ? maxClassification(
                    domain.classification,
                    (args.zones ?? DEFAULT_ZONE_CLASSIFICATIONS).raw.classification,
                  )
                : domain.classification,
              {
                component: "lake",
                "data-platform:zone": zone,
                "data-owner": domain.owner,
                "data-steward": domain.steward,
              },
            ),
          },
          { parent: this, protect: ctx.protect },
        );
        databases[`${domain.name}_${zone}`] = db.name;
      }
    }
    this.databases = databases;

    const registered = [...ZONES.map((z) => zones[z]), ...(this.restricted ? [this.restricted] : [])];
    // Lake Formation reads the zones through its own role: the service-linked role cannot use customer-managed keys.
    const { role: lfRole } = platformRole(
      `${name}-lakeformation`,
      {
        ctx,
        description: "Lake Formation data access to the registered lake locations",
        permissionsBoundaryArn: security.permissionsBoundaryArn,
        assumeRolePolicy: accountId.apply((a) => serviceTrust("lakeformation.amazonaws.com", a)),
        policy: pulumi.all(registered.map((z) => [z.bucketArn, z.keyArn] as const).flat()).apply((arns) => {
          const buckets = arns.filter((_, i) => i % 2 === 0);
          const keys = arns.filter((_, i) => i % 2 === 1);
          return doc(
            {
              Sid: "ZoneObjects",
              Effect: "Allow",
              Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
              Resource: buckets.map((b) => `${b}/*`),
            },
            {
              Sid: "ZoneBuckets",
              Effect: "Allow",
              Action: ["s3:ListBucket", "s3:GetBucketLocation"],
              Resource: buckets,
            },
            {
              Sid: "ZoneKeys",
              Effect: "Allow",
              Action: KEY_USE_ACTIONS,
              Resource: [...new Set(keys)],
              Condition: { StringLike: { "kms:ViaService": `s3.${ctx.region}.amazonaws.com` } },
            },
          );
        }),
        // Lake Formation reads restricted locations for the principals it granted, so its role needs the clearance.
        tags: baseTags(ctx, "lake", this.restricted ? { [RESTRICTED_CLEARANCE_TAG]: "restricted" } : {}),
      },
      p,
    );
    this.lakeFormationRoleArn = lfRole.arn;

    // Empty default permissions turn off IAMAllowedPrincipals: new databases and tables are governed by LF grants only.
    // The settings are one per account and region and every write replaces them whole, so the admins (and read-only
    // admins, trusted owners) already there are read and kept: another stack's or the account team's stay.
    const current = aws.lakeformation.getDataLakeSettingsOutput({}, { parent: this });
    const settings = new aws.lakeformation.DataLakeSettings(
      `${name}-settings`,
      {
        admins: pulumi
          .all([current.admins, args.deployerArn, args.lakeFormationAdmins ?? []])
          .apply(([existing, deployer, admins]) => mergedLakeAdmins(existing, [deployer, ...admins])),
        readOnlyAdmins: current.readOnlyAdmins,
        trustedResourceOwners: current.trustedResourceOwners,
        createDatabaseDefaultPermissions: [],
        createTableDefaultPermissions: [],
        allowExternalDataFiltering: false,
      },
      // Deleting the resource empties the account's admin list, other stacks' included: a destroyed stack leaves it.
      { ...p, retainOnDelete: true },
    );
    registered.forEach((location, i) => {
      const label = i < ZONES.length ? ZONES[i] : "restricted";
      new aws.lakeformation.Resource(
        `${name}-${label}`,
        { arn: location.bucketArn, roleArn: lfRole.arn, hybridAccessEnabled: false },
        { parent: this, dependsOn: [settings, zoneBuckets[i]] },
      );
    });

    this.registerOutputs({
      zones: this.zones,
      accessLogBucketName: this.accessLogBucketName,
      queryResultsBucketName: this.queryResultsBucketName,
      databases: this.databases,
    });
  }
}

/**
 * The admins the settings are written with: those Lake Formation already has, then the platform's, without
 * duplicates. Admins are only ever added; one the platform no longer names is removed in Lake Formation itself.
 */
export function mergedLakeAdmins(existing: readonly string[] | undefined, platform: readonly string[]): string[] {
  return [...new Set([...(existing ?? []), ...platform])];
}

const ORDER: readonly Classification[] = ["public", "internal", "confidential", "restricted"];
/** The stricter of two classifications: raw data is at least as sensitive as the zone says. */
export function maxClassification(a: Classification, b: Classification): Classification {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}
