// Pulumi mock engine for component tests: records every registered resource as the policy runtime sees it and
// answers with realistic ARNs, so IAM statements and wiring can be asserted on concrete strings.
import * as pulumi from "@pulumi/pulumi";
import type { PlannedResource } from "../../policies/engine/args";
import type { PlatformContext } from "../../components/core/types";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

export function testContext(environment: PlatformContext["environment"] = "dev"): PlatformContext {
  const prod = environment === "prod";
  return {
    prefix: `acme-${environment}`,
    environment,
    region: REGION,
    tags: { environment, owner: "platform@acme.test", "cost-center": "DATA-1", "managed-by": "pulumi", platform: "acme" },
    protect: prod,
    retainOnDelete: environment !== "dev",
    allowDestroyData: environment === "dev",
  };
}

/** Physical name: explicit `name` input, else the logical name (mocks skip autonaming suffixes on purpose). */
function physical(args: pulumi.runtime.MockResourceArgs): string {
  return typeof args.inputs.name === "string" ? args.inputs.name : args.name;
}

function state(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const name = physical(args);
  const r = `arn:aws`;
  const at = `${REGION}:${ACCOUNT}`;
  switch (args.type) {
    case "aws:iam/role:Role":
      return { name, arn: `${r}:iam::${ACCOUNT}:role${args.inputs.path ?? "/"}${name}`, uniqueId: `AROA${name}` };
    case "aws:lambda/function:Function":
      return {
        name,
        arn: `${r}:lambda:${at}:function:${name}`,
        invokeArn: `${r}:apigateway:${REGION}:lambda:path/2015-03-31/functions/${r}:lambda:${at}:function:${name}/invocations`,
        qualifiedArn: `${r}:lambda:${at}:function:${name}:$LATEST`,
      };
    case "aws:sqs/queue:Queue":
      return { name, arn: `${r}:sqs:${at}:${name}`, url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}` };
    case "aws:sns/topic:Topic":
      return { name, arn: `${r}:sns:${at}:${name}` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name, arn: `${r}:logs:${at}:log-group:${name}` };
    case "aws:dynamodb/table:Table":
      return { name, arn: `${r}:dynamodb:${at}:table/${name}`, streamArn: `${r}:dynamodb:${at}:table/${name}/stream/2024-01-01T00:00:00.000` };
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      return { bucket: name, arn: `${r}:s3:::${name}` };
    case "aws:sfn/stateMachine:StateMachine":
      return { name, arn: `${r}:states:${at}:stateMachine:${name}` };
    case "aws:apigatewayv2/api:Api":
      return { name, apiEndpoint: `https://${name}.execute-api.${REGION}.amazonaws.com`, executionArn: `${r}:execute-api:${at}:${name}`, arn: `${r}:apigateway:${REGION}::/apis/${name}` };
    case "aws:apigatewayv2/stage:Stage":
      return { name, invokeUrl: `https://api.execute-api.${REGION}.amazonaws.com/${name}`, arn: `${r}:apigateway:${REGION}::/apis/api/stages/${name}` };
    case "aws:scheduler/schedule:Schedule":
      return { name, arn: `${r}:scheduler:${at}:schedule/default/${name}` };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { name, arn: `${r}:cloudwatch:${at}:alarm:${name}` };
    default: {
      const service = args.type.split(":")[1]?.split("/")[0] ?? "x";
      return { name, arn: `${r}:${service}:${at}:${name}` };
    }
  }
}

export interface MockEngine {
  readonly resources: PlannedResource[];
  /** Resources of one type token. */
  ofType(type: string): PlannedResource[];
  /** The single resource of `type` whose logical name is `name`. */
  one(type: string, name: string): PlannedResource;
}

/** Installs fresh mocks; every registered resource is recorded with its inputs. */
export async function mockEngine(stack = "dev"): Promise<MockEngine> {
  const resources: PlannedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const out = { ...args.inputs, ...state(args) };
        resources.push({
          urn: `urn:pulumi:${stack}::data-platform::${args.type}::${args.name}`,
          type: args.type,
          name: args.name,
          custom: args.custom ?? true,
          inputs: args.inputs,
          protect: false,
          retainOnDelete: false,
          dependencies: [],
        });
        return { id: `${args.name}-id`, state: out };
      },
      call(args) {
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "u" };
        if (args.token === "aws:index/getRegion:getRegion") return { name: REGION, region: REGION };
        if (args.token === "aws:index/getPartition:getPartition") return { partition: "aws", dnsSuffix: "amazonaws.com" };
        return args.inputs;
      },
    },
    "data-platform",
    stack,
    true,
  );
  return {
    resources,
    ofType: (type) => resources.filter((r) => r.type === type),
    one(type, name) {
      const found = resources.filter((r) => r.type === type && r.name === name);
      if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}: ${resources.filter((r) => r.type === type).map((r) => r.name).join(", ")}`);
      return found[0];
    },
  };
}

/** Waits until every outstanding resource registration has reached the mocks. */
export async function settle(): Promise<void> {
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}

/** The resolved value of an Output (tests only). */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}
