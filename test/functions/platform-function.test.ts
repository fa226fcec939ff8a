import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as path from "path";
import * as fs from "fs";
import * as os from "os";
import { bundle, bundleCount, forgetBundles, NODE_RUNTIME } from "../../components/functions/bundle";
import {
  baseStatements,
  physicalName,
  PlatformFunction,
  secretLikeEnvNames,
} from "../../components/functions/function";
import { loadBundle } from "./load";
import { ACCOUNT_ID, hex } from "../../tools/plan/mocks";
import { runProgram } from "../../tools/plan/run";
import { context, find, REGION, Tree } from "../ingestion/program";

const ECHO = path.join(__dirname, "fixtures/echo.ts");
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/raw`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT_ID}:policy/acme-permissions-boundary`;

describe("functions: bundle", () => {
  it("is cached per entry and hashed over its exact bytes", () => {
    const a = bundle(ECHO);
    const count = bundleCount();
    const b = bundle(path.relative(process.cwd(), ECHO));
    assert.equal(b, a, "a second bundle of the same entry must come from the cache");
    assert.equal(bundleCount(), count);
    assert.equal(a.hash, createHash("sha256").update(a.code).digest("base64"));
  });

  it("reuses bundles across processes until an input file changes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entry-"));
    const entry = path.join(dir, "h.ts");
    try {
      fs.writeFileSync(entry, "export const handler = async () => 'v1';\n");
      const first = bundle(entry);
      forgetBundles(); // as if a new process started
      assert.equal(bundle(entry).hash, first.hash, "same inputs, same bundle");
      fs.writeFileSync(entry, "export const handler = async () => 'v2-changed';\n");
      forgetBundles();
      const changed = bundle(entry);
      assert.notEqual(changed.hash, first.hash);
      assert.ok(changed.code.includes("v2-changed"), "an edited input is rebuilt, not served from the cache");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the runtime's AWS SDK out and bundles everything else", () => {
    const { code } = bundle(ECHO);
    assert.ok(code.includes('require("@aws-sdk/client-s3")'), "the SDK clients are required from the runtime");
    assert.ok(!code.includes('require("@aws-lambda-powertools/logger")'), "Powertools is not left to the runtime");
    assert.ok(/var Logger = class/.test(code), "Powertools' Logger is inside the bundle");
  });

  it("loads and runs as the Lambda runtime would", async () => {
    const mod = loadBundle<{ handler(e: { value: number }): Promise<{ doubled: number; sdk: string }> }>(
      bundle(ECHO).code,
      "echo.js",
    );
    assert.deepEqual(await mod.handler({ value: 21 }), { doubled: 42, sdk: "function" });
  });
});

describe("functions: helpers", () => {
  it("keeps physical names within Lambda's 64 characters and unique", () => {
    assert.equal(physicalName("acme-dev", "orders"), "acme-dev-orders");
    const a = physicalName("acme-prod", "x".repeat(80));
    const b = physicalName("acme-prod", "x".repeat(79) + "y");
    assert.equal(a.length, 64);
    assert.notEqual(a, b);
  });

  it("flags secret-looking environment variables but not references to secrets", () => {
    assert.deepEqual(
      secretLikeEnvNames({ DB_PASSWORD: "x", API_TOKEN: "y", SOURCE_SECRET_ARN: "arn", TABLE_NAME: "t", apiKey: "k" }),
      ["DB_PASSWORD", "API_TOKEN", "apiKey"],
    );
  });

  it("grants VPC interface management only to functions in a VPC", () => {
    const base = {
      logGroupArn: "arn:aws:logs:r:1:log-group:g",
      kmsKeyArn: KEY,
      deadLetterTargetArn: "arn:aws:sqs:r:1:q",
      region: REGION,
    };
    assert.ok(!baseStatements({ ...base, inVpc: false }).some((s) => s.Sid === "VpcNetworkInterfaces"));
    assert.ok(baseStatements({ ...base, inVpc: true }).some((s) => s.Sid === "VpcNetworkInterfaces"));
    const sns = baseStatements({ ...base, deadLetterTargetArn: "arn:aws:sns:r:1:t", inVpc: false }).find(
      (s) => s.Sid === "DeadLetter",
    );
    assert.equal(sns?.Action, "sns:Publish");
  });
});

describe("functions: PlatformFunction", () => {
  const run = async (make: () => PlatformFunction) => {
    let fn: PlatformFunction | undefined;
    const { resources } = await runProgram(
      { stack: "dev", file: "Pulumi.dev.yaml", config: { "aws:region": REGION } },
      async () => {
        fn = make();
        return {};
      },
    );
    return { fn: fn!, resources, one: (type: string, name: string) => find.one(resources, type, name) };
  };

  it("builds an arm64, traced, bounded function with its own encrypted DLQ and log group", async () => {
    const ctx = context("dev");
    const { one, resources } = await run(
      () =>
        new PlatformFunction("echo", {
          ctx,
          entry: ECHO,
          statements: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::raw/source=a/*" }],
          permissionsBoundaryArn: BOUNDARY,
          kmsKeyArn: KEY,
          environment: { TABLE_NAME: "t" },
          files: { "source.json": "{}" },
          logRetentionDays: 7,
          reservedConcurrency: 3,
        }),
    );
    const f = one("aws:lambda/function:Function", "echo-fn").inputs as unknown as Tree;
    assert.equal(f.name, "acme-dev-echo");
    assert.deepEqual(f.architectures, ["arm64"]);
    assert.equal(f.runtime, NODE_RUNTIME);
    assert.equal(f.reservedConcurrentExecutions, 3);
    assert.deepEqual(f.tracingConfig, { mode: "Active" });
    assert.notEqual(f.sourceCodeHash, bundle(ECHO).hash, "packaged files change the hash");
    assert.equal(f.kmsKeyArn, KEY);
    assert.equal(f.environment.variables.TABLE_NAME, "t");
    assert.equal(f.environment.variables.POWERTOOLS_SERVICE_NAME, "echo");

    const queue = one("aws:sqs/queue:Queue", "echo-dlq").inputs as unknown as Tree;
    assert.equal(queue.kmsMasterKeyId, KEY);
    assert.equal(queue.tags["data-platform:queue-role"], "dead-letter");
    const dlqArn = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:acme-dev-echo-dlq`;
    assert.deepEqual(f.deadLetterConfig, { targetArn: dlqArn });

    const logs = one("aws:cloudwatch/logGroup:LogGroup", "echo-logs").inputs;
    assert.deepEqual([logs.name, logs.retentionInDays, logs.kmsKeyId], ["/aws/lambda/acme-dev-echo", 7, KEY]);
    assert.deepEqual(f.loggingConfig, {
      logFormat: "JSON",
      logGroup: logs.name,
      applicationLogLevel: "INFO",
      systemLogLevel: "WARN",
    });

    const role = one("aws:iam/role:Role", "echo-role").inputs;
    assert.equal(role.permissionsBoundary, BOUNDARY);
    assert.equal(role.path, "/acme-dev/");
    assert.equal(f.role, `arn:aws:iam::${ACCOUNT_ID}:role/acme-dev/echo-role-${hex("aws:iam/role:Roleecho-role", 7)}`);
    const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "echo-role-policy").inputs.policy as string);
    const send = policy.Statement.find((s: { Sid?: string }) => s.Sid === "DeadLetter");
    assert.deepEqual(send.Resource, dlqArn, "the role may send to its own DLQ only");
    assert.deepEqual(
      policy.Statement.find((s: { Sid?: string }) => s.Sid === "OwnLogs").Resource,
      `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/lambda/acme-dev-echo:*`,
    );
    assert.ok(
      policy.Statement.some((s: { Action: string }) => s.Action === "s3:PutObject"),
      "caller statements are kept",
    );
    assert.ok(!policy.Statement.some((s: { Sid?: string }) => s.Sid === "VpcNetworkInterfaces"));
    for (const r of resources.filter((x) => x.custom && x.inputs.tags))
      assert.equal((r.inputs.tags as Record<string, string>).environment, "dev", r.name);
  });

  it("runs in the VPC when asked, and uses a given dead-letter target instead of creating a queue", async () => {
    const target = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:shared-dlq`;
    const { fn, resources, one } = await run(
      () =>
        new PlatformFunction("echo2", {
          ctx: context("dev"),
          entry: ECHO,
          statements: [],
          permissionsBoundaryArn: BOUNDARY,
          kmsKeyArn: KEY,
          deadLetterTargetArn: target,
          vpc: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
        }),
    );
    assert.ok(fn.codeHash);
    assert.equal(resources.filter((r) => r.type === "aws:sqs/queue:Queue").length, 0);
    const f = one("aws:lambda/function:Function", "echo2-fn");
    assert.deepEqual(f.inputs.vpcConfig, { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] });
    assert.ok(
      f.dependencies.some((d) => d.endsWith("::echo2-role-policy")),
      "created after its role policy (Lambda checks ENI rights at create)",
    );
    const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "echo2-role-policy").inputs.policy as string);
    assert.ok(policy.Statement.some((s: { Sid?: string }) => s.Sid === "VpcNetworkInterfaces"));
  });

  it("refuses plaintext secrets in the environment", () => {
    assert.throws(
      () =>
        new PlatformFunction("leaky", {
          ctx: context("dev"),
          entry: ECHO,
          statements: [],
          permissionsBoundaryArn: BOUNDARY,
          kmsKeyArn: KEY,
          environment: { DB_PASSWORD: "hunter2" },
        }),
      /DB_PASSWORD/,
    );
  });
});
