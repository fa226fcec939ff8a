import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platformRole, PolicyDocument, RESTRICTED_CLEARANCE_TAG } from "../core/iam";
import type { PlatformContext, Tags, Zone } from "../core/types";
import { podIdentityTrust } from "./identity";

// The resources behind a workload's identity: an EKS Pod Identity role per service account, and the Lake Formation
// grants its catalog access needs (the lake turns IAMAllowedPrincipals off, so IAM alone does not reach tables).

/** The EKS side of a cluster; absent for a cluster you bring, where identities come from your own mechanism. */
export interface EksRefs {
  readonly clusterName: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
}

export interface PodIdentityArgs {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  readonly eks: EksRefs;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly policy: pulumi.Input<PolicyDocument>;
  readonly description: string;
  readonly tags: Tags;
  /** Admits the role to the restricted key (restricted domains only). */
  readonly restrictedClearance?: boolean;
}

/** A role under the permissions boundary, trusted by Pod Identity for one service account, and its association. */
export function podIdentity(
  name: string,
  args: PodIdentityArgs,
  opts: pulumi.CustomResourceOptions,
): { role: aws.iam.Role; association: aws.eks.PodIdentityAssociation } {
  const tags = args.restrictedClearance ? { ...args.tags, [RESTRICTED_CLEARANCE_TAG]: "restricted" } : args.tags;
  const { role } = platformRole(
    name,
    {
      ctx: args.ctx,
      description: args.description,
      permissionsBoundaryArn: args.permissionsBoundaryArn,
      assumeRolePolicy: pulumi
        .all([args.accountId, args.eks.clusterArn])
        .apply(([account, cluster]) => podIdentityTrust(account, cluster)),
      policy: args.policy,
      tags,
    },
    opts,
  );
  const association = new aws.eks.PodIdentityAssociation(
    name,
    {
      clusterName: args.eks.clusterName,
      namespace: args.namespace,
      serviceAccount: args.serviceAccount,
      roleArn: role.arn,
      tags: args.tags,
    },
    opts,
  );
  return { role, association };
}

// ---------------------------------------------------------------------------------------------------------------
// Lake Formation: the lake turns IAMAllowedPrincipals off, so catalog access needs explicit grants besides IAM.

/** One Lake Formation grant, keyed by the lake's `<domain>_<zone>` database key or a data location. */
export interface LakeFormationGrant {
  readonly id: string;
  readonly permissions: readonly string[];
  readonly database?: string;
  readonly tablesOf?: string;
  /** A zone's bucket, or the restricted bucket. */
  readonly dataLocation?: Zone | "restricted";
}

/** A domain's database in one zone; restricted domains live in the restricted bucket. */
export interface DomainZone {
  readonly domain: string;
  readonly zone: Zone;
  readonly restricted?: boolean;
}

const TABLE_READ = ["SELECT", "DESCRIBE"];
const TABLE_WRITE = ["SELECT", "DESCRIBE", "INSERT", "DELETE", "ALTER", "DROP"];

/**
 * Grants mirroring the IAM scope: DESCRIBE on read databases and SELECT on their tables; CREATE_TABLE plus table
 * writes on write databases and data-location access to the written zones. Keys are `<domain>_<zone>`.
 */
export function lakeFormationGrants(reads: readonly DomainZone[], writes: readonly DomainZone[]): LakeFormationGrant[] {
  const key = (d: DomainZone) => `${d.domain}_${d.zone}`;
  const writeKeys = new Set(writes.map(key));
  const grants: LakeFormationGrant[] = [];
  for (const r of reads.filter((r) => !writeKeys.has(key(r)))) {
    grants.push(
      { id: `${key(r)}-db`, permissions: ["DESCRIBE"], database: key(r) },
      { id: `${key(r)}-tables`, permissions: TABLE_READ, tablesOf: key(r) },
    );
  }
  for (const w of writes) {
    grants.push(
      { id: `${key(w)}-db`, permissions: ["DESCRIBE", "CREATE_TABLE"], database: key(w) },
      { id: `${key(w)}-tables`, permissions: TABLE_WRITE, tablesOf: key(w) },
    );
  }
  for (const location of new Set(writes.map((w) => (w.restricted ? "restricted" : w.zone)))) {
    grants.push({ id: `${location}-location`, permissions: ["DATA_LOCATION_ACCESS"], dataLocation: location });
  }
  return grants;
}

/** Creates the grants for a role; databases come from the lake (an Output), so grants wait for them to exist. */
export function createLakeFormationGrants(
  name: string,
  principal: pulumi.Input<string>,
  grants: readonly LakeFormationGrant[],
  lake: {
    databases: Record<string, pulumi.Input<string>>;
    bucketArn: (location: Zone | "restricted") => pulumi.Input<string> | undefined;
  },
  opts: pulumi.CustomResourceOptions,
): aws.lakeformation.Permissions[] {
  return grants.flatMap((g) => {
    const db = g.database ?? g.tablesOf;
    if (db !== undefined && lake.databases[db] === undefined) return [];
    const location = g.dataLocation ? lake.bucketArn(g.dataLocation) : undefined;
    if (g.dataLocation && location === undefined) return [];
    return [
      new aws.lakeformation.Permissions(
        `${name}-${g.id}`,
        {
          principal,
          permissions: [...g.permissions],
          database: g.database ? { name: lake.databases[g.database] } : undefined,
          table: g.tablesOf ? { databaseName: lake.databases[g.tablesOf], wildcard: true } : undefined,
          dataLocation: location ? { arn: location } : undefined,
        },
        opts,
      ),
    ];
  });
}
