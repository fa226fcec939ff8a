import * as pulumi from "@pulumi/pulumi";
import type {
  Classification,
  Environment,
  NetworkRefs,
  PlatformContext,
  SecurityRefs,
} from "../../../components/core/types";
import { CLASSIFICATIONS } from "../../../components/core/types";
import type { PlannedResource } from "../../../policies/engine/args";
import { runProgram } from "../../../tools/plan/run";
import { ACCOUNT_ID } from "../../../tools/plan/mocks";

export const REGION = "eu-west-1";
export const keyArn = (c: Classification) => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${c}-0000-0000-0000-000000000000`;
export const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT_ID}:policy/acme-data-permissions-boundary`;
export const WORKLOAD_SG = {
  ingestion: "sg-0000000000ingest",
  compute: "sg-00000000000compute",
  bi: "sg-00000000000000bi",
} as const;

/** The context, network and security refs DataPlatform would pass, as plain values. */
export function refs(
  environment: Environment,
  azCount = environment === "prod" ? 3 : 2,
): { ctx: PlatformContext; network: NetworkRefs; security: SecurityRefs } {
  const prod = environment === "prod";
  return {
    ctx: {
      prefix: `acme-data-${environment}`,
      environment,
      region: REGION,
      tags: {
        environment,
        owner: "data@acme.example",
        "cost-center": "DATA-1",
        "managed-by": "pulumi:data-platform",
        platform: "acme-data",
      },
      protect: prod,
      retainOnDelete: environment !== "dev",
      allowDestroyData: environment === "dev",
    },
    network: {
      vpcId: "vpc-0123456789abcdef0",
      vpcCidr: "10.30.0.0/16",
      privateSubnetIds: Array.from({ length: azCount }, (_, i) => `subnet-private${i}`),
      publicSubnetIds: Array.from({ length: azCount }, (_, i) => `subnet-public${i}`),
      azCount,
      workloadSecurityGroupIds: { ...WORKLOAD_SG },
    },
    security: {
      keyArns: Object.fromEntries(CLASSIFICATIONS.map((c) => [c, pulumi.output(keyArn(c))])) as Record<
        Classification,
        pulumi.Output<string>
      >,
      permissionsBoundaryArn: pulumi.output(BOUNDARY_ARN),
    },
  };
}

/** Runs `build` as a Pulumi program under the platform's recording mocks; returns every registered resource. */
export async function planResources(
  build: () => Record<string, unknown> | void,
): Promise<{ resources: PlannedResource[]; outputs: Record<string, unknown> }> {
  const run = await runProgram({ stack: "test", file: "test", config: { "aws:region": REGION } }, () => build() ?? {});
  return { resources: run.resources, outputs: run.outputs };
}

export const ofType = (rs: readonly PlannedResource[], type: string) => rs.filter((r) => r.type === type);
export function one(rs: readonly PlannedResource[], type: string, name?: string): PlannedResource {
  const found = rs.filter((r) => r.type === type && (name === undefined || r.name === name));
  if (found.length !== 1)
    throw new Error(
      `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
    );
  return found[0];
}
