// After tsc: put what the components read at run time next to the compiled code. Function handlers stay
// TypeScript (esbuild bundles them at plan time; their imports resolve to the compiled modules beside them),
// and the warehouse's SQL migrations are read from disk.
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const wanted = (rel) =>
  rel.endsWith(".sql") ||
  (rel.split(path.sep).includes("handlers") && rel.endsWith(".ts") && !rel.endsWith(".test.ts"));

let copied = 0;
for (const rel of fs.readdirSync(path.join(root, "components"), { recursive: true })) {
  if (!wanted(rel)) continue;
  const to = path.join(root, "dist", "components", rel);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(path.join(root, "components", rel), to);
  copied++;
}
console.error(`copied ${copied} handler and SQL files into dist/components`);
