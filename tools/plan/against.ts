// The base of a comparison: a plan.json on disk, or a git ref planned from a temporary worktree with that ref's own
// program, config and tools, so a change to the code counts as much as a change to the config.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readPlan } from "./document";
import type { PlanDocument } from "./report";
import { REPO_ROOT } from "./run";

export interface PlanSource {
  /** A plan.json path, or a git ref (branch, tag, commit). */
  readonly against: string;
  /** The stack's file relative to the repository (stacks/Pulumi.<stack>.yaml), or an absolute path outside it. */
  readonly stackFile: string;
  readonly log?: (line: string) => void;
}

const git = (args: string[], cwd = REPO_ROOT) =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** Reads the base plan: the file when `against` is one, else plans the git ref in a temporary worktree. */
export function basePlan(src: PlanSource): PlanDocument {
  if (fs.existsSync(src.against) && fs.statSync(src.against).isFile()) return readPlan(src.against);
  let commit: string;
  try {
    commit = git(["rev-parse", "--verify", "--quiet", `${src.against}^{commit}`]);
  } catch (e) {
    throw new Error(`--against ${src.against}: neither a plan.json nor a git ref of this repository`, { cause: e });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dp-base-"));
  const tree = path.join(dir, "tree");
  const out = path.join(dir, "out");
  git(["worktree", "add", "--detach", "--quiet", tree, commit]);
  try {
    // The base runs with this checkout's installed packages: a ref whose lock file differs is planned with them.
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(tree, "node_modules"), "dir");
    const rel = path.relative(REPO_ROOT, src.stackFile);
    const stackFile = rel.startsWith("..") || path.isAbsolute(rel) ? src.stackFile : path.join(tree, rel);
    if (!fs.existsSync(stackFile)) throw new Error(`--against ${src.against}: ${rel} does not exist at that ref`);
    src.log?.(`planning ${src.against} (${commit.slice(0, 12)}) for comparison…`);
    try {
      execFileSync(
        process.execPath,
        ["-r", "./tools/register.js", "tools/plan.ts", "--config", stackFile, "--out", out],
        { cwd: tree, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" },
      );
    } catch (e) {
      // Exit 1 (a mandatory violation at the base) still wrote the plan; anything else did not.
      const status = (e as { status?: number }).status;
      if (status !== 1)
        throw new Error(`the plan of ${src.against} failed (exit ${status}): ${(e as { stdout?: string }).stdout}`, {
          cause: e,
        });
    }
    const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(stackFile))![1];
    return readPlan(path.join(out, stack, "plan.json"));
  } finally {
    git(["worktree", "remove", "--force", tree]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
