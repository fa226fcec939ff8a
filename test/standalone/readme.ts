import * as fs from "node:fs";
import * as path from "node:path";

const REPO_ROOT = path.join(__dirname, "..", "..");
const HEADING = "### Use the components on their own";

/** The README's standalone program: the first TypeScript block under its heading, exactly as users copy it. */
export function standaloneProgram(): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const at = readme.indexOf(HEADING);
  if (at < 0) throw new Error(`README.md has no '${HEADING}' section`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`'${HEADING}' has no TypeScript block`);
  return block[1];
}
