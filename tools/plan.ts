// `npm run plan -- --stack dev | --config path/to/Pulumi.<name>.yaml [--layer foundation|workloads] [--out dir]
// [--against plan.json|git-ref]`: the offline plan (one layer of the layered deployment with --layer), and with
// --against the change from a base plan with its data-loss verdicts.
// `npm run -s plan -- --list-policies [--json]`: the policy catalogue.
// Exit codes: 0 clean, 1 mandatory policy violation, 2 bad config or program error.
import * as path from "node:path";
import { parseArgs } from "node:util";
import { allRules } from "../policies/rules";
import { basePlan } from "./plan/against";
import { catalogue, catalogueTable } from "./plan/catalogue";
import { EXIT, plan } from "./plan/plan";
import { REPO_ROOT, stackFilePath } from "./plan/run";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        config: { type: "string" },
        out: { type: "string" },
        against: { type: "string" },
        layer: { type: "string" },
        "list-policies": { type: "boolean" },
        json: { type: "boolean" },
      },
    }));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return EXIT.error;
  }
  if (values["list-policies"]) {
    console.log(values.json ? JSON.stringify(catalogue(allRules), null, 2) : catalogueTable(allRules));
    return EXIT.ok;
  }
  if (!values.stack === !values.config) {
    console.error(
      "usage: npm run plan -- --stack <dev|staging|prod> | --config <path/to/Pulumi.<name>.yaml> [--layer foundation|workloads] [--out <dir>] [--against <plan.json | git ref>]",
    );
    return EXIT.error;
  }
  const layer = values.layer;
  if (layer !== undefined && layer !== "foundation" && layer !== "workloads") {
    console.error(`error: --layer must be foundation | workloads (got '${layer}')`);
    return EXIT.error;
  }
  const stackFile = values.config ? path.resolve(values.config) : stackFilePath(values.stack!);
  let against;
  if (values.against) {
    try {
      const log = (l: string) => console.log(l);
      against = { label: values.against, plan: basePlan({ against: values.against, stackFile, log }) };
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      return EXIT.error;
    }
  }
  const result = await plan({
    against,
    stackFile,
    layer,
    rules: allRules,
    outDir: path.resolve(values.out ?? path.join(REPO_ROOT, "out")),
    log: (l) => console.log(l),
  });
  return result.code;
}

// Exit once stdout has drained: a large catalogue piped into a slow reader is otherwise cut at the pipe buffer.
const exit = (code: number) => process.stdout.write("", () => process.exit(code));

main().then(exit, (e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(EXIT.error);
});
