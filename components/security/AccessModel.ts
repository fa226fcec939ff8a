import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platformRole, PolicyDocument } from "../core/iam";
import { baseTags } from "../core/tags";
import type { ZoneRefs } from "../lake/DataLake";
import { Classification, CLASSIFICATIONS, PlatformContext, TAG, Zone, ZONES } from "../core/types";
import { AccessConfig, Persona, personaRoleName } from "./config";
import { RESTRICTED_CLEARANCE_TAG } from "./documents";
import {
  analystPolicy,
  dataEngineerPolicy,
  LakeFacts,
  personaTrust,
  platformAdminPolicy,
  stewardPolicy,
} from "./personas";
import {
  databaseLfTags,
  LF_TAGS,
  LfTagGrant,
  LfTagKeyGrant,
  lfTagKey,
  LfTagName,
  PersonaKey,
  personaGrants,
} from "./lake-formation";

/** Tag on every persona role; the access matrix selects roles by it. */
export const PERSONA_TAG = "data-platform:persona";

type ZoneInput = Pick<ZoneRefs, "bucketArn" | "keyArn" | "classification">;

/** What the access model reads from the lake (DataLake satisfies it). */
export interface AccessLakeRefs {
  readonly zones: Record<Zone, ZoneInput>;
  readonly restricted?: ZoneInput;
  /** `<domain>_<zone>` → Glue database name. */
  readonly databases: Record<string, pulumi.Input<string>>;
}

/** Lake Formation grants for a service role, by the same tag expressions as the personas'. */
export interface ServiceGrant {
  /** Short, unique name; resource names derive from it. */
  readonly name: string;
  readonly principalArn: pulumi.Input<string>;
  readonly grants: readonly LfTagGrant[];
}

export interface AccessModelArgs {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  readonly permissionsBoundaryArn: pulumi.Input<string>;
  readonly lake: AccessLakeRefs;
  readonly domains: readonly { readonly name: string; readonly classification: Classification }[];
  /** Resolved `access` config section (`resolveAccessConfig`), already validated. */
  readonly config: AccessConfig;
  /** Service roles (warehouse loader, Spark, query engine, …) granted by tag expression. @default [] */
  readonly serviceGrants?: readonly ServiceGrant[];
}

/** A persona role as other components attach to it (BiAccess grants its workgroups to these). */
export interface PersonaRole {
  readonly persona: Persona;
  readonly domain?: string;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
}

/**
 * The people side of the security model: a role per persona (platform admin, data engineer, analyst, a steward
 * per domain), each under the permissions boundary and the platform path, assumable only by the principals the
 * config lists; Lake Formation tags on every Glue database and grants by tag expression, so classification —
 * not a list of tables — decides who reads what.
 */
export class AccessModel extends pulumi.ComponentResource {
  /** Keyed `platform-admin`, `data-engineer`, `analyst`, `steward:<domain>`. */
  readonly roles: Record<PersonaKey, PersonaRole>;
  /** Physical LF-tag keys by tag. */
  readonly lfTagKeys: Record<LfTagName, string>;

  constructor(name: string, args: AccessModelArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:security:AccessModel", name, {}, opts);
    const { ctx, config, domains } = args;
    const p = { parent: this };
    const accountId = pulumi.output(args.accountId);
    const lake: pulumi.Output<LakeFacts> = pulumi
      .all([
        accountId,
        pulumi.all(ZONES.map((z) => pulumi.all([args.lake.zones[z].bucketArn, args.lake.zones[z].keyArn]))),
        args.lake.restricted ? pulumi.all([args.lake.restricted.bucketArn, args.lake.restricted.keyArn]) : undefined,
      ])
      .apply(([account, zones, restricted]) => ({
        accountId: account,
        region: ctx.region,
        prefix: ctx.prefix,
        zones: Object.fromEntries(
          ZONES.map((z, i) => [
            z,
            { bucketArn: zones[i][0], keyArn: zones[i][1], classification: args.lake.zones[z].classification },
          ]),
        ) as LakeFacts["zones"],
        restricted: restricted ? { bucketArn: restricted[0], keyArn: restricted[1] } : undefined,
        domains,
      }));

    const personas: {
      key: PersonaKey;
      persona: Persona;
      domain?: string;
      principals: readonly string[];
      cleared: boolean;
      policy: pulumi.Output<PolicyDocument>;
      description: string;
    }[] = [
      {
        key: "platform-admin",
        persona: "platform-admin",
        principals: config.principals.platformAdmin,
        cleared: false,
        description: "Operates the platform; reads no data",
        policy: pulumi
          .all([accountId, args.permissionsBoundaryArn])
          .apply(([a, b]) => platformAdminPolicy({ accountId: a, prefix: ctx.prefix, boundaryArn: b })),
      },
      {
        key: "data-engineer",
        persona: "data-engineer",
        principals: config.principals.dataEngineer,
        cleared: config.restrictedReaders.includes("data-engineer"),
        description: "Builds and repairs pipelines",
        policy: lake.apply((l) => dataEngineerPolicy(l, config.restrictedReaders.includes("data-engineer"))),
      },
      {
        key: "analyst",
        persona: "analyst",
        principals: config.principals.analyst,
        cleared: false,
        description: "Self-service analytics through BI tools and Athena",
        policy: lake.apply((l) => analystPolicy(l, config.analystClearance)),
      },
      ...domains.map((d) => ({
        key: `steward:${d.name}` as PersonaKey,
        persona: "steward" as const,
        domain: d.name,
        principals: config.stewards[d.name] ?? [],
        cleared: d.classification === "restricted" && config.restrictedReaders.includes("steward"),
        description: `Data steward of the ${d.name} domain`,
        policy: lake.apply((l) => stewardPolicy(l, d.name)),
      })),
    ];

    const roles = {} as Record<PersonaKey, PersonaRole>;
    for (const s of personas) {
      const roleName = s.domain
        ? personaRoleName(ctx.prefix, "steward", s.domain)
        : personaRoleName(ctx.prefix, s.persona as Exclude<Persona, "steward">);
      const { role } = platformRole(
        `${name}-${s.key.replace(":", "-")}`,
        {
          ctx,
          roleName,
          description: `${ctx.prefix}: ${s.description}`,
          permissionsBoundaryArn: args.permissionsBoundaryArn,
          assumeRolePolicy: accountId.apply((a) => personaTrust({ accountId: a, principals: s.principals })),
          policy: s.policy,
          // Sessions assumed from another role (Identity Center) are capped at one hour by STS whatever this says.
          maxSessionDurationSeconds: config.sessionHours * 3600,
          tags: baseTags(ctx, "access", {
            [PERSONA_TAG]: s.persona,
            ...(s.domain ? { [TAG.dataDomain]: s.domain } : {}),
            ...(s.cleared ? { [RESTRICTED_CLEARANCE_TAG]: "restricted" } : {}),
          }),
        },
        p,
      );
      roles[s.key] = { persona: s.persona, domain: s.domain, name: role.name, arn: role.arn };
    }
    this.roles = roles;

    // LF-tags and their values, then the tags on every database (tables inherit them).
    const values: Record<LfTagName, string[]> = {
      domain: domains.map((d) => d.name),
      classification: [...CLASSIFICATIONS],
      zone: [...ZONES],
    };
    this.lfTagKeys = Object.fromEntries(LF_TAGS.map((t) => [t, lfTagKey(ctx.prefix, t)])) as Record<LfTagName, string>;
    const tags = LF_TAGS.map(
      (t) => new aws.lakeformation.LfTag(`${name}-${t}`, { key: this.lfTagKeys[t], values: values[t] }, p),
    );
    const afterTags = { parent: this, dependsOn: tags };
    const zoneClassifications = {
      zones: Object.fromEntries(ZONES.map((z) => [z, { classification: args.lake.zones[z].classification }])),
    } as Pick<LakeFacts, "zones">;
    for (const d of domains) {
      for (const z of ZONES) {
        const db = args.lake.databases[`${d.name}_${z}`];
        if (db === undefined) throw new Error(`AccessModel: the lake has no database for ${d.name}_${z}`);
        const t = databaseLfTags(zoneClassifications, d, z);
        new aws.lakeformation.ResourceLfTags(
          `${name}-${d.name}-${z}`,
          {
            database: { name: db },
            lfTags: LF_TAGS.map((k) => ({ key: this.lfTagKeys[k], value: t[k] })),
          },
          afterTags,
        );
      }
    }

    const grant = (label: string, principal: pulumi.Input<string>, g: LfTagGrant) =>
      new aws.lakeformation.Permissions(
        `${name}-${label}-${g.id}`,
        {
          principal,
          permissions: [...g.permissions],
          permissionsWithGrantOptions: g.grantable ? [...g.grantable] : undefined,
          lfTagPolicy: {
            resourceType: g.resourceType,
            expressions: Object.entries(g.expression).map(([k, v]) => ({
              key: this.lfTagKeys[k as LfTagName],
              values: [...(v ?? [])],
            })),
          },
        },
        afterTags,
      );
    const keyGrant = (label: string, principal: pulumi.Input<string>, g: LfTagKeyGrant) =>
      new aws.lakeformation.Permissions(
        `${name}-${label}-${g.id}`,
        {
          principal,
          permissions: [...g.permissions],
          permissionsWithGrantOptions: [...g.grantable],
          lfTag: { key: this.lfTagKeys[g.tag], values: [...g.values] },
        },
        afterTags,
      );
    for (const s of personas) {
      const { tags: tagGrants, keys } = personaGrants(s.key, config, domains);
      const label = s.key.replace(":", "-");
      tagGrants.forEach((g) => grant(label, roles[s.key].arn, g));
      keys.forEach((g) => keyGrant(label, roles[s.key].arn, g));
    }
    for (const s of args.serviceGrants ?? []) s.grants.forEach((g) => grant(`svc-${s.name}`, s.principalArn, g));

    this.registerOutputs({
      roleArns: Object.fromEntries(Object.entries(roles).map(([k, r]) => [k, r.arn])),
      lfTagKeys: this.lfTagKeys,
    });
  }
}
