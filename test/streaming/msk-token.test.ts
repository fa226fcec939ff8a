import * as assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { mskAuthToken } from "../../components/streaming/handlers/msk-token";

// The MSK IAM token against a SigV4 query signature computed here, step by step, from the published algorithm.
const CREDS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const AT = new Date(Date.UTC(2026, 11, 3, 20, 4, 5));

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const hmac = (key: string | Buffer, s: string) => createHmac("sha256", key).update(s).digest();
const escape = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function expectedSignature(region: string, query: URLSearchParams): string {
  const host = `kafka.${region}.amazonaws.com`;
  const signedQuery = [...query.entries()]
    .filter(([k]) => k !== "X-Amz-Signature" && k !== "User-Agent")
    .map(([k, v]) => `${escape(k)}=${escape(v)}`)
    .sort()
    .join("&");
  const canonical = ["GET", "/", signedQuery, `host:${host}`, "", "host", sha256("")].join("\n");
  const scope = `20261203/${region}/kafka-cluster/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", "20261203T200405Z", scope, sha256(canonical)].join("\n");
  let key = hmac(`AWS4${CREDS.secretAccessKey}`, "20261203");
  for (const part of [region, "kafka-cluster", "aws4_request"]) key = hmac(key, part);
  return hmac(key, toSign).toString("hex");
}

describe("streaming: MSK IAM authentication token", () => {
  it("is the base64url text, unpadded, of a presigned kafka-cluster:Connect URL valid 15 minutes", async () => {
    const { token, expiryTime } = await mskAuthToken("eu-west-1", CREDS, AT);
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(token, "base64url").toString("utf8"));
    assert.equal(url.origin, "https://kafka.eu-west-1.amazonaws.com");
    assert.equal(url.pathname, "/");
    const q = url.searchParams;
    assert.deepEqual([...q.keys()], [...q.keys()].sort(), "parameters in name order");
    assert.equal(q.get("Action"), "kafka-cluster:Connect");
    assert.equal(q.get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
    assert.equal(q.get("X-Amz-Credential"), "AKIDEXAMPLE/20261203/eu-west-1/kafka-cluster/aws4_request");
    assert.equal(q.get("X-Amz-Date"), "20261203T200405Z");
    assert.equal(q.get("X-Amz-Expires"), "900");
    assert.equal(q.get("X-Amz-SignedHeaders"), "host");
    assert.ok(q.get("User-Agent"));
    assert.equal(q.get("X-Amz-Signature"), expectedSignature("eu-west-1", q));
    assert.equal(expiryTime, AT.getTime() + 900_000);
  });

  it("carries a session token inside the signature, and signs for the region asked", async () => {
    const { token } = await mskAuthToken("us-east-2", { ...CREDS, sessionToken: "IQo/session+token=" }, AT);
    const q = new URL(Buffer.from(token, "base64url").toString("utf8")).searchParams;
    assert.equal(q.get("X-Amz-Security-Token"), "IQo/session+token=");
    assert.equal(q.get("X-Amz-Signature"), expectedSignature("us-east-2", q));
  });

  it("takes the credentials from a provider, as the functions' role gives them", async () => {
    let calls = 0;
    const { token } = await mskAuthToken("eu-west-1", async () => (calls++, CREDS), AT);
    assert.equal(calls, 1);
    assert.match(Buffer.from(token, "base64url").toString("utf8"), /X-Amz-Credential=AKIDEXAMPLE%2F/);
  });
});
