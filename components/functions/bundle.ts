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
export const RUNTIME_PROVIDED = ["@aws-sdk/*", "@smithy/*", "@aws-crypto/*"];

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
    external: RUNTIME_PROVIDED,
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

/** How many distinct entries were bundled in this process (tests assert the cache holds). */
export function bundleCount(): number {
  return cache.size;
}
