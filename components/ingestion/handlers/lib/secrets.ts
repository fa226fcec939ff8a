import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

export type SecretReader = () => Promise<Record<string, string>>;

/**
 * Reads a JSON secret at run time (never from the environment), cached for a few minutes per warm container so a
 * rotation is picked up without a redeploy and without a Secrets Manager call per record.
 */
export function secretReader(arn: string, ttlMs = 5 * 60_000, client = new SecretsManagerClient({})): SecretReader {
  let cached: { value: Record<string, string>; at: number } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < ttlMs) return cached.value;
    const r = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!r.SecretString) throw new Error("secret has no string value");
    cached = { value: JSON.parse(r.SecretString) as Record<string, string>, at: Date.now() };
    return cached.value;
  };
}
