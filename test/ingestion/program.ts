// Helpers for component tests: a context like the stacks', lookups over planned resources, and a typed view of
// their inputs. The wiring itself is tested on the committed stacks' plans (test/support/plan.ts).
import type { Environment, PlatformContext } from "../../components/core/types";
import type { PlannedResource } from "../../policies/engine/args";
import { ACCOUNT_ID, hex } from "../../tools/plan/mocks";

export const REGION = "eu-west-1";

export function context(environment: Environment): PlatformContext {
  return {
    prefix: `acme-${environment}`,
    environment,
    region: REGION,
    tags: {
      environment,
      owner: "data-platform@acme.example",
      "cost-center": "CC-1",
      "managed-by": "pulumi:data-platform",
      platform: "acme",
    },
    protect: environment === "prod",
    retainOnDelete: environment !== "dev",
    allowDestroyData: environment === "dev",
  };
}

/** Planned inputs read deep in assertions: untyped JSON where every key leads to another Tree (a typed stand-in for `any`). */
export interface Tree {
  readonly [key: string]: Tree;
}

export const find = {
  all: (rs: readonly PlannedResource[], type: string) => rs.filter((r) => r.type === type),
  one(rs: readonly PlannedResource[], type: string, name: string): PlannedResource {
    const hits = rs.filter((r) => r.type === type && r.name === name);
    if (hits.length !== 1)
      throw new Error(
        `expected one ${type} '${name}', found ${hits.length}; have: ${rs
          .filter((r) => r.type === type)
          .map((r) => r.name)
          .join(", ")}`,
      );
    return hits[0];
  },
};

/** The inputs of one resource, by type and logical name. */
export const inputsOf = (rs: readonly PlannedResource[], type: string, name: string): Tree =>
  find.one(rs, type, name).inputs as unknown as Tree;

/** The parsed inline policy of a role, by the role's logical name. */
export function rolePolicy(rs: readonly PlannedResource[], roleName: string): { Statement: Record<string, unknown>[] } {
  const p = find.one(rs, "aws:iam/rolePolicy:RolePolicy", `${roleName}-policy`);
  return JSON.parse(p.inputs.policy as string);
}

/** ARN of a classification's key in a planned stack (through its alias, as the mocks name keys). */
export function keyArn(rs: readonly PlannedResource[], classification: string): string {
  const alias = rs.find(
    (r) => r.type === "aws:kms/alias:Alias" && String(r.inputs.name).endsWith(`-${classification}`),
  );
  if (!alias) throw new Error(`no key alias for ${classification}`);
  return `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${alias.inputs.targetKeyId}`;
}

/** ARN of a planned secret, as the mocks name it. */
export function secretArn(rs: readonly PlannedResource[], logicalName: string): string {
  const name = find.one(rs, "aws:secretsmanager/secret:Secret", logicalName).inputs.name as string;
  return `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${name}-${hex(`aws:secretsmanager/secret:Secret:${logicalName}`, 6)}`;
}
