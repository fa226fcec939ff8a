import * as fs from "node:fs";
import * as path from "node:path";

// Checks Helm values against the key paths a pinned chart version publishes. Each chart has a fixture
// `<fixtures>/<chart>-values-keys.json`, read by hand from the chart's values.yaml at its release tag.

export interface KeyFixture {
  chart: string;
  version: string;
  /** Leaf key paths present in the chart's values.yaml (or documented in its comments). */
  paths: string[];
  /** Paths the templates pass through whole (toYaml or range): anything below them is the user's. */
  openMaps: string[];
}

export const readKeyFixture = (dir: string, chart: string): KeyFixture =>
  JSON.parse(fs.readFileSync(path.join(dir, `${chart}-values-keys.json`), "utf8")) as KeyFixture;

/** Leaf key paths of a values object; arrays and nulls are leaves, open maps stop the walk. */
export function leafPaths(o: unknown, openMaps: readonly string[], prefix = ""): string[] {
  if (prefix && openMaps.includes(prefix)) return [prefix];
  if (!o || typeof o !== "object" || Array.isArray(o)) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => leafPaths(v, openMaps, prefix ? `${prefix}.${k}` : k));
}

/** Paths the values use that the pinned chart version does not know. */
export function unknownKeys(values: object, f: KeyFixture): string[] {
  return leafPaths(values, f.openMaps).filter((p) => !f.paths.includes(p) && !f.openMaps.includes(p));
}
