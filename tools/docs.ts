// `npm run docs`: rewrites the generated parts of README.md (the policy catalogue, the "who can access what" table
// of the prod plan) and docs/access.md (the access matrix) from the code.
import * as fs from "node:fs";
import * as path from "node:path";
import { allRules } from "../policies/rules";
import { catalogueTable } from "./plan/catalogue";
import { renderMatrix } from "./access/matrix";
import { renderAccessTable, whoCanAccessWhat } from "./access/table";
import { plan } from "./plan/plan";
import { REPO_ROOT, stackFilePath } from "./plan/run";

export const README = path.join(REPO_ROOT, "README.md");

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} section`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}

/** `accessTable`: the rendered prod access table (it needs a plan, so callers compute it); absent leaves it as is. */
export function renderReadme(text: string, accessTable?: string): string {
  const out = replaceSection(text, "policy-catalogue", `${allRules.length} rules.\n\n${catalogueTable(allRules)}`);
  return accessTable === undefined ? out : replaceSection(out, "access-table", accessTable);
}

export const ACCESS_DOC = path.join(REPO_ROOT, "docs", "access.md");

if (require.main === module) {
  void (async () => {
    const result = await plan({ stackFile: stackFilePath("prod"), rules: allRules, log: () => undefined });
    if (!result.resources) throw new Error(`plan of prod failed: ${result.error ?? ""}`);
    const table = renderAccessTable(await whoCanAccessWhat(result.resources));
    fs.writeFileSync(README, renderReadme(fs.readFileSync(README, "utf8"), table));
    fs.writeFileSync(ACCESS_DOC, replaceSection(fs.readFileSync(ACCESS_DOC, "utf8"), "access-matrix", renderMatrix()));
    console.log("README.md and docs/access.md updated");
  })();
}
