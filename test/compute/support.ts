import { strict as assert } from "node:assert";
import type { Environment } from "../../components/core/types";
import {
  computeProblems,
  ComputeConfig,
  ComputeInput,
  parseComputeConfig,
  resolveComputeConfig,
} from "../../components/compute/config";

/** The domains of the committed stacks, with their classifications. */
export const DOMAINS = [
  { name: "sales", classification: "confidential" as const },
  { name: "marketing", classification: "internal" as const },
  { name: "people", classification: "restricted" as const },
];

export const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/spark:3.5.6-hadoop3.4";

/** A compute section as a stack file would hold it: a cluster, Spark with two jobs, Trino. */
export function sampleCompute(overrides: Partial<ComputeInput> = {}): ComputeInput {
  return {
    spark: {
      image: IMAGE,
      jobs: [
        {
          name: "orders-daily",
          domain: "sales",
          schedule: "0 2 * * *",
          mainApplicationFile: "s3a://acme-code/jobs/orders.py",
          arguments: ["--date", "{{ ds }}"],
          reads: ["raw"],
          writes: ["curated"],
        },
        {
          name: "payroll-monthly",
          domain: "people",
          schedule: "@monthly",
          type: "Scala",
          mainClass: "com.acme.Payroll",
          mainApplicationFile: "local:///opt/jobs/payroll.jar",
          reads: ["raw", "curated"],
          writes: ["analytics"],
          spot: false,
        },
      ],
    },
    queryEngine: {
      groups: { analysts: ["ana"], engineers: ["eng"] },
      loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" },
    },
    ...overrides,
  };
}

/** Parses, resolves and cross-checks like the root loader; fails the test on any problem. */
export function resolved(raw: unknown, environment: Environment = "prod", azCount = 3): ComputeConfig {
  const { data, problems } = parseComputeConfig(raw);
  assert.deepEqual(problems, []);
  const config = resolveComputeConfig(data!, environment);
  assert.deepEqual(computeProblems(data!, config, { environment, domains: DOMAINS, azCount }), []);
  return config;
}

/** Every problem the section has in an environment, schema and cross-field alike. */
export function problemsOf(
  raw: unknown,
  environment: Environment = "prod",
  azCount = 3,
): { path: string; message: string }[] {
  const { data, problems } = parseComputeConfig(raw);
  if (!data) return problems;
  return computeProblems(data, resolveComputeConfig(data, environment), { environment, domains: DOMAINS, azCount });
}

const load = new Function("specifier", "return import(specifier)") as (
  s: string,
) => Promise<Record<string, new (data: unknown) => { validate(): void }>>;

/** Validates a plain object against the Kubernetes OpenAPI schema of its apiVersion/kind (kubernetes-models). */
export async function validateK8s(obj: { apiVersion: string; kind: string }): Promise<void> {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  const mod = await load(`kubernetes-models/${group ? `${group}/` : ""}${version}/${obj.kind}`);
  const Model = mod[obj.kind];
  assert.ok(Model, `kubernetes-models has ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}
