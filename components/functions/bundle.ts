import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { BuildOptions } from "esbuild";
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

/** The components' root: `components/` in the repository, `dist/components/` in the package. */
const COMPONENTS_ROOT = path.resolve(__dirname, "..");
/**
 * Where the package carries its handlers, bundled at `npm run build` (see `prebuildHandlers`): one content-named
 * file per handler and a manifest keyed by the handler's source path under components/.
 */
export const PREBUILT_DIR = path.join(__dirname, "prebuilt");
export const PREBUILT_MANIFEST = "manifest.json";

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
// The code sits in its own content-named file beside a small index of the inputs and the code's hash: reading a
// few MB of plain text is a fraction of parsing it out of a JSON string, and the hash is not computed again.
const DISK_CACHE =
  process.env.DATA_PLATFORM_BUNDLE_CACHE === "off" ? undefined : path.resolve(__dirname, "../../out/.bundle-cache");

interface DiskEntry {
  readonly inputs: [file: string, size: number, mtimeMs: number][];
  /** The code's file in DISK_CACHE, its length and its base64 SHA-256. */
  readonly file: string;
  readonly length: number;
  readonly hash: string;
}

interface Built {
  readonly code: string;
  readonly hash: string;
}

function diskKey(entry: string): string {
  return createHash("sha256")
    .update(`${esbuildVersion()}\0${entry}\0${JSON.stringify({ ...options(entry), entryPoints: undefined })}`)
    .digest("hex")
    .slice(0, 32);
}

function fromDisk(entry: string): Built | undefined {
  if (!DISK_CACHE) return undefined;
  try {
    const cached = JSON.parse(fs.readFileSync(path.join(DISK_CACHE, `${diskKey(entry)}.json`), "utf8")) as DiskEntry;
    for (const [input, size, mtimeMs] of cached.inputs) {
      const s = fs.statSync(input);
      if (s.size !== size || s.mtimeMs !== mtimeMs) return undefined;
    }
    const code = fs.readFileSync(path.join(DISK_CACHE, cached.file), "utf8");
    return code.length === cached.length ? { code, hash: cached.hash } : undefined;
  } catch {
    return undefined;
  }
}

function toDisk(entry: string, built: Built, inputs: string[]): void {
  if (!DISK_CACHE) return;
  try {
    const stats = inputs.map((i): DiskEntry["inputs"][number] => {
      const s = fs.statSync(i);
      return [i, s.size, s.mtimeMs];
    });
    const key = diskKey(entry);
    const file = `${key}.${sha256(built.code, "hex").slice(0, 16)}.js`;
    fs.mkdirSync(DISK_CACHE, { recursive: true });
    // Each file renamed into place whole, the code before the index that names it: a concurrent reader sees the
    // old entry or the new one, never half. The entry's previous code file goes (a reader still on it rebuilds).
    const previous = fs.readdirSync(DISK_CACHE).filter((f) => f.startsWith(`${key}.`) && f.endsWith(".js"));
    const tmp = path.join(DISK_CACHE, `${key}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, built.code);
    fs.renameSync(tmp, path.join(DISK_CACHE, file));
    const index: DiskEntry = { inputs: stats, file, length: built.code.length, hash: built.hash };
    fs.writeFileSync(tmp, JSON.stringify(index));
    fs.renameSync(tmp, path.join(DISK_CACHE, `${key}.json`));
    for (const f of previous) if (f !== file) fs.rmSync(path.join(DISK_CACHE, f), { force: true });
  } catch {
    // A read-only checkout only loses the cache.
  }
}

// Why a process-wide cache too: several sources share one handler, and `pulumi preview` must stay fast.
const cache = new Map<string, Bundle>();

// esbuild is a development dependency: loaded only to bundle from sources (this repository's programs and
// `npm run build`), never by a program that uses the package's prebuilt handlers.
function esbuild(): typeof import("esbuild") {
  return require("esbuild") as typeof import("esbuild");
}

// Read from its package.json: loading esbuild's API only to key a cache hit costs more than the hit saves.
const esbuildVersion = () => (require("esbuild/package.json") as { version: string }).version;

function fromSource(entry: string): Built {
  const cached = fromDisk(entry);
  if (cached !== undefined) return cached;
  const opts = options(entry);
  const result = esbuild().buildSync(opts);
  const code = result.outputFiles[0].text;
  const built = { code, hash: sha256(code, "base64") };
  toDisk(
    entry,
    built,
    Object.keys(result.metafile.inputs).map((i) => path.resolve(opts.absWorkingDir!, i)),
  );
  return built;
}

/** A handler's key in the manifest: its source path under components/, with forward slashes. */
export function handlerKey(entry: string, root: string = COMPONENTS_ROOT): string {
  return path.relative(root, path.resolve(entry)).split(path.sep).join("/");
}

function sha256(code: string, encoding: "hex" | "base64"): string {
  return createHash("sha256").update(code).digest(encoding);
}

/** A prebuilt handler's code by its key (see `handlerKey`), checked against the hash in its file name. */
export function prebuiltCode(key: string, dir: string = PREBUILT_DIR): string {
  let manifest: Record<string, string>;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, PREBUILT_MANIFEST), "utf8")) as Record<string, string>;
  } catch {
    throw new Error(
      `handler ${key}: neither its source nor the prebuilt handlers (${dir}) are present; ` +
        "a package must be built with `npm run build`",
    );
  }
  const file = manifest[key];
  if (file === undefined) throw new Error(`handler ${key} is not among the prebuilt handlers (${dir})`);
  const code = fs.readFileSync(path.join(dir, file), "utf8");
  // The file name carries the content's hash: a truncated or edited bundle is refused, not deployed.
  if (!file.includes(`.${sha256(code, "hex").slice(0, 16)}.`)) {
    throw new Error(`prebuilt handler ${file} does not match the hash in its name`);
  }
  return code;
}

/**
 * A handler's deployment bundle. From its TypeScript source when the source is present (this repository's
 * programs), bundled synchronously at program time (no Output plumbing, so the hash is a plain string the engine
 * diffs); otherwise the bundle the package ships, built from the same source with the same options at
 * `npm run build`. Deterministic either way: same sources, same bytes, same hash.
 */
export function bundle(entry: string): Bundle {
  const key = path.resolve(entry);
  const hit = cache.get(key);
  if (hit) return hit;
  let code: string;
  let hash: string;
  if (fs.existsSync(key)) ({ code, hash } = fromSource(key));
  else {
    code = prebuiltCode(handlerKey(key));
    hash = sha256(code, "base64");
  }
  const built: Bundle = {
    code,
    hash,
    archive: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) }),
  };
  cache.set(key, built);
  return built;
}

/** Handler entry points under a components root: modules directly in a `handlers/` folder that export `handler`. */
export function handlerSources(root: string = COMPONENTS_ROOT): string[] {
  const found: string[] = [];
  for (const rel of fs.readdirSync(root, { recursive: true, encoding: "utf8" })) {
    const parts = rel.split(path.sep);
    if (parts.length < 2 || parts[parts.length - 2] !== "handlers" || !rel.endsWith(".ts")) continue;
    if (rel.endsWith(".test.ts") || rel.endsWith(".d.ts")) continue;
    const text = fs.readFileSync(path.join(root, rel), "utf8");
    if (/^export (const|async function|function) handler\b/m.test(text)) found.push(path.join(root, rel));
  }
  return found.sort();
}

/**
 * Bundles every handler under `sourceRoot` into `outDir` as `<domain>-<handler>.<sha256>.js` plus the manifest
 * `bundle` reads (what `npm run build` runs). Returns the manifest.
 */
export function prebuildHandlers(sourceRoot: string, outDir: string): Record<string, string> {
  const manifest: Record<string, string> = {};
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const entry of handlerSources(sourceRoot)) {
    const { code } = fromSource(entry);
    const key = handlerKey(entry, sourceRoot);
    const file = `${key.replace(/\/handlers\//, "-").replace(/\.ts$/, "")}.${sha256(code, "hex").slice(0, 16)}.js`;
    fs.writeFileSync(path.join(outDir, file), code);
    manifest[key] = file;
  }
  fs.writeFileSync(path.join(outDir, PREBUILT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
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
