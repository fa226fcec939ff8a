// After tsc: put what the compiled components read at run time next to them. The warehouse's SQL migrations are
// read from disk; every Lambda handler is bundled here, once, so the package ships the bundles and none of the
// handlers' runtime libraries (AWS SDK helpers, Powertools, pg, kafkajs, ...) become the library's dependencies.
import * as fs from "node:fs";
import * as path from "node:path";
import { prebuildHandlers } from "../components/functions/bundle";

const root = path.resolve(__dirname, "..");
const components = path.join(root, "components");
const dist = path.join(root, "dist", "components");

let sql = 0;
for (const rel of fs.readdirSync(components, { recursive: true, encoding: "utf8" })) {
  if (!rel.endsWith(".sql")) continue;
  const to = path.join(dist, rel);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(path.join(components, rel), to);
  sql++;
}
const handlers = prebuildHandlers(components, path.join(dist, "functions", "prebuilt"));
console.error(
  `copied ${sql} SQL files; prebuilt ${Object.keys(handlers).length} handlers into dist/components/functions/prebuilt`,
);
