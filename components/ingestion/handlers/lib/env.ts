/** A required setting; a missing one is a deployment bug, so fail the cold start loudly. */
export function requireEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`environment variable ${name} is required`);
  return v;
}

export function intEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n))
    throw new Error(`environment variable ${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

export function optionalEnv(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
}
