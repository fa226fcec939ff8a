import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../components/config/load";
import { ENVIRONMENTS, Environment } from "../../components/core/types";
import { readPolicyConfig } from "../../policies/config";
import { evaluate, PolicyConfig, Verdicts } from "../../policies/engine/evaluate";
import type { PlannedResource } from "../../policies/engine/args";
import type { PlatformRule } from "../../policies/rules/define";
import { diffPlans, judgeChanges } from "./changes";
import type { ResolvedCost } from "../../components/cost/config";
import { budgetVerdicts } from "./budget";
import { estimateCost } from "./cost";
import { costChange } from "./cost-report";
import type { Lineage } from "../../components/datasets/lineage";
import { markdownReport, owningComponent, PlanDocument, planDocument, summary } from "./report";
import { Program, readStackFile, REPO_ROOT, runProgram, StackFile } from "./run";
import { checkPolicyConfig, unusedWaivers } from "./waivers";
import { planLayer } from "./layers";

export const EXIT = { ok: 0, violation: 1, error: 2 } as const;

export interface PlanResult {
  readonly code: number;
  readonly document?: PlanDocument;
  /** Every declared resource, as the recording monitor saw it (plan.json holds the documented subset). */
  readonly resources?: readonly PlannedResource[];
  readonly problems?: readonly { path: string; message: string }[];
  readonly error?: string;
  /** The lineage the program exports (drawn in report.md). */
  readonly lineage?: Lineage;
}

export interface PlanOptions {
  readonly stackFile: string;
  readonly rules: readonly PlatformRule[];
  /** Where out/<stack>/ goes; omit to write nothing. */
  readonly outDir?: string;
  /** A program other than stacks/index.ts (tests use this for deliberately unsafe variants). */
  readonly program?: Program;
  /** Policy config to judge with instead of policies/config/<environment>.json (tests use this for waivers). */
  readonly policyConfig?: PolicyConfig;
  readonly log?: (line: string) => void;
  /** The plan to compare with (`--against`), and how to name it in the report. */
  readonly against?: { readonly label: string; readonly plan: PlanDocument };
  /** One layer of the layered deployment (stack `<stack>-<layer>`); omitted: the whole platform in one stack. */
  readonly layer?: "foundation" | "workloads";
}

/** Runs one stack offline, judges it with the pack, writes plan.json and report.md, and returns the exit code. */
export async function plan(opts: PlanOptions): Promise<PlanResult> {
  const log = opts.log ?? (() => undefined);
  let stackFile: StackFile;
  try {
    stackFile = readStackFile(opts.stackFile);
  } catch (e) {
    return fail(log, `cannot read stack file: ${(e as Error).message}`);
  }
  let run;
  let context: PlannedResource[] = [];
  try {
    if (opts.layer) ({ stackFile, context } = await planLayer(stackFile, opts.layer, opts.program));
    run = await runProgram(stackFile, opts.program);
  } catch (e) {
    if (e instanceof ConfigError) {
      log(`${stackFile.file}: ${e.message}`);
      return { code: EXIT.error, problems: e.problems };
    }
    return fail(log, `the program failed: ${(e as Error).stack ?? e}`);
  }
  const environment = String(run.outputs["environment"] ?? "");
  if (!(ENVIRONMENTS as readonly string[]).includes(environment))
    return fail(log, `the program exported no valid 'environment' (got '${environment}')`);
  const policyConfig = opts.policyConfig ?? readPolicyConfig(environment as Environment);
  const configProblems = checkPolicyConfig(opts.rules, policyConfig);
  if (configProblems.length > 0) {
    for (const p of configProblems) log(`policies/config/${environment}.json: ${p.path}: ${p.message}`);
    return { code: EXIT.error, problems: configProblems };
  }
  const evaluated = await judge(opts.rules, run.resources, context, policyConfig);
  if (opts.against && opts.against.plan.stack !== run.stack)
    return fail(log, `--against: that plan is of stack '${opts.against.plan.stack}', this one of '${run.stack}'`);
  const changes = opts.against
    ? judgeChanges(opts.against.label, diffPlans(opts.against.plan.resources, run.resources), policyConfig)
    : undefined;
  const region = String(run.outputs["region"] ?? stackFile.config["aws:region"] ?? "");
  const assumptions = run.outputs["costAssumptions"] as ResolvedCost | undefined;
  const cost = estimateCost(run.resources, region, owningComponent, assumptions);
  const budget = budgetVerdicts(cost, run.resources, policyConfig);
  const verdicts = {
    violations: [...evaluated.violations, ...budget.violations],
    waivers: [...evaluated.waivers, ...budget.waivers],
  };
  const base = opts.against?.plan.cost;
  const document = planDocument(
    run.stack,
    environment,
    run.resources,
    verdicts,
    unusedWaivers(opts.rules, policyConfig, run.resources),
    changes,
    cost,
    opts.against && base ? costChange(opts.against.label, base, cost) : undefined,
  );
  const lineage = run.outputs["lineage"] as Lineage | undefined;
  if (opts.outDir) {
    const dir = path.join(opts.outDir, run.stack);
    fs.mkdirSync(dir, { recursive: true });
    const planJson = JSON.stringify(document, null, 2) + "\n";
    fs.writeFileSync(path.join(dir, "plan.json"), planJson);
    fs.writeFileSync(
      path.join(dir, "report.md"),
      markdownReport(document, run.resources, await accessSection(run.resources, planJson), lineage),
    );
  }
  log(summary(document, run.resources));
  if (opts.outDir) log(`wrote ${path.relative(REPO_ROOT, path.join(opts.outDir, run.stack))}/plan.json and report.md`);
  const mandatory =
    verdicts.violations.some((v) => v.level === "mandatory") ||
    (changes?.verdicts ?? []).some((v) => v.level === "mandatory");
  return { code: mandatory ? EXIT.violation : EXIT.ok, document, resources: run.resources, lineage };
}

/**
 * The pack's verdicts on a stack's resources. A workload layer is judged beside its foundation's resources (stack
 * rules join across them, as across one stack), and only findings on its own resources count.
 */
async function judge(
  rules: readonly PlatformRule[],
  resources: readonly PlannedResource[],
  context: readonly PlannedResource[],
  config: PolicyConfig,
): Promise<Verdicts> {
  if (context.length === 0) return evaluate(rules, resources, config);
  const own = new Set(resources.map((r) => r.urn));
  const all = await evaluate(rules, [...context, ...resources], config);
  return {
    violations: all.violations.filter((v) => v.urn === undefined || own.has(v.urn)),
    waivers: all.waivers.filter((w) => own.has(w.urn)),
  };
}

const ACCESS_CACHE = path.join(REPO_ROOT, "node_modules", ".cache", "data-platform-access");

/**
 * The report's access table; a plan the evaluator cannot read (e.g. an AWS-managed policy) says so instead of
 * failing. Simulating every role against every zone is the costliest part of a plan, and its answer depends only
 * on the planned resources and the evaluator's code, so it is kept under a hash of both: of plan.json's text (every
 * resource with its inputs, plus the verdicts and cost that follow from them), already serialised for the file.
 */
async function accessSection(resources: readonly PlannedResource[], planJson: string): Promise<string> {
  const hash = crypto.createHash("sha256").update(planJson);
  const evaluator = path.join(REPO_ROOT, "tools", "access");
  for (const f of fs.readdirSync(evaluator).sort()) hash.update(f).update(fs.readFileSync(path.join(evaluator, f)));
  hash.update(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json")));
  const cached = path.join(ACCESS_CACHE, `${hash.digest("hex")}.md`);
  if (fs.existsSync(cached)) return fs.readFileSync(cached, "utf8");
  let section: string;
  try {
    // Loaded on demand: the simulator is only needed when the answer is not cached. (require, not import():
    // the repository's TypeScript runs as CommonJS.)
    const { renderAccessTable, whoCanAccessWhat } = require("../access/table") as typeof import("../access/table");
    section = renderAccessTable(await whoCanAccessWhat(resources));
  } catch (e) {
    return `Not computed: ${(e as Error).message}`;
  }
  fs.mkdirSync(ACCESS_CACHE, { recursive: true });
  fs.writeFileSync(cached, section);
  return section;
}

function fail(log: (line: string) => void, error: string): PlanResult {
  log(`error: ${error}`);
  return { code: EXIT.error, error };
}
