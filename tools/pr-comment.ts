// `node -r ./tools/register.js tools/pr-comment.ts out/<stack>`: one stack's section of the pull-request comment,
// from the offline plan's plan.json and the exit code the workflow recorded next to it. The workflow joins the
// sections under MARKER and keeps one comment per pull request up to date.
import * as fs from "node:fs";
import * as path from "node:path";
import { changesSection } from "./plan/changes-report";
import { costChangeSection, usd } from "./plan/cost-report";
import type { PlanDocument } from "./plan/report";

/** Identifies the plan comment among a pull request's comments, so each run edits it instead of adding one. */
export const MARKER = "<!-- data-platform:offline-plan -->";
/** Rows per table: GitHub refuses comments over 65,536 characters; the artefacts hold everything. */
const MAX_ROWS = 30;

const cell = (s: string) => s.replace(/\n/g, " ").replace(/\|/g, "\\|");
const at = (urn?: string) => (urn ? `\`${urn.split("::").pop()}\`` : "(stack)");

function table(header: string, rows: string[]): string[] {
  const shown = rows.slice(0, MAX_ROWS);
  const more = rows.length > MAX_ROWS ? [`| … ${rows.length - MAX_ROWS} more in the artefact | | |`] : [];
  return [header, "| --- | --- | --- |", ...shown, ...more];
}

/** The Markdown section for one stack: a verdict line, mandatory violations, then advisories and waivers folded. */
export function stackSection(stack: string, exitCode: number, doc?: PlanDocument): string {
  if (!doc)
    return `### \`${stack}\`: the plan did not run (exit ${exitCode})\n\nThe config or the program failed; the job log lists every problem.\n`;
  const mandatory = doc.policies.filter((v) => v.level === "mandatory");
  const advisory = doc.policies.filter((v) => v.level === "advisory");
  const resources = doc.resources.filter(
    (r) => !r.type.startsWith("pulumi:") && !r.type.startsWith("data-platform:"),
  ).length;
  const verdict = exitCode === 0 ? "passes" : "**fails**";
  const out = [
    `### \`${stack}\` (${doc.environment}) ${verdict}: ${resources} resources, ${mandatory.length} mandatory and ${advisory.length} advisory violation(s), ${doc.waivers.length} waiver(s)`,
    "",
  ];
  const row = (v: PlanDocument["policies"][number]) => `| \`${v.policy}\` | ${at(v.urn)} | ${cell(v.message)} |`;
  if (mandatory.length > 0) out.push(...table("| policy | resource | violation |", mandatory.map(row)), "");
  if (advisory.length > 0)
    out.push(
      "<details><summary>Advisory</summary>",
      "",
      ...table("| policy | resource | violation |", advisory.map(row)),
      "",
      "</details>",
      "",
    );
  if (doc.waivers.length > 0) {
    out.push(
      "<details><summary>Waivers in use</summary>",
      "",
      ...table(
        "| policy | resource | reason |",
        doc.waivers.map((w) => `| \`${w.policy}\` | ${at(w.urn)} | ${cell(w.reason)} |`),
      ),
      "",
      "</details>",
      "",
    );
  }
  if (doc.changes) {
    const lossy = doc.changes.verdicts.length > 0;
    out.push(
      lossy ? "#### Changes" : "<details><summary>Changes</summary>",
      "",
      ...changesSection(doc.changes, MAX_ROWS),
      ...(lossy ? [] : ["</details>", ""]),
    );
  }
  if (doc.cost) {
    const c = doc.cost;
    out.push(
      `Cost estimate: **${usd(c.monthlyTotal)}** a month (${usd(c.idleTotal)} idle, ${usd(c.usageTotal)} from the volume assumptions)${c.unpriced.length ? `, ${c.unpriced.length} item(s) unpriced` : ""}${doc.costChange ? `; ${doc.costChange.change >= 0 ? "+" : "−"}${usd(Math.abs(doc.costChange.change))} against the base` : ""}.`,
      "",
    );
  }
  if (doc.costChange)
    out.push(
      "<details><summary>Cost change</summary>",
      "",
      ...costChangeSection(doc.costChange, MAX_ROWS),
      "</details>",
      "",
    );
  if (doc.unusedWaivers.length > 0)
    out.push(
      `${doc.unusedWaivers.length} waiver(s) match no resource: ${doc.unusedWaivers.map((w) => `\`${w.policy}\` → \`${w.resource}\``).join(", ")}.`,
      "",
    );
  return out.join("\n");
}

/** Reads out/<stack>/plan.json and out/<stack>/exit-code (written by the workflow; 2 when missing). */
export function sectionFromDir(dir: string): string {
  const stack = path.basename(dir);
  const codeFile = path.join(dir, "exit-code");
  const code = fs.existsSync(codeFile) ? Number(fs.readFileSync(codeFile, "utf8").trim()) : 2;
  const planFile = path.join(dir, "plan.json");
  const doc = fs.existsSync(planFile) ? (JSON.parse(fs.readFileSync(planFile, "utf8")) as PlanDocument) : undefined;
  return stackSection(stack, code, doc);
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: node -r ./tools/register.js tools/pr-comment.ts out/<stack>");
    process.exit(2);
  }
  process.stdout.write(sectionFromDir(path.resolve(dir)));
}
