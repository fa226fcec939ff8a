/**
 * One thing wrong with the config: where (a dotted path from the config root) and what is allowed.
 * Every domain's config module reports these; the config loader collects them into one ConfigError.
 */
export interface Problem {
  readonly path: string;
  readonly message: string;
}
