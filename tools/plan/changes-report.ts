import type { ChangeKind, Changes, ResourceChange } from "./changes";

const KINDS: readonly ChangeKind[] = ["added", "deleted", "replaced", "renamed", "updated", "unchanged"];
const cell = (s: string) => s.replace(/\n/g, " ").replace(/\|/g, "\\|");
const short = (urn: string) => urn.split("::").pop()!;
const kindOf = (t: string) => t.split(":").pop()!;

/** `3 added, 2 deleted, …` (kinds with none left out). */
export function changeCounts(c: Changes): string {
  return (
    KINDS.filter((k) => c.counts[k] > 0)
      .map((k) => `${c.counts[k]} ${k}`)
      .join(", ") || "no resources"
  );
}

function detail(r: ResourceChange): string {
  if (r.kind === "renamed") return `from \`${short(r.from!)}\`; add \`aliases: ["${r.from}"]\``;
  if (r.kind === "replaced") return `forced by ${r.forcedBy!.map((p) => `\`${p}\``).join(", ")}`;
  if (r.kind === "updated") {
    const shown = r.changed!.slice(0, 5).map((p) => `\`${p}\``);
    return `${shown.join(", ")}${r.changed!.length > 5 ? ` and ${r.changed!.length - 5} more` : ""}`;
  }
  return r.from ? `moved from \`${short(r.from)}\` (aliases)` : "";
}

/**
 * The "Changes" section: the data-loss verdicts first (what blocks the merge), then every change, at most
 * `maxRows` rows (a pull-request comment has a size limit; plan.json holds everything).
 */
export function changesSection(c: Changes, maxRows = Infinity): string[] {
  const out = [`Against \`${c.against}\`: ${changeCounts(c)}.`, ""];
  if (c.verdicts.length > 0) {
    out.push("| level | resource | data loss |", "| --- | --- | --- |");
    for (const v of c.verdicts) out.push(`| ${v.level} | \`${short(v.urn)}\` | ${cell(v.message)} |`);
    out.push("");
  } else out.push("No resource that holds data is deleted or replaced without a waiver.", "");
  if (c.waivers.length > 0) {
    out.push("Waived:", "");
    for (const w of c.waivers) out.push(`- \`${short(w.urn)}\`: ${w.reason}`);
    out.push("");
  }
  const rows = c.resources.filter((r) => r.kind !== "updated" || r.changed!.some((p) => !p.startsWith("tags")));
  if (rows.length > 0) {
    out.push("| change | type | resource | detail |", "| --- | --- | --- | --- |");
    for (const r of rows.slice(0, maxRows))
      out.push(`| ${r.kind} | \`${kindOf(r.type)}\` | \`${short(r.urn)}\` | ${cell(detail(r))} |`);
    if (rows.length > maxRows) out.push(`| … ${rows.length - maxRows} more in plan.json | | | |`);
    const tagsOnly = c.resources.length - rows.length;
    if (tagsOnly > 0) out.push("", `${tagsOnly} more updated in their tags only.`);
    out.push("");
  }
  return out;
}
