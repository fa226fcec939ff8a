import { createHash } from "crypto";
import * as path from "path";
import { buildSync } from "esbuild";
import * as pulumi from "@pulumi/pulumi";

/** Lambda runtime every platform function runs on, and the matching esbuild target. */
export const NODE_RUNTIME = "nodejs22.x";
const ESBUILD_TARGET = "node22";

/**
 * Packages the Lambda Node.js runtime already provides. Bundling them would add megabytes per function and
 * pin an SDK the runtime patches for us; everything else (Powertools, ajv, pg, kafkajs) goes into the bundle.
 */
export const RUNTIME_PROVIDED = ["@aws-sdk/*"];
// Optional native bindings that libraries require only when asked for (pg's `pg.native`); never loaded here.
const NEVER_LOADED = ["pg-native"];

export interface Bundle {
  /** The bundled CommonJS module; the function's handler is `index.handler`. */
  readonly code: string;
  /** Base64 SHA-256 of `code`: what Lambda's `sourceCodeHash` compares, so only a changed bundle redeploys. */
  readonly hash: string;
  /** Deployment package: one file, `index.js`. */
  readonly archive: pulumi.asset.AssetArchive;
}

// Why a process-wide cache: several sources share one handler, and `pulumi preview` must stay fast.
const cache = new Map<string, Bundle>();

/**
 * Bundles a TypeScript handler synchronously at program time (no Output plumbing, so the hash is a plain
 * string the engine diffs). Deterministic: same sources, same bytes, same hash. Minify stays off so stack
 * traces in the logs point at readable code.
 */
export function bundle(entry: string): Bundle {
  const key = path.resolve(entry);
  const hit = cache.get(key);
  if (hit) return hit;
  const result = buildSync({
    entryPoints: [key],
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    target: ESBUILD_TARGET,
    external: [...RUNTIME_PROVIDED, ...NEVER_LOADED],
    minify: false,
    keepNames: true,
    legalComments: "none",
    logLevel: "silent",
    // Module paths appear in comments: keep them relative to the entry and through symlinks, so the hash
    // does not depend on where (or how) the repository is checked out.
    absWorkingDir: path.dirname(key),
    preserveSymlinks: true,
  });
  const code = result.outputFiles[0].text;
  const hash = createHash("sha256").update(code).digest("base64");
  const built: Bundle = { code, hash, archive: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) }) };
  cache.set(key, built);
  return built;
}

/**
 * The deployment package: the bundle plus small static files beside it (e.g. a source's config and payload
 * schema, which can outgrow Lambda's 4 KB environment). The hash covers every byte, so a changed schema redeploys.
 */
export function packageFiles(built: Bundle, files: Readonly<Record<string, string>> = {}): { archive: pulumi.asset.AssetArchive; hash: string } {
  const names = Object.keys(files).sort();
  if (names.length === 0) return { archive: built.archive, hash: built.hash };
  if (names.includes("index.js")) throw new Error("extra files cannot replace index.js");
  const h = createHash("sha256").update(built.code);
  for (const n of names) h.update(`\0${n}\0${files[n]}`);
  const assets: Record<string, pulumi.asset.Asset> = { "index.js": new pulumi.asset.StringAsset(built.code) };
  for (const n of names) assets[n] = new pulumi.asset.StringAsset(files[n]);
  return { archive: new pulumi.asset.AssetArchive(assets), hash: h.digest("base64") };
}

/** How many distinct entries were bundled in this process (tests assert the cache holds). */
export function bundleCount(): number {
  return cache.size;
}
