// A program that builds ingestion, pipelines and monitoring the way DataPlatform will, from a parsed config, with
// the foundation's outputs stood in by realistic ARNs. Runs under the offline plan's recording mock engine.
import * as pulumi from "@pulumi/pulumi";
import type { Environment, NetworkRefs, PlatformContext, SecurityRefs } from "../../components/core/types";
import { ingestionConfigSchema, IngestionConfig, resolveIngestion, validateIngestion } from "../../components/ingestion/section";
import { Ingestion } from "../../components/ingestion/Ingestion";
import type { LakeRefs, WarehouseRefs } from "../../components/ingestion/types";
import { Monitoring } from "../../components/observability/Monitoring";
import { ACCOUNT_ID } from "../../tools/plan/mocks";
import { runProgram } from "../../tools/plan/run";
import type { PlannedResource } from "../../policies/engine/args";
import { ORDER_SCHEMA } from "./fixtures";

export const REGION = "eu-west-1";
export const key = (c: string) => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${c}-key`;
export const BOUNDARY = `arn:aws:iam::${ACCOUNT_ID}:policy/acme-permissions-boundary`;
export const RAW_BUCKET = "acme-raw-123456789012";
export const ANALYTICS_BUCKET = "acme-analytics-123456789012";
export const WAREHOUSE_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:acme-loader-AbCdEf`;
export const DOMAINS = [{ name: "sales", classification: "confidential" as const }, { name: "marketing", classification: "internal" as const }];

/** One source of every kind, a pipeline, and monitoring: the shape each stack file declares. */
export const CONFIG: unknown = {
  sources: [
    { name: "orders-api", kind: "http", domain: "sales", schema: ORDER_SCHEMA, idField: "order_id", timeField: "created_at" },
    { name: "web-events", kind: "http", domain: "marketing", schema: { type: "object" }, auth: { jwt: { issuer: "https://id.acme.example", audiences: ["ingest"] } }, throttle: { rateLimit: 5, burstLimit: 10 } },
    { name: "payments", kind: "queue", domain: "sales", maxReceiveCount: 3 },
    { name: "crm-contacts", kind: "schedule", domain: "marketing", schedule: "rate(15 minutes)", url: "https://api.crm.example/v1/contacts", watermarkField: "updated_at", credentialsSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:crm-api-XyZ123` },
    { name: "carts", kind: "db-events", domain: "sales", table: { partitionKey: { name: "pk", type: "S" }, sortKey: { name: "sk", type: "S" } } },
    { name: "orders-loader", kind: "object-events", domain: "sales", from: "orders-api", table: "orders" },
  ],
  pipelines: [
    { name: "sales-daily", domain: "sales", schedule: "cron(0 3 * * ? *)", timezone: "Europe/Paris", loads: ["orders-loader"], transform: { procedure: "marts.refresh_sales" }, publish: [{ table: "marts.daily_revenue", dataset: "daily_revenue" }] },
  ],
  monitoring: { subscriptions: [{ protocol: "email", endpoint: "oncall@acme.example" }, { protocol: "https", endpoint: "https://chat.acme.example/hooks/data" }] },
};

export function context(environment: Environment): PlatformContext {
  return {
    prefix: `acme-${environment}`, environment, region: REGION,
    tags: { environment, owner: "data-platform@acme.example", "cost-center": "CC-1", "managed-by": "pulumi:data-platform", platform: "acme" },
    protect: environment === "prod", retainOnDelete: environment !== "dev", allowDestroyData: environment === "dev",
  };
}

export interface Built {
  readonly ingestion: Ingestion;
  readonly monitoring: Monitoring;
}

export function build(environment: Environment, raw: unknown = CONFIG): Built {
  const cfg: IngestionConfig = ingestionConfigSchema.parse(raw);
  const problems = validateIngestion(cfg, { domains: DOMAINS, warehouse: true, kafka: false });
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  const resolved = resolveIngestion(cfg, environment, DOMAINS, "data-platform@acme.example");
  const ctx = context(environment);
  const keyArns = { public: key("public"), internal: key("internal"), confidential: key("confidential"), restricted: key("restricted") };
  const security: SecurityRefs = { keyArns: Object.fromEntries(Object.entries(keyArns).map(([k, v]) => [k, pulumi.output(v)])) as SecurityRefs["keyArns"], permissionsBoundaryArn: pulumi.output(BOUNDARY) };
  const network: NetworkRefs = {
    vpcId: "vpc-0abc", vpcCidr: "10.10.0.0/16", privateSubnetIds: ["subnet-0a", "subnet-0b"], publicSubnetIds: [], azCount: 2,
    workloadSecurityGroupIds: { ingestion: "sg-ingestion", compute: "sg-compute", bi: "sg-bi" },
  };
  const lake: LakeRefs = {
    raw: { bucketName: RAW_BUCKET, bucketArn: `arn:aws:s3:::${RAW_BUCKET}`, keyArn: key("confidential") },
    analytics: { bucketName: ANALYTICS_BUCKET, bucketArn: `arn:aws:s3:::${ANALYTICS_BUCKET}`, keyArn: key("internal") },
  };
  const warehouse: WarehouseRefs = { engine: "redshift", host: "wh.acme.internal", port: 5439, database: "analytics", secretArn: WAREHOUSE_SECRET };
  const monitoring = new Monitoring("acme-monitoring", { ctx, accountId: ACCOUNT_ID, config: resolved.monitoring });
  const ingestion = new Ingestion("acme-ingestion", { ctx, network, security, lake, config: resolved, domains: DOMAINS, operations: monitoring.operations, warehouse });
  monitoring.watch(ingestion.targets);
  return { ingestion, monitoring };
}

const plans = new Map<string, Promise<PlannedResource[]>>();
// The mock engine is process-global: programs must run one after another.
let queue: Promise<unknown> = Promise.resolve();

/** Every resource the program declares for an environment (memoized: plans are deterministic). */
export function planned(environment: Environment): Promise<PlannedResource[]> {
  let p = plans.get(environment);
  if (!p) {
    p = queue.then(() => runProgram({ stack: environment, file: `Pulumi.${environment}.yaml`, config: { "aws:region": REGION } }, async () => {
      const { ingestion } = build(environment);
      return { endpoints: ingestion.endpoints, backfills: ingestion.backfillStateMachines };
    })).then((r) => r.resources);
    queue = p.catch(() => undefined);
    plans.set(environment, p);
  }
  return p;
}

/** Planned inputs read deep in assertions: untyped JSON where every key leads to another Tree (a typed stand-in for `any`). */
export interface Tree {
  readonly [key: string]: Tree;
}

export const find = {
  all: (rs: readonly PlannedResource[], type: string) => rs.filter((r) => r.type === type),
  one(rs: readonly PlannedResource[], type: string, name: string): PlannedResource {
    const hits = rs.filter((r) => r.type === type && r.name === name);
    if (hits.length !== 1) throw new Error(`expected one ${type} '${name}', found ${hits.length}; have: ${rs.filter((r) => r.type === type).map((r) => r.name).join(", ")}`);
    return hits[0];
  },
};

/** The parsed inline policy of a role, by the role's logical name. */
export function rolePolicy(rs: readonly PlannedResource[], roleName: string): { Statement: Record<string, unknown>[] } {
  const p = find.one(rs, "aws:iam/rolePolicy:RolePolicy", `${roleName}-policy`);
  return JSON.parse(p.inputs.policy as string);
}
