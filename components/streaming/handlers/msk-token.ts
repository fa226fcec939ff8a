import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from "@smithy/types";

// MSK's IAM authentication token for SASL/OAUTHBEARER: a SigV4-presigned `GET /?Action=kafka-cluster:Connect` on
// `kafka.<region>.amazonaws.com` (service `kafka-cluster`, host the only signed header), valid 15 minutes, with a
// User-Agent parameter added after signing (parameters in name order), sent as the URL's base64url text without
// padding. The brokers check the signature and the function role's `kafka-cluster:Connect` permission.

const EXPIRES_IN_S = 900;
const USER_AGENT = "data-platform-msk-signer/1";

/** SHA-256 (and HMAC-SHA-256 when given a key) on Node's crypto, in the shape the SigV4 signer takes. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(this.secret));
  }
}

function bytes(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export interface MskToken {
  readonly token: string;
  /** Epoch milliseconds after which the brokers refuse the token. */
  readonly expiryTime: number;
}

/** The token for the region's brokers, signed with the given credentials (default: the SDK's provider chain). */
export async function mskAuthToken(
  region: string,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider = defaultProvider(),
  now: Date = new Date(),
): Promise<MskToken> {
  const hostname = `kafka.${region}.amazonaws.com`;
  const signer = new SignatureV4({ service: "kafka-cluster", region, credentials, sha256: NodeSha256 });
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: "https:",
      hostname,
      path: "/",
      query: { Action: "kafka-cluster:Connect" },
      headers: { host: hostname },
    },
    { expiresIn: EXPIRES_IN_S, signingDate: now },
  );
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== null) params.append(name, v);
  }
  params.append("User-Agent", USER_AGENT);
  params.sort();
  const url = `https://${hostname}/?${params.toString()}`;
  // SigV4 signs at whole seconds; the token expires EXPIRES_IN_S after that.
  const signedAt = Math.floor(now.getTime() / 1000) * 1000;
  return { token: Buffer.from(url, "utf8").toString("base64url"), expiryTime: signedAt + EXPIRES_IN_S * 1000 };
}
