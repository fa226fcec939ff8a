// Runs the repository's TypeScript directly: a require hook that strips types with esbuild, file by file.
// ts-node spends about 2 s of every plan loading and running the TypeScript compiler; esbuild needs a few
// milliseconds per file. Type checking is `npm run typecheck`'s job, once, not every run's.
"use strict";
const fs = require("node:fs");
const { transformSync } = require("esbuild");

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), {
    loader: "ts",
    format: "cjs",
    target: "node20",
    sourcefile: filename,
    // Inline maps let `node --enable-source-maps` (tests, debugging) point at the TypeScript lines.
    sourcemap: "inline",
  });
  module._compile(code, filename);
};
