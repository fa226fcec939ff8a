import * as aws from "@pulumi/aws";
import * as k8s from "../compute/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { baseTags } from "../core/tags";
import type { PlatformContext } from "../core/types";
import type { PersonaRole } from "../security/AccessModel";
import type { PersonaKey } from "../security/lake-formation";
import type { WarehouseEngine } from "../warehouse/config";
import type { WarehouseLogin } from "../warehouse/logins";
import type { BiConfig } from "./config";
import {
  athenaJdbcUrl,
  consumerPolicy,
  QueryEngineEndpoint,
  queryEngineConnection,
  warehouseJdbcUrl,
  workgroupConfiguration,
  workgroupName,
} from "./documents";
import { createSuperset, MetadataConnection } from "./superset";

/** The warehouse's read-only group role the BI login is granted (created by the warehouse bootstrap). */
export const BI_READER_ROLE = "bi_reader";

export interface BiAccessArgs {
  readonly ctx: PlatformContext;
  readonly accountId: pulumi.Input<string>;
  /** Resolved `bi` config section (`resolveBiConfig`), already validated. */
  readonly config: BiConfig;
  /** The lake's query-results bucket and its key (DataLake.queryResults*). */
  readonly queryResults: {
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
  };
  /** The persona roles (AccessModel.roles): workgroups and the login secret are granted to them. */
  readonly personas: Readonly<Record<PersonaKey, PersonaRole>>;
  /** KMS key of Superset's secrets and metadata database. */
  readonly secretKeyArn: pulumi.Input<string>;
  /** The warehouse, for its JDBC URL, the BI login and the Superset connection (`biWarehouse`). @default none */
  readonly warehouse?: BiWarehouse;
  /** The query engine's internal endpoint. @default none */
  readonly queryEngine?: {
    readonly engine: "trino" | "presto";
    readonly host: pulumi.Input<string | undefined>;
    readonly port: pulumi.Input<number>;
    readonly tls?: boolean;
    readonly authentication: "password" | "oauth2";
    readonly catalog?: string;
  };
  /** Required when `config.superset.enabled`: the cluster and network it runs in. */
  readonly superset?: {
    readonly provider: k8s.Provider;
    readonly network: {
      readonly vpcId: pulumi.Input<string>;
      readonly privateSubnetIds: pulumi.Input<string>[];
      readonly clientSecurityGroupId: pulumi.Input<string>;
    };
    readonly metadata?: MetadataConnection;
  };
}

/** The warehouse as BI sees it; `login` is the read-only BI login the warehouse created (`biWarehouseLogins`). */
export interface BiWarehouse {
  readonly engine: WarehouseEngine;
  readonly endpoint: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly database: pulumi.Input<string>;
  readonly login?: {
    readonly name: string;
    readonly secretArn: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
  };
}

/** The warehouse logins BI needs: one read-only login (group `bi_reader`) for BI tools, unless turned off. */
export function biWarehouseLogins(config: BiConfig): WarehouseLogin[] {
  return config.warehouseLogin.enabled
    ? [{ name: config.warehouseLogin.username, role: BI_READER_ROLE, purpose: "BI tools" }]
    : [];
}

/** A Warehouse as BiAccess takes it, with the BI login's secret (kept under the warehouse's key). */
export function biWarehouse(
  w: {
    engine: WarehouseEngine;
    endpoint: pulumi.Input<string>;
    port: pulumi.Input<number>;
    database: pulumi.Input<string>;
    loginSecretArns: Record<string, pulumi.Input<string>>;
    loginPasswords: Record<string, pulumi.Input<string>>;
  },
  config: BiConfig,
  keyArn: pulumi.Input<string>,
): BiWarehouse {
  const name = config.warehouseLogin.username;
  const secretArn = w.loginSecretArns[name];
  const password = w.loginPasswords[name];
  return {
    engine: w.engine,
    endpoint: w.endpoint,
    port: w.port,
    database: w.database,
    login: config.warehouseLogin.enabled && secretArn && password ? { name, secretArn, keyArn, password } : undefined,
  };
}

/** How BI tools connect; published as a stack output and in the docs. */
export interface BiConnections {
  readonly athena: Record<string, { readonly workgroup: string; readonly jdbcUrl: string; readonly auth: string }>;
  readonly warehouse?: {
    readonly jdbcUrl: string;
    readonly login: string;
    readonly secretArn: string;
    readonly auth: string;
  };
  readonly queryEngine?: { readonly jdbcUrl: string; readonly auth: string };
}

/**
 * Self-service BI: an Athena workgroup per consumer group with enforced settings (results encrypted under the
 * group's prefix, a per-query scan limit, a pinned engine), the grants that let each persona use its
 * workgroups, a read-only warehouse login whose password lives in Secrets Manager, the connection details BI
 * tools need, and optionally Superset on the cluster.
 */
export class BiAccess extends pulumi.ComponentResource {
  readonly workgroups: Record<string, { readonly name: string; readonly arn: pulumi.Output<string> }>;
  /** What the warehouse bootstrap needs to create the login: its name, the group role, and where its password is. */
  readonly warehouseLogin?: {
    readonly login: string;
    readonly role: typeof BI_READER_ROLE;
    readonly secretArn: pulumi.Output<string>;
  };
  readonly connections: pulumi.Output<BiConnections>;
  readonly supersetRelease?: k8s.HelmRelease;

  constructor(name: string, args: BiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:bi:BiAccess", name, {}, opts);
    const { ctx, config } = args;
    const p = { parent: this };
    const accountId = pulumi.output(args.accountId);

    this.workgroups = {};
    for (const [group, wg] of Object.entries(config.athena.workgroups)) {
      const wgName = workgroupName(ctx.prefix, group);
      const resource = new aws.athena.Workgroup(
        `${name}-${group}`,
        {
          name: wgName,
          description: `${ctx.prefix}: queries of ${wg.personas.join(", ")}`,
          state: "ENABLED",
          forceDestroy: ctx.allowDestroyData,
          configuration: pulumi
            .all([accountId, args.queryResults.bucketName, args.queryResults.keyArn])
            .apply(([account, bucket, key]) =>
              workgroupConfiguration({
                accountId: account,
                resultsBucket: bucket,
                resultsKeyArn: key,
                group,
                engineVersion: config.athena.engineVersion,
                bytesScannedCutoffPerQueryGb: wg.bytesScannedCutoffPerQueryGb,
              }),
            ),
          tags: baseTags(ctx, "bi", { "data-platform:workgroup": group }),
        },
        p,
      );
      this.workgroups[group] = { name: wgName, arn: resource.arn };
    }

    // The BI login lives in the warehouse (created and kept in step by its bootstrap); BI grants and documents it.
    const login = args.warehouse?.login;
    if (login)
      this.warehouseLogin = { login: login.name, role: BI_READER_ROLE, secretArn: pulumi.output(login.secretArn) };

    // Each persona role gets one inline policy covering every workgroup it may use (and the login, if a reader).
    for (const [key, role] of Object.entries(args.personas) as [PersonaKey, PersonaRole][]) {
      const groups = Object.entries(config.athena.workgroups)
        .filter(([, wg]) => wg.personas.includes(role.persona))
        .map(([group]) => ({ group, name: workgroupName(ctx.prefix, group) }));
      const readsSecret = login !== undefined && config.warehouseLogin.readers.includes(role.persona);
      if (groups.length === 0 && !readsSecret) continue;
      new aws.iam.RolePolicy(
        `${name}-${key.replace(":", "-")}`,
        {
          name: "bi-access",
          role: role.name,
          policy: pulumi
            .all([accountId, args.queryResults.bucketArn, args.queryResults.keyArn, login?.secretArn, login?.keyArn])
            .apply(([account, bucketArn, keyArn, secretArn, secretKey]) =>
              JSON.stringify(
                consumerPolicy({
                  region: ctx.region,
                  accountId: account,
                  workgroups: groups,
                  resultsBucketArn: bucketArn,
                  resultsKeyArn: keyArn,
                  secret: readsSecret && secretArn && secretKey ? { arn: secretArn, keyArn: secretKey } : undefined,
                }),
              ),
            ),
        },
        p,
      );
    }

    const q = args.queryEngine;
    const w = args.warehouse;
    this.connections = pulumi
      .all([q?.host, q?.port, w?.endpoint, w?.port, w?.database, login?.secretArn])
      .apply(([qHost, qPort, wHost, wPort, wDb, secretArn]): BiConnections => ({
        athena: Object.fromEntries(
          Object.values(this.workgroups).map((g) => [
            g.name,
            {
              workgroup: g.name,
              jdbcUrl: athenaJdbcUrl(ctx.region, g.name),
              auth: "IAM: assume a persona role; the driver uses the default credential chain",
            },
          ]),
        ),
        warehouse:
          w && wHost && wPort && wDb && secretArn
            ? {
                jdbcUrl: warehouseJdbcUrl(w.engine, wHost, wPort, wDb),
                login: login!.name,
                secretArn,
                auth: "user name and password from the Secrets Manager secret",
              }
            : undefined,
        queryEngine:
          q && qHost && qPort
            ? queryEngineConnection({
                engine: q.engine,
                host: qHost,
                port: qPort,
                tls: q.tls,
                authentication: q.authentication,
                catalog: q.catalog,
              } as QueryEngineEndpoint)
            : undefined,
      }));

    if (config.superset.enabled) {
      if (!args.superset)
        throw new Error("BiAccess: superset is enabled but no Kubernetes provider and network were given");
      const { release } = createSuperset(
        `${name}-superset`,
        {
          ctx,
          config: config.superset,
          provider: args.superset.provider,
          keyArn: args.secretKeyArn,
          network: args.superset.network,
          metadata: args.superset.metadata,
          datasources: pulumi
            .all([q?.host, q?.port, w?.endpoint, w?.port, w?.database, login?.password])
            .apply(([qHost, qPort, wHost, wPort, wDb, pw]) => ({
              queryEngine:
                q && qHost && qPort ? { engine: q.engine, host: qHost, port: qPort, catalog: q.catalog } : undefined,
              warehouse:
                w && login && wHost && wPort && wDb && pw
                  ? { engine: w.engine, host: wHost, port: wPort, database: wDb, username: login.name, password: pw }
                  : undefined,
            })),
        },
        this,
      );
      this.supersetRelease = release;
    }

    this.registerOutputs({
      workgroups: this.workgroups,
      warehouseLogin: this.warehouseLogin,
      connections: this.connections,
    });
  }
}
