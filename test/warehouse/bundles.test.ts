import { strict as assert } from "assert";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { bundle } from "../../components/functions/bundle";
import { renderScripts, scriptsChecksum } from "../../components/warehouse/scripts";
import { loadLikeLambda } from "./support/bundle";

const listen = async <T extends net.Server>(server: T): Promise<number> =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));

// The deploy-time functions as Lambda runs them: the esbuild bundle, loaded with only the runtime's packages.
type Handler = { handler(event: unknown): Promise<unknown> };
const HANDLERS = {
  bootstrap: path.resolve(__dirname, "../../components/warehouse/handlers/bootstrap.ts"),
  topics: path.resolve(__dirname, "../../components/streaming/handlers/topics.ts"),
};

describe("deploy-time function bundles", function () {
  this.timeout(30_000);

  it("the warehouse bootstrap bundles pg and zod, loads without node_modules, and rejects a bad event before any I/O", async () => {
    const { code } = bundle(HANDLERS.bootstrap);
    assert.doesNotMatch(code, /require\("pg"\)|require\("zod"\)/, "bundled, not required at run time");
    const mod = loadLikeLambda<Handler>(code);
    await assert.rejects(
      mod.handler({ engine: "aurora-postgresql", checksum: "0".repeat(64), scripts: [] }),
      /invalid bootstrap event: scripts/,
    );
  });

  it("the bootstrap reads the admin secret by ARN and refuses a database that does not speak TLS", async () => {
    const secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-data-dev/warehouse/admin-AbCdEf";
    const asked: { target?: string; secretId?: string }[] = [];
    // Secrets Manager stand-in (the SDK honours AWS_ENDPOINT_URL_SECRETS_MANAGER).
    const secrets = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        asked.push({ target: String(req.headers["x-amz-target"]), secretId: JSON.parse(body).SecretId });
        res.setHeader("content-type", "application/x-amz-json-1.1");
        res.end(
          JSON.stringify({
            ARN: secretArn,
            Name: "admin",
            SecretString: JSON.stringify({ username: "platform_admin", password: "pw" }),
          }),
        );
      });
    });
    // A "database" that answers PostgreSQL's SSLRequest with 'N' (no TLS), as a misconfigured server would.
    const plaintextDb = net.createServer((socket) => socket.once("data", () => socket.write("N")));
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${await listen(secrets)}`,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      ADMIN_SECRET_ARN: secretArn,
      DB_HOST: "127.0.0.1",
      DB_PORT: String(await listen(plaintextDb)),
      DB_NAME: "analytics",
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    try {
      Object.assign(process.env, env);
      const scripts = renderScripts("postgres", ["sales"]);
      const mod = loadLikeLambda<Handler>(bundle(HANDLERS.bootstrap).code);
      await assert.rejects(
        mod.handler({ engine: "aurora-postgresql", checksum: scriptsChecksum(scripts), scripts }),
        /does not support SSL/,
      );
      assert.deepEqual(asked, [{ target: "secretsmanager.GetSecretValue", secretId: secretArn }]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      secrets.close();
      plaintextDb.close();
    }
  });

  it("the topic manager bundles kafkajs and the IAM signer, loads without node_modules, and rejects a bad event", async () => {
    const { code } = bundle(HANDLERS.topics);
    assert.doesNotMatch(code, /require\("(kafkajs|@aws-sdk\/credential-provider-node|@smithy\/signature-v4)"\)/);
    const mod = loadLikeLambda<Handler>(code);
    await assert.rejects(
      mod.handler({ bootstrapBrokers: "b:9098", region: "eu-west-1", checksum: "0".repeat(64), topics: [] }),
      /topics checksum does not match/,
    );
  });
});
