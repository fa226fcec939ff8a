// Plain checks shared by PlatformFunction and the policy pack (no Pulumi imports: the pack loads this).

// Names that hold secret values. `_ARN`, `_ID` and `_NAME` suffixes (or `Arn`, `Id`, `Name` in camelCase) point at a
// secret instead, which is the point.
const SECRET_NAME = /(PASSW(OR)?D|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
const REFERENCE_SUFFIX = /_(ARN|ID|NAME)$/i;
const CAMEL_REFERENCE = /[a-z0-9](Arn|Id|Name)$/;

/** Whether a variable or property name looks like it carries a secret value rather than a reference to one. */
export function isSecretLikeName(name: string): boolean {
  return SECRET_NAME.test(name) && !REFERENCE_SUFFIX.test(name) && !CAMEL_REFERENCE.test(name);
}

/** Environment variable names that look like they carry a secret value rather than a reference to one. */
export function secretLikeEnvNames(env: Record<string, unknown>): string[] {
  return Object.keys(env).filter(isSecretLikeName);
}
