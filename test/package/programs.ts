// Consumer programs the packaging test compiles against the packed library and runs under Pulumi's mocks.

/** Mocks shaped like AWS's answers, recording each resource's type, name and inputs for the program to report. */
export const CONSUMER_MOCKS = `
import * as pulumi from "@pulumi/pulumi";

export const declared: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

pulumi.runtime.setMocks(
  {
    newResource: (a) => {
      declared.push({ type: a.type, name: a.name, inputs: a.inputs });
      const arn = a.type.startsWith("aws:msk/")
        ? "arn:aws:kafka:us-east-2:210987654321:cluster/" + a.name + "/0b1c2d3e-1"
        : "arn:aws:s3:::" + (a.inputs.bucket ?? a.name);
      return { id: a.name + "-id", state: { ...a.inputs, arn } };
    },
    call: (a) =>
      a.token.endsWith("getCallerIdentity")
        ? { accountId: "210987654321", arn: "arn:aws:sts::210987654321:assumed-role/ci/x" }
        : { issuerArn: "arn:aws:iam::210987654321:role/ci" },
  },
  "consumer",
  "dev",
);

/** Prints one JSON line when the program is done: the outputs given and the functions declared. */
export function report(outputs: Record<string, pulumi.Input<unknown>>): void {
  let known: Record<string, unknown> | undefined;
  pulumi.all(outputs).apply((o) => (known = o));
  process.once("beforeExit", () => {
    const lambdas = declared.filter((d) => d.type === "aws:lambda/function:Function");
    const types = [...new Set(declared.map((d) => d.type))].sort();
    const fns = lambdas.map((l) => ({ name: l.name, hash: l.inputs.sourceCodeHash }));
    console.log(JSON.stringify({ ...known, lambdas: fns, types, count: declared.length }));
  });
}
`;

/** The whole platform from one validated config, and the policy rules from the subpath export. */
export const PLATFORM_PROGRAM = `
import { DataPlatform, loadPlatformConfig, ConfigError, type ResolvedConfig } from "@data-platform/blueprint";
import { allRules } from "@data-platform/blueprint/policies";
import { report } from "./mocks";

const config: ResolvedConfig = loadPlatformConfig({
  name: "team", profile: "dev",
  governance: { owner: "team@example.com", costCenter: "CC-9" },
  domains: [{ name: "orders", owner: "o@example.com", steward: "s@example.com", classification: "internal" }],
}, "us-east-2");
let rejected = "";
try { loadPlatformConfig({ name: "team", profile: "qa" }, "us-east-2"); } catch (e) { rejected = e instanceof ConfigError ? e.problems.map((p) => p.path).join(",") : "wrong error"; }
const platform = new DataPlatform("team", { config });
report({
  bucket: platform.lake.zones.raw.bucketName,
  vpc: platform.network.vpcId,
  port: platform.warehouse?.port,
  sql: platform.warehouse?.sqlChecksum,
  rules: allRules.length,
  rejected,
});
`;
