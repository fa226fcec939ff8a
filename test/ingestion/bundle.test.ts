import { strict as assert } from "assert";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from "aws-lambda";
import { bundle, handlerSources } from "../../components/functions/bundle";
import { HANDLERS } from "../../components/ingestion/entries";
import { loadBundle } from "../functions/load";
import { ORDERS, order } from "./fixtures";
import { KEY_ARN, lambdaContext, LocalS3, startS3 } from "./support";

type Handler<E, R> = { handler(event: E, context: Context): Promise<R> };

describe("ingestion: bundled handlers", () => {
  let s3: LocalS3;
  let dir: string;
  const saved = { ...process.env };
  before(async () => {
    s3 = await startS3(["raw"]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
  });
  after(async () => {
    process.env = saved;
    await s3.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The environment PlatformFunction gives the function, pointed at the local S3 server. */
  const deploy = (name: string, config: object) => {
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(config));
    Object.assign(process.env, {
      RAW_BUCKET: "raw",
      RAW_KEY_ARN: KEY_ARN,
      SOURCE_CONFIG_PATH: file,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      S3_FORCE_PATH_STYLE: "true",
      METRICS_NAMESPACE: "acme-dev/ingestion",
      POWERTOOLS_METRICS_DISABLED: "true",
    });
  };

  it("requires nothing at run time but Node built-ins and the runtime's AWS SDK", () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const entry of handlerSources()) {
      const kind = path.basename(entry);
      // Quoted require calls are code-generation templates (ajv's standalone mode), not requires of this module.
      const requires = [...bundle(entry).code.matchAll(/[^'"`\w]require\("([^"]+)"\)/g)].map((m) => m[1]);
      // pg-native and the CRT signer are optional requires inside try/catch, never reached on this path.
      const optional = new Set(["pg-native", "@aws-sdk/signature-v4-crt"]);
      const foreign = requires.filter((r) => !builtins.has(r) && !r.startsWith("@aws-sdk/client-") && !optional.has(r));
      assert.deepEqual(foreign, [], `${kind} bundle requires packages the Lambda runtime lacks`);
    }
  });

  it("the http bundle validates and lands records", async () => {
    deploy("http", { ...ORDERS, root: "sales/source=bundled-http/" });
    const mod = loadBundle<Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>>(
      bundle(HANDLERS.http).code,
      "http.js",
    );
    const event = {
      version: "2.0",
      routeKey: "POST /records",
      rawPath: "/records",
      rawQueryString: "",
      headers: {},
      isBase64Encoded: false,
      requestContext: {},
    } as APIGatewayProxyEventV2;
    const ok = await mod.handler(
      { ...event, body: JSON.stringify([order(1), order(2)]) },
      lambdaContext("bundled-http"),
    );
    assert.equal(ok.statusCode, 202, String(ok.body));
    const bad = await mod.handler({ ...event, body: JSON.stringify([{ order_id: 1 }]) }, lambdaContext("bundled-http"));
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(await s3.keys("raw", "sales/source=bundled-http/"), [
      "sales/source=bundled-http/dt=2024-05-02/o-1.json",
      "sales/source=bundled-http/dt=2024-05-03/o-2.json",
    ]);
  });

  it("the queue bundle reports only the failed message", async () => {
    deploy("queue", { name: "q", domain: "sales", root: "sales/source=bundled-queue/" });
    const mod = loadBundle<Handler<SQSEvent, SQSBatchResponse>>(bundle(HANDLERS.queue).code, "queue.js");
    const rec = (id: string, body: string) => ({
      messageId: id,
      body,
      receiptHandle: "r",
      attributes: {},
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn",
      awsRegion: "eu-west-1",
    });
    const r = await mod.handler(
      { Records: [rec("a", '{"x":1}'), rec("b", "[1]")] } as unknown as SQSEvent,
      lambdaContext("bundled-queue"),
    );
    assert.deepEqual(r.batchItemFailures, []);
    assert.equal(
      (await s3.keys("raw", "sales/source=bundled-queue/_rejected/")).length,
      1,
      "the array body is kept as rejected",
    );
    assert.equal((await s3.keys("raw", "sales/source=bundled-queue/dt=")).length, 1);
  });
});
