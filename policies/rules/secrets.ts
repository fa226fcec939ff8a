// Secrets and the deploy-time invocations that hand data to functions: credentials live in Secrets Manager under a
// customer-managed key and travel by ARN, never by value.
import { isSecretLikeName } from "../../components/functions/env";
import { ALWAYS, PlatformRule, resourceRule, stackRule } from "./define";
import { stackIndex } from "./stack-index";

export const SECRET_TYPES = {
  secret: "aws:secretsmanager/secret:Secret",
  version: "aws:secretsmanager/secretVersion:SecretVersion",
  invocation: "aws:lambda/invocation:Invocation",
} as const;
const S = SECRET_TYPES;

/** A password written into SQL text (CREATE USER … PASSWORD '…'); PASSWORD DISABLE is fine. */
const SQL_PASSWORD = /\bPASSWORD\s+'[^']+'/i;

/** A credential assigned in properties or JAAS text (`password=…`, `password="…"`). */
const ASSIGNED = /(?:^|[\s;.])(?:password|passwd|secret|token|access.?key|private.?key)\s*[=:]\s*"?[^\s";]+/im;

/** Keys of a ConfigMap's data (or lines of its files) that carry a credential by value. */
export function configCredentials(data: Record<string, unknown>): string[] {
  return Object.entries(data)
    .filter(([k, v]) => typeof v === "string" && v !== "" && (isSecretLikeName(k) || ASSIGNED.test(v)))
    .map(([k]) => k);
}

/** Paths in a JSON value where a credential is carried by value. */
export function credentialPaths(value: unknown, path = "input"): string[] {
  if (typeof value === "string") return SQL_PASSWORD.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => credentialPaths(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) =>
    typeof v === "string" && v !== "" && isSecretLikeName(k) ? [`${path}.${k}`] : credentialPaths(v, `${path}.${k}`),
  );
}

export const secretRules: PlatformRule[] = [
  resourceRule({
    name: "secrets-kms-cmk",
    description:
      "Every Secrets Manager secret is encrypted with a customer-managed KMS key, so reading it needs both the secret and the key policy's consent.",
    remediation:
      "Set kmsKeyId to the key of the secret's classification (the warehouse and query engine use the confidential key).",
    group: "security",
    resourceTypes: [S.secret],
    enforcement: ALWAYS,
    validate(r, report) {
      // Unset, or alias/aws/secretsmanager, is the AWS-managed key: every principal with secret access can decrypt.
      const key = r.props.kmsKeyId;
      if (typeof key !== "string" || key === "" || /alias\/aws\//.test(key))
        report(`is encrypted with the AWS-managed key (kmsKeyId: ${key ?? "unset"})`);
    },
  }),
  stackRule({
    name: "secrets-version-of-declared-secret",
    description:
      "Every secret value is written to a secret this stack declares, so its key, recovery window and tags are judged too.",
    remediation: "Create the aws.secretsmanager.Secret in the same program and pass its id as secretId.",
    group: "governance",
    resourceTypes: [S.version, S.secret],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const v of stackIndex(resources).ofType(S.version)) {
        if (!v.dependencies.some((d) => d.type === S.secret))
          report(
            `'${v.name}' writes to a secret this stack does not declare (${v.props.secretId ?? "unknown"})`,
            v.urn,
          );
      }
    },
  }),
  resourceRule({
    name: "deploy-invocation-no-credentials",
    description:
      "Deploy-time function invocations carry no credential values in their input (it is stored in state and shown in previews); they pass secret ARNs and the function reads the secret.",
    remediation:
      "Put the credential in Secrets Manager and pass its ARN (e.g. secretArn); never interpolate passwords into SQL.",
    group: "security",
    resourceTypes: [S.invocation],
    enforcement: ALWAYS,
    validate(r, report) {
      let input: unknown;
      try {
        input = JSON.parse(String(r.props.input ?? "null"));
      } catch {
        return report("input is not JSON, so it cannot be checked for credentials");
      }
      for (const p of credentialPaths(input)) report(`carries a credential at ${p}`);
    },
  }),
];
