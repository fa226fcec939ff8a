// `npm run docs`: rewrites the generated parts of README.md (the policy catalogue) from the code.
import * as fs from "node:fs";
import * as path from "node:path";
import { allRules } from "../policies/rules";
import { catalogueTable } from "./plan/catalogue";
import { REPO_ROOT } from "./plan/run";

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

export function renderReadme(text: string): string {
  return replaceSection(text, "policy-catalogue", `${allRules.length} rules.\n\n${catalogueTable(allRules)}`);
}

if (require.main === module) {
  fs.writeFileSync(README, renderReadme(fs.readFileSync(README, "utf8")));
  console.log("README.md updated");
}
