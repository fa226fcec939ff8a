import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { buildSync, BuildOptions, version as esbuildVersion } from "esbuild";
import * as pulumi from "@pulumi/pulumi";

/** Lambda runtime every platform function runs on, and the matching esbuild target. */
export const NODE_RUNTIME = "nodejs22.x";
const ESBUILD_TARGET = "node22";

/**
 * Packages the Lambda Node.js runtime provides: the AWS SDK v3 service clients. Bundling them would add megabytes
 * per function and pin an SDK the runtime patches for us. Everything else (Powertools, ajv, pg, kafkajs, SDK
 * helper packages the runtime is not guaranteed to carry) goes into the bundle.
 */
export const RUNTIME_PROVIDED = ["@aws-sdk/client-*"];
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

function options(entry: string): BuildOptions & { write: false; metafile: true } {
  return {
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "cjs",
    target: ESBUILD_TARGET,
    external: [...RUNTIME_PROVIDED, ...NEVER_LOADED],
    // Readable stack traces in the function's logs matter more than a few hundred KB.
    minify: false,
    keepNames: true,
    legalComments: "none",
    logLevel: "silent",
    // Module paths appear in comments: keep them relative to the entry and through symlinks, so the hash
    // does not depend on where (or how) the repository is checked out.
    absWorkingDir: path.dirname(entry),
    preserveSymlinks: true,
  };
}

// Bundles survive between processes in the repository's ignored out/ directory, keyed by entry and options and
// trusted only while every input file keeps its size and modification time. A miss or any error just rebuilds.
const DISK_CACHE =
  process.env.DATA_PLATFORM_BUNDLE_CACHE === "off" ? undefined : path.resolve(__dirname, "../../out/.bundle-cache");

interface DiskEntry {
  readonly inputs: [file: string, size: number, mtimeMs: number][];
  readonly code: string;
}

function diskFile(entry: string): string | undefined {
  if (!DISK_CACHE) return undefined;
  const key = createHash("sha256")
    .update(`${esbuildVersion}\0${entry}\0${JSON.stringify({ ...options(entry), entryPoints: undefined })}`)
    .digest("hex")
    .slice(0, 32);
  return path.join(DISK_CACHE, `${key}.json`);
}

function fromDisk(entry: string): string | undefined {
  const file = diskFile(entry);
  if (!file) return undefined;
  try {
    const cached = JSON.parse(fs.readFileSync(file, "utf8")) as DiskEntry;
    for (const [input, size, mtimeMs] of cached.inputs) {
      const s = fs.statSync(input);
      if (s.size !== size || s.mtimeMs !== mtimeMs) return undefined;
    }
    return cached.code;
  } catch {
    return undefined;
  }
}

function toDisk(entry: string, code: string, inputs: string[]): void {
  const file = diskFile(entry);
  if (!file) return;
  try {
    const stats = inputs.map((i): DiskEntry["inputs"][number] => {
      const s = fs.statSync(i);
      return [i, s.size, s.mtimeMs];
    });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ inputs: stats, code } satisfies DiskEntry));
    fs.renameSync(tmp, file); // atomic: a concurrent reader sees the old entry or the new one, never half
  } catch {
    // A read-only checkout only loses the cache.
  }
}

// Why a process-wide cache too: several sources share one handler, and `pulumi preview` must stay fast.
const cache = new Map<string, Bundle>();

/**
 * Bundles a TypeScript handler synchronously at program time (no Output plumbing, so the hash is a plain
 * string the engine diffs). Deterministic: same sources, same bytes, same hash.
 */
export function bundle(entry: string): Bundle {
  const key = path.resolve(entry);
  const hit = cache.get(key);
  if (hit) return hit;
  let code = fromDisk(key);
  if (code === undefined) {
    const opts = options(key);
    const result = buildSync(opts);
    code = result.outputFiles[0].text;
    toDisk(
      key,
      code,
      Object.keys(result.metafile.inputs).map((i) => path.resolve(opts.absWorkingDir!, i)),
    );
  }
  const hash = createHash("sha256").update(code).digest("base64");
  const built: Bundle = {
    code,
    hash,
    archive: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) }),
  };
  cache.set(key, built);
  return built;
}

/**
 * The deployment package: the bundle plus small static files beside it (e.g. a source's config and payload
 * schema, which can outgrow Lambda's 4 KB environment). The hash covers every byte, so a changed schema redeploys.
 */
export function packageFiles(
  built: Bundle,
  files: Readonly<Record<string, string>> = {},
): { archive: pulumi.asset.AssetArchive; hash: string } {
  const names = Object.keys(files).sort();
  if (names.length === 0) return { archive: built.archive, hash: built.hash };
  if (names.includes("index.js")) throw new Error("extra files cannot replace index.js");
  const h = createHash("sha256").update(built.code);
  for (const n of names) h.update(`\0${n}\0${files[n]}`);
  const assets: Record<string, pulumi.asset.Asset> = { "index.js": new pulumi.asset.StringAsset(built.code) };
  for (const n of names) assets[n] = new pulumi.asset.StringAsset(files[n]);
  return { archive: new pulumi.asset.AssetArchive(assets), hash: h.digest("base64") };
}

/** Drops the in-process cache (tests use it to exercise the on-disk one). */
export function forgetBundles(): void {
  cache.clear();
}

/** How many distinct entries were bundled in this process (tests assert the cache holds). */
export function bundleCount(): number {
  return cache.size;
}
