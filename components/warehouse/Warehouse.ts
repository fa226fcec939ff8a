import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { dataTags } from "../core/tags";
import type { Classification, NetworkRefs, PlatformContext, SecurityRefs } from "../core/types";
import { PlatformFunction } from "../functions/function";
import type { WarehouseConfig, WarehouseEngine } from "./config";
import {
  bootstrapInput,
  bootstrapStatements,
  martsDomains,
  WAREHOUSE_CLASSIFICATION,
  WAREHOUSE_CLIENTS,
  WAREHOUSE_PORT,
} from "./documents";
import { auroraPostgres, CopySource, EngineOutput, physicalName, redshiftServerless } from "./engines";
import { loginProblems, WarehouseLogin } from "./logins";
import { martsSchema, renderScripts, scriptsChecksum } from "./scripts";

export interface WarehouseArgs {
  readonly ctx: PlatformContext;
  readonly network: NetworkRefs;
  readonly security: SecurityRefs;
  /** One marts schema is created per domain, except restricted ones (their data stays in the lake). */
  readonly domains: readonly { readonly name: string; readonly classification: Classification }[];
  /** Resolved config (`resolveWarehouseConfig`), already validated (`validateWarehouse`). */
  readonly config: WarehouseConfig;
  /** Retention of the database's log group. @default 30 */
  readonly logRetentionDays?: number;
  /**
   * Service logins (the query engine, BI tools), each a member of one group role. Each gets a generated password
   * in its own Secrets Manager secret (`<prefix>/warehouse/login/<name>`), set by the bootstrap. @default []
   */
  readonly logins?: readonly WarehouseLogin[];
  /**
   * Redshift: the S3 folders its COPY may read, the loaders' staging folders. With any, the namespace gets a COPY
   * role ({@link Warehouse.copyRoleArn}) that reads them and nothing else. Ignored by Aurora. @default []
   */
  readonly copyFrom?: readonly CopySource[];
}

/**
 * The relational warehouse: Redshift Serverless or Aurora PostgreSQL, chosen in config, private, encrypted with
 * the platform's key, TLS-only and audited. At deploy time a function applies the versioned SQL in
 * components/warehouse/sql (schemas `staging` and `marts_<domain>`; roles loader, transformer, bi_reader) and
 * re-applies it exactly when the rendered SQL changes.
 */
export class Warehouse extends pulumi.ComponentResource {
  readonly engine: WarehouseEngine;
  readonly endpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly database: pulumi.Output<string>;
  /** Admin credentials (username, password, host, port, dbname) in Secrets Manager. The password is never an output. */
  readonly adminSecretArn: pulumi.Output<string>;
  /** The database's security group: other components may reference it, not add rules to it. */
  readonly securityGroupId: pulumi.Output<string>;
  /** `marts_<domain>` for every non-restricted domain. */
  readonly martsSchemas: string[];
  /** SHA-256 over the applied scripts: changes exactly when the bootstrap re-runs. */
  readonly sqlChecksum: string;
  /** Dead-letter queues of the warehouse's schedules (Redshift snapshots): Monitoring alarms on their depth. */
  readonly deadLetterQueueNames: pulumi.Output<string>[];
  /** Login name → ARN of its secret (`username`, `password`, `engine`, `host`, `port`, `dbname`). */
  readonly loginSecretArns: Record<string, pulumi.Output<string>>;
  /** Login name → its password (a secret output), for consumers that must embed it, such as Superset's datasources. */
  readonly loginPasswords: Record<string, pulumi.Output<string>>;
  /** Redshift with `copyFrom`: the role its COPY runs as (the namespace's default IAM role). */
  readonly copyRoleArn?: pulumi.Output<string>;

  constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:warehouse:Warehouse", name, {}, opts);
    const { ctx, network, security, config } = args;
    const logins = args.logins ?? [];
    const invalid = loginProblems(logins, config.adminUsername);
    if (invalid.length > 0) throw new Error(`Warehouse ${name}: ${invalid.join("; ")}`);
    const engine = (this.engine = config.engine);
    const port = WAREHOUSE_PORT[engine];
    const keyArn = security.keyArns[WAREHOUSE_CLASSIFICATION];
    const tags = dataTags(ctx, "shared", WAREHOUSE_CLASSIFICATION, { component: "warehouse" });
    const physical = physicalName(ctx);

    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: network.vpcId,
        description: `${physical}: database port from platform workloads only`,
        // Security-group references, never CIDRs: access follows the workload, not an address range.
        ingress: WAREHOUSE_CLIENTS.map((kind) => ({
          protocol: "tcp",
          fromPort: port,
          toPort: port,
          securityGroups: [network.workloadSecurityGroupIds[kind]],
          description: `${kind} workloads`,
        })),
        // Redshift reaches S3 and KMS itself (COPY, UNLOAD, enhanced VPC routing); Aurora initiates nothing.
        egress:
          engine === "redshift-serverless"
            ? [
                {
                  protocol: "tcp",
                  fromPort: 443,
                  toPort: 443,
                  cidrBlocks: ["0.0.0.0/0"],
                  description: "HTTPS to AWS APIs through the VPC",
                },
              ]
            : [],
        revokeRulesOnDelete: true,
        tags: { ...tags, Name: `${physical}-db` },
      },
      { parent: this },
    );

    const credentials = { ctx, keyArn, tags, parent: this as pulumi.Resource, engine, database: config.databaseName };
    const password = generatedPassword(`${name}-admin-password`, this);
    const secret = credentialSecret(
      `${name}-admin`,
      `${ctx.prefix}/warehouse/admin`,
      `Admin credentials of ${physical}; for break-glass and the bootstrap function only`,
      credentials,
      { protect: ctx.protect, retainOnDelete: ctx.retainOnDelete },
    );

    const input = {
      name,
      parent: this,
      ctx,
      network,
      config,
      keyArn,
      permissionsBoundaryArn: security.permissionsBoundaryArn,
      securityGroupId: sg.id,
      adminPassword: password.result,
      tags,
      logRetentionDays: args.logRetentionDays ?? 30,
      copyFrom: args.copyFrom,
    };
    const db: EngineOutput = engine === "redshift-serverless" ? redshiftServerless(input) : auroraPostgres(input);
    this.copyRoleArn = db.copyRoleArn;

    const secretVersion = storeCredentials(
      `${name}-admin`,
      secret,
      config.adminUsername,
      password.result,
      db,
      credentials,
    );

    const loginSecrets = logins.map((login) => {
      const pw = generatedPassword(`${name}-login-${login.name}`, this);
      const loginSecret = credentialSecret(
        `${name}-login-${login.name}`,
        `${ctx.prefix}/warehouse/login/${login.name}`,
        `Warehouse login '${login.name}' (group ${login.role}) for ${login.purpose}`,
        credentials,
      );
      const version = storeCredentials(
        `${name}-login-${login.name}`,
        loginSecret,
        login.name,
        pw.result,
        db,
        credentials,
      );
      return { login, arn: loginSecret.arn, version, password: pw.result };
    });
    this.loginSecretArns = Object.fromEntries(loginSecrets.map((l) => [l.login.name, l.arn]));
    this.loginPasswords = Object.fromEntries(loginSecrets.map((l) => [l.login.name, pulumi.secret(l.password)]));

    // Bootstrap: the rendered SQL travels in the invocation, whose triggers change exactly when the SQL or the
    // function's code does, so it runs on create and on every such change, and never otherwise.
    this.martsSchemas = martsDomains(args.domains).map(martsSchema);
    const scripts = renderScripts(
      engine === "redshift-serverless" ? "redshift" : "postgres",
      martsDomains(args.domains),
    );
    this.sqlChecksum = scriptsChecksum(scripts);
    const fn = new PlatformFunction(
      `${name}-bootstrap`,
      {
        ctx,
        functionName: "warehouse-bootstrap",
        entry: path.join(__dirname, "handlers", "bootstrap.ts"),
        tags,
        statements: pulumi
          .all([
            secret.arn,
            keyArn,
            db.workgroupArn ?? pulumi.output(undefined),
            pulumi.all(loginSecrets.map((l) => l.arn)),
          ])
          .apply(([secretArn, key, workgroupArn, loginSecretArns]) =>
            bootstrapStatements({ engine, region: ctx.region, secretArn, keyArn: key, workgroupArn, loginSecretArns }),
          ),
        permissionsBoundaryArn: security.permissionsBoundaryArn,
        kmsKeyArn: keyArn,
        environment: {
          ADMIN_SECRET_ARN: secret.arn,
          DB_NAME: config.databaseName,
          ...(engine === "aurora-postgresql"
            ? // The Lambda runtime ships the RDS CA bundle here; with it the driver verifies the server certificate.
              { DB_HOST: db.endpoint, DB_PORT: String(port), NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem" }
            : { WORKGROUP_NAME: physical }),
        },
        timeoutSeconds: 300,
        reservedConcurrency: 1,
        logRetentionDays: args.logRetentionDays,
        // Aurora is reached over the VPC as an ingestion workload; Redshift through the Data API, no VPC needed.
        vpc:
          engine === "aurora-postgresql"
            ? { subnetIds: network.privateSubnetIds, securityGroupIds: [network.workloadSecurityGroupIds.ingestion] }
            : undefined,
      },
      { parent: this },
    );
    new aws.lambda.Invocation(
      `${name}-bootstrap`,
      {
        functionName: fn.functionName,
        input: pulumi.all(loginSecrets.map((l) => l.arn)).apply((arns) =>
          bootstrapInput(
            engine,
            scripts,
            logins.map((l, i) => ({ name: l.name, role: l.role, secretArn: arns[i] })),
          ),
        ),
        // A new password version re-runs the bootstrap, which is how a rotated login reaches the database.
        triggers: {
          sql: this.sqlChecksum,
          code: fn.codeHash,
          ...Object.fromEntries(loginSecrets.map((l) => [`login-${l.login.name}`, l.version.versionId])),
        },
      },
      { parent: this, dependsOn: [...db.ready, secretVersion, ...loginSecrets.map((l) => l.version)] },
    );

    this.endpoint = db.endpoint;
    this.port = db.port;
    this.database = pulumi.output(config.databaseName);
    this.adminSecretArn = secret.arn;
    this.securityGroupId = sg.id;
    this.deadLetterQueueNames = db.deadLetterQueueNames ?? [];
    this.registerOutputs({
      engine,
      endpoint: this.endpoint,
      port: this.port,
      database: this.database,
      adminSecretArn: this.adminSecretArn,
      securityGroupId: this.securityGroupId,
      martsSchemas: this.martsSchemas,
      sqlChecksum: this.sqlChecksum,
      loginSecretArns: this.loginSecretArns,
    });
  }
}

/** A password every engine accepts: letters and digits only (no quotes, slashes, @ or spaces). */
function generatedPassword(name: string, parent: pulumi.Resource): random.RandomPassword {
  return new random.RandomPassword(
    name,
    { length: 40, special: false, minUpper: 2, minLower: 2, minNumeric: 2 },
    { parent },
  );
}

interface CredentialContext {
  readonly ctx: PlatformContext;
  readonly keyArn: pulumi.Input<string>;
  readonly tags: Record<string, string>;
  readonly parent: pulumi.Resource;
  readonly engine: WarehouseEngine;
  readonly database: string;
}

/** A Secrets Manager secret for one database user, on the warehouse's key. */
function credentialSecret(
  name: string,
  secretName: string,
  description: string,
  c: CredentialContext,
  opts: pulumi.CustomResourceOptions = {},
): aws.secretsmanager.Secret {
  return new aws.secretsmanager.Secret(
    name,
    {
      name: secretName,
      description,
      kmsKeyId: c.keyArn,
      recoveryWindowInDays: c.ctx.allowDestroyData ? 7 : 30,
      tags: c.tags,
    },
    { ...opts, parent: c.parent },
  );
}

/** The connection document every credential secret holds: what drivers and the External Secrets operator read. */
function storeCredentials(
  name: string,
  secret: aws.secretsmanager.Secret,
  username: string,
  password: pulumi.Output<string>,
  db: EngineOutput,
  c: CredentialContext,
): aws.secretsmanager.SecretVersion {
  const engine = c.engine === "redshift-serverless" ? "redshift" : "postgres";
  return new aws.secretsmanager.SecretVersion(
    name,
    {
      secretId: secret.id,
      secretString: pulumi.secret(
        pulumi
          .all([password, db.endpoint, db.port])
          .apply(([pw, host, port]) =>
            JSON.stringify({ engine, username, password: pw, host, port, dbname: c.database }),
          ),
      ),
    },
    { parent: c.parent },
  );
}
