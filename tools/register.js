// Runs the repository's TypeScript directly: a require hook that strips types with esbuild, file by file.
// ts-node spends about 2 s of every plan loading and running the TypeScript compiler; esbuild needs a few
// milliseconds per file, and a content-addressed cache skips even that (and esbuild's start) on the next run.
// Type checking is `npm run typecheck`'s job, once, not every run's.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const CACHE = path.join(__dirname, "..", "node_modules", ".cache", "data-platform-ts");
const OPTIONS = { loader: "ts", format: "cjs", target: "node22", sourcemap: "inline" };
const VERSION = `${require("esbuild/package.json").version}:${JSON.stringify(OPTIONS)}`;

function transform(source, filename) {
  // Keyed by content and file name, not directory: another checkout of the same files (the base of
  // `plan --against <ref>` is a temporary worktree) reuses the entries. The map names the file relative to itself.
  const sourcefile = path.basename(filename);
  const key = crypto.createHash("sha256").update(VERSION).update(sourcefile).update(source).digest("hex");
  const cached = path.join(CACHE, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // Inline maps let `node --enable-source-maps` (tests, debugging) point at the TypeScript lines.
    const { code } = require("esbuild").transformSync(source, { ...OPTIONS, sourcefile });
    try {
      fs.mkdirSync(CACHE, { recursive: true });
      fs.writeFileSync(`${cached}.${process.pid}`, code);
      fs.renameSync(`${cached}.${process.pid}`, cached); // atomic: parallel processes never read half a file
    } catch {
      // A read-only tree still runs, just uncached.
    }
    return code;
  }
}

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  module._compile(transform(fs.readFileSync(filename, "utf8"), filename), filename);
};

// @pulumi/pulumi requires the TypeScript compiler as it loads (about 0.2 s), for closure serialisation, which
// this project never uses: its shim resolves to a proxy that loads the compiler on first use instead.
const Module = require("node:module");
const shim = require.resolve("@pulumi/pulumi/typescript-shim.js");
if (!require.cache[shim]) {
  let ts;
  const real = () => (ts ??= require("typescript"));
  const lazy = new Proxy(
    {},
    {
      get: (_, key) => real()[key],
      has: (_, key) => key in real(),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_, key) => Object.getOwnPropertyDescriptor(real(), key),
    },
  );
  const placeholder = new Module(shim, module);
  placeholder.filename = shim;
  placeholder.loaded = true;
  placeholder.exports = lazy;
  require.cache[shim] = placeholder;
}
