// `npm pack` hook: the registry's page renders README.md with relative links resolved against a repository the
// package does not name, so links to docs/ would be dead there. Before packing, links to shipped docs become
// links to this exact version's files on unpkg (which serves every published file); after packing, the README is
// restored byte for byte.
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const README = path.join(ROOT, "README.md");
const SAVED = path.join(ROOT, ".pack", "README.md");

/** README text with every `](docs/…)` link pointing at the given version's published file. */
export function absoluteDocLinks(readme: string, name: string, version: string): string {
  return readme.replace(
    /\]\(docs\/([^)\s]+)\)/g,
    (_, target: string) => `](https://unpkg.com/${name}@${version}/docs/${target})`,
  );
}

function main(mode: string | undefined): void {
  if (mode === "pre") {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    // A pack that failed after this step left the rewritten README: start again from the saved original.
    if (fs.existsSync(SAVED)) fs.renameSync(SAVED, README);
    const readme = fs.readFileSync(README, "utf8");
    fs.mkdirSync(path.dirname(SAVED), { recursive: true });
    fs.writeFileSync(SAVED, readme);
    fs.writeFileSync(README, absoluteDocLinks(readme, pkg.name, pkg.version));
  } else if (mode === "post") {
    if (fs.existsSync(SAVED)) fs.renameSync(SAVED, README);
  } else {
    throw new Error("usage: readme-links pre|post");
  }
}

if (require.main === module) main(process.argv[2]);
