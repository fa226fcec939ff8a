// Plain checks shared by PlatformFunction and the policy pack (no Pulumi imports: the pack loads this).

// Names that hold secret values. `_ARN`, `_ID` and `_NAME` suffixes point at a secret instead, which is the point.
const SECRET_NAME = /(PASSW(OR)?D|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
const REFERENCE_SUFFIX = /_(ARN|ID|NAME)$/i;

/** Environment variable names that look like they carry a secret value rather than a reference to one. */
export function secretLikeEnvNames(env: Record<string, unknown>): string[] {
  return Object.keys(env).filter((k) => SECRET_NAME.test(k) && !REFERENCE_SUFFIX.test(k));
}
