import { z } from "zod";
import { CLASSIFICATIONS, ENVIRONMENTS, ZONES } from "../core/types";
import { ingestionConfigShape } from "../dataflow/section";
import { computeSchema } from "../compute/config";
import { streamingSchema } from "../streaming/config";
import { warehouseSchema } from "../warehouse/config";
import { biSchema } from "../bi/config";
import { accessSchema } from "../security/config";
import { datasetSchema } from "../datasets/config";
import { costSchema } from "../cost/config";

// What a user writes under `data-platform:platform` in a stack file. Every object is strict: an unknown key is a
// typo, and typos in infrastructure config are how buckets end up public. Optional fields are filled by the
// environment profile (profiles.ts); what the user writes wins.

const NAME = /^[a-z][a-z0-9-]{1,23}$/;
const DOMAIN = /^[a-z][a-z0-9_]{1,30}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;

export const cidrSchema = z.string().refine(isCidrInRange, { message: "must be an IPv4 CIDR between /16 and /24" });

/** `a.b.c.d/n` with octets 0–255, prefix 16–24, and no host bits set. */
export function isCidrInRange(value: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix < 16 || prefix > 24) return false;
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  return ip % 2 ** (32 - prefix) === 0;
}

const person = (what: string) => z.string().regex(EMAIL, { message: `must be the ${what}'s e-mail address` });
const classification = z.enum(CLASSIFICATIONS, { message: `must be one of ${CLASSIFICATIONS.join(" | ")}` });
const arn = (what: string) => z.string().regex(ARN, { message: `must be an ARN of ${what}` });

/** The platform's short name: physical names become `<name>-<environment>-…`. */
export const platformNameSchema = z
  .string()
  .regex(NAME, { message: "must be 2-24 lower-case letters, digits or hyphens, starting with a letter" });

export const governanceSchema = z.strictObject({
  /** Accountable for the platform; receives its alerts. */
  owner: person("platform owner"),
  costCenter: z
    .string()
    .regex(/^[A-Za-z0-9-]{2,32}$/, { message: "must be a cost-centre code (letters, digits, hyphens)" }),
  /** Data architects: approve schema and platform changes (change management). */
  architects: z.array(person("architect")).min(1, { message: "must list at least one data architect" }).optional(),
  /** Where change requests are reviewed, e.g. the repository URL; shown in the report. */
  changeProcess: z.string().min(3).optional(),
});

export const domainSchema = z.strictObject({
  name: z
    .string()
    .regex(DOMAIN, { message: "must be lower-case letters, digits or _ (2-31 chars), starting with a letter" }),
  description: z.string().min(3).optional(),
  /** Business owner: accountable for the domain's data. */
  owner: person("domain owner"),
  /** Data steward: curates quality and grants access within the domain. */
  steward: person("data steward"),
  /** Default classification of the domain's datasets. */
  classification,
  /** Tables the domain publishes in the lake (docs/datasets.md). Raw tables of its sources need no entry. @default [] */
  datasets: z.array(datasetSchema).optional(),
});

export const networkSchema = z.strictObject({
  cidr: cidrSchema.optional(),
  azCount: z.union([z.literal(2), z.literal(3)], { message: "must be 2 or 3" }).optional(),
  /** Explicit AZ names; default `<region>a`, `b`, `c`. */
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, { message: "must be an AZ name such as eu-west-1a" }))
    .optional(),
  natGateways: z.enum(["single", "per-az"], { message: "must be single | per-az" }).optional(),
  interfaceEndpoints: z.boolean().optional(),
  flowLogRetentionDays: z.number().int().min(1).max(3653).optional(),
  /** Bring your own VPC instead of creating one. */
  existing: z
    .strictObject({
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { message: "must be a VPC id (vpc-…)" }),
      cidr: cidrSchema,
      privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: "must be a subnet id" })).min(2),
      publicSubnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: "must be a subnet id" }))
        .default([]),
      /** Route tables to attach S3 and DynamoDB gateway endpoints to; empty when the VPC already has them. */
      privateRouteTableIds: z
        .array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, { message: "must be a route table id" }))
        .default([]),
    })
    .optional(),
});

export const zoneSchema = z.strictObject({ classification: classification.optional() });

export const lakeSchema = z.strictObject({
  zones: z
    .strictObject(
      Object.fromEntries(ZONES.map((zone) => [zone, zoneSchema.optional()])) as Record<
        (typeof ZONES)[number],
        z.ZodOptional<typeof zoneSchema>
      >,
    )
    .optional(),
  /** Empty buckets on `pulumi destroy`. Dev only: staging and prod refuse it. */
  forceDestroy: z.boolean().optional(),
  rawInfrequentAccessAfterDays: z.number().int().min(30).optional(),
  rawArchiveAfterDays: z.number().int().min(60).optional(),
  noncurrentVersionExpirationDays: z.number().int().min(1).optional(),
  accessLogExpirationDays: z.number().int().min(1).optional(),
  queryResultExpirationDays: z.number().int().min(1).optional(),
  /** Lake Formation administrators (IAM role ARNs) besides the deploying identity. */
  lakeFormationAdmins: z.array(arn("an IAM role")).optional(),
});

export const securitySchema = z.strictObject({
  /** Waiting period before a scheduled KMS key deletion takes effect. */
  keyDeletionWindowDays: z.number().int().min(7).max(30).optional(),
});

export const platformSchema = z.strictObject({
  /** Short name; physical names become `<name>-<environment>-…`. */
  name: platformNameSchema,
  profile: z.enum(ENVIRONMENTS, { message: `must be one of ${ENVIRONMENTS.join(" | ")}` }),
  governance: governanceSchema,
  domains: z.array(domainSchema).min(1, { message: "must declare at least one data domain" }),
  network: networkSchema.optional(),
  lake: lakeSchema.optional(),
  security: securitySchema.optional(),
  /** Relational warehouse: Redshift Serverless or Aurora PostgreSQL (see the warehouse section of the README). */
  warehouse: warehouseSchema.optional(),
  /** Kafka: MSK provisioned or MSK Serverless, and the topics. */
  streaming: streamingSchema.optional(),
  /** Ingestion sources, pipelines and monitoring (see the ingestion section of the README). */
  ...ingestionConfigShape,
  /** Spark and Trino/Presto on Kubernetes (EKS or a cluster you bring). Absent: no compute. */
  compute: computeSchema.optional(),
  access: accessSchema.optional(),
  bi: biSchema.optional(),
  /** Budgets, cost anomaly alerts and the volume assumptions of the cost estimate (see the cost section of the README). */
  cost: costSchema.optional(),
});

export type PlatformInput = z.input<typeof platformSchema>;
export type PlatformParsed = z.output<typeof platformSchema>;
export type DomainConfig = z.output<typeof domainSchema>;
