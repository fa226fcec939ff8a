import Module = require("module");
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");

/**
 * Loads a bundle's code as a fresh CommonJS module, the way the Lambda runtime loads index.js. Only the
 * packages the runtime provides (the AWS SDK) resolve from outside it, here from the repo's node_modules.
 */
export function loadBundle<T = Record<string, unknown>>(code: string, name = "index.js"): T {
  const filename = path.join(REPO, ".bundles", name);
  const m = new Module(filename) as Module & { _compile(code: string, filename: string): void };
  m.filename = filename;
  m.paths = [path.join(REPO, "node_modules")];
  m._compile(code, filename);
  return m.exports as T;
}
