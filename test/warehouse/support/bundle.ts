import Module = require("module");
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RUNTIME_PROVIDED } from "../../../components/functions/bundle";

const NODE_MODULES = path.resolve(__dirname, "../../../node_modules");

/**
 * Loads bundled handler code as the Lambda runtime would: a fresh CommonJS module that can resolve only the
 * packages the runtime provides (the AWS SDK and its helpers, linked from this repo). Anything the bundle
 * forgot to include fails to load here, as it would in Lambda.
 */
export function loadLikeLambda<T>(code: string): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-"));
  const modules = path.join(dir, "node_modules");
  fs.mkdirSync(modules);
  for (const scope of new Set(RUNTIME_PROVIDED.map((p) => p.split("/")[0]))) {
    if (fs.existsSync(path.join(NODE_MODULES, scope)))
      fs.symlinkSync(path.join(NODE_MODULES, scope), path.join(modules, scope));
  }
  const filename = path.join(dir, "index.js");
  const m = new Module(filename) as Module & { _compile(code: string, filename: string): void };
  m.filename = filename;
  m.paths = [modules];
  m._compile(code, filename);
  return m.exports as T;
}
