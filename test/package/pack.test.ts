import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { handlerSources } from "../../components/functions/bundle";
import { REPO_ROOT } from "../../tools/plan/run";
import { standaloneProgram } from "../standalone/readme";
import { CONSUMER_MOCKS, PLATFORM_PROGRAM } from "./programs";

/** What a consumer brings besides the package and its dependencies: nothing but the compiler and Node's types. */
const CONSUMER_TOOLS = ["typescript", "@types/node"];

interface Packed {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Record<string, string>;
}

/**
 * Platform teams import the library from the registry: pack it as npm would publish it, unpack it into a throwaway
 * consumer outside the repository whose node_modules holds only the package, its declared dependencies, TypeScript
 * and @types/node (linked from this checkout, so no network), type-check consumer programs against the packed
 * typings in every module resolution mode, and run them under mocks. A typing or a module the package needs but does
 * not declare fails here, as it would for a user.
 */
describe("packaged library", function () {
  // npm pack builds the library, then the consumer is type-checked three times: minutes on a loaded machine.
  this.timeout(600_000);
  let work: string;
  let consumer: string;
  let files: string[];
  let packed: Packed;
  let readmeBefore: string;

  before(() => {
    readmeBefore = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    work = fs.mkdtempSync(path.join(os.tmpdir(), "blueprint-pack-"));
    consumer = path.join(work, "consumer");
    const [out] = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    files = out.files.map((f) => f.path);
    const pkgDir = path.join(consumer, "node_modules", "@data-platform", "blueprint");
    fs.mkdirSync(pkgDir, { recursive: true });
    execFileSync("tar", ["-xzf", path.join(work, out.filename), "-C", pkgDir, "--strip-components=1"]);
    packed = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as Packed;
    for (const dep of [...Object.keys(packed.dependencies), ...CONSUMER_TOOLS]) {
      const link = path.join(consumer, "node_modules", dep);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules", dep), link, "dir");
    }
    fs.writeFileSync(
      path.join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "commonjs" }),
    );
  });
  after(() => process.env.KEEP_PACK || fs.rmSync(work, { recursive: true, force: true }));

  it("ships compiled code, typings, prebuilt handlers and docs, and no TypeScript source", () => {
    assert.ok(files.includes("dist/components/index.d.ts"));
    assert.ok(files.includes("dist/policies/rules/index.js"));
    assert.ok(!files.some((p) => p.startsWith("test/") || p.startsWith("stacks/")), "tests and stacks are not shipped");
    // The README links to docs/; on the registry's page they resolve only if the pages ship.
    assert.ok(files.includes("docs/compute.md"), "docs/ ships with the package");
    // On the registry's page the README's links must reach them: each points at this version's shipped file.
    const pkgDir = path.join(consumer, "node_modules", "@data-platform", "blueprint");
    const readme = fs.readFileSync(path.join(pkgDir, "README.md"), "utf8");
    assert.doesNotMatch(readme, /\]\(docs\//, "no relative docs/ link is left in the packed README");
    const base = `https://unpkg.com/${packed.name}@${packed.version}/`;
    const targets = [...readme.matchAll(/\]\((https:\/\/unpkg\.com\/[^)#\s]+)/g)].map((m) => m[1]);
    assert.ok(targets.length >= 10, `${targets.length} doc links`);
    for (const t of targets) {
      assert.ok(t.startsWith(base), t);
      assert.ok(files.includes(t.slice(base.length)), `${t} is not a shipped file`);
    }
    assert.equal(
      fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"),
      readmeBefore,
      "packing leaves the repository's README as it was",
    );
    assert.deepEqual(
      files.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts")),
      [],
      "a .ts source beside its .d.ts is what a consumer's compiler would pick",
    );
    assert.deepEqual(
      files.filter((p) => p.split("/").includes("handlers")),
      [],
      "handlers ship only as prebuilt bundles",
    );
    const prebuilt = files.filter((p) => p.startsWith("dist/components/functions/prebuilt/") && p.endsWith(".js"));
    assert.equal(prebuilt.length, handlerSources().length, prebuilt.join(", "));
  });

  it("declares no handler runtime library as a dependency", () => {
    const handlerLibs = Object.keys(packed.dependencies).filter((d) =>
      /^@aws-sdk\/|^@smithy\/|^@aws-lambda-powertools\/|^(pg|pg-copy-streams|kafkajs|esbuild)$/.test(d),
    );
    assert.deepEqual(handlerLibs, []);
  });

  it("its typings import only its declared dependencies and Node's built-ins", () => {
    const pkgDir = path.join(consumer, "node_modules", "@data-platform", "blueprint");
    const wrong: string[] = [];
    for (const f of files.filter((p) => p.endsWith(".d.ts"))) {
      const info = ts.preProcessFile(fs.readFileSync(path.join(pkgDir, f), "utf8"), true, true);
      for (const ref of [...info.importedFiles, ...info.typeReferenceDirectives]) {
        const spec = ref.fileName;
        if (spec.startsWith(".")) continue;
        const name = spec
          .split("/")
          .slice(0, spec.startsWith("@") ? 2 : 1)
          .join("/");
        if (name in packed.dependencies || name === "node" || spec.startsWith("node:")) continue;
        if (builtinModules.includes(name)) continue;
        wrong.push(`${f} -> ${spec}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("type-checks a consumer (strict, node16, node and bundler resolution) and runs it under mocks", () => {
    fs.writeFileSync(path.join(consumer, "mocks.ts"), CONSUMER_MOCKS);
    fs.writeFileSync(path.join(consumer, "platform.ts"), PLATFORM_PROGRAM);
    const result = JSON.parse(compileAndRun(consumer, "platform"));
    assert.equal(result.bucket, "team-dev-raw-210987654321");
    assert.equal(result.vpc, "team-network-id");
    // The warehouse ships its SQL migrations and takes its handler from the package's prebuilt bundles.
    assert.equal(result.port, 5439);
    assert.match(result.sql, /^[0-9a-f]{64}$/);
    // Every function's code is a prebuilt bundle, hashed over the bytes the package ships.
    const prebuilt = path.join(consumer, "node_modules/@data-platform/blueprint/dist/components/functions/prebuilt");
    const shipped = new Set(
      fs
        .readdirSync(prebuilt)
        .filter((f) => f.endsWith(".js"))
        .map((f) =>
          createHash("sha256")
            .update(fs.readFileSync(path.join(prebuilt, f)))
            .digest("base64"),
        ),
    );
    const lambdas = result.lambdas as { name: string; hash: string }[];
    assert.ok(
      lambdas.some((l) => l.name === "team-warehouse-bootstrap-fn"),
      JSON.stringify(lambdas),
    );
    for (const l of lambdas) assert.ok(shipped.has(l.hash), `${l.name}: code is not a shipped bundle`);
    assert.ok(result.rules >= 10);
    assert.match(result.rejected, /platform\.profile/);
  });

  it("type-checks and runs the README's standalone program (components in an existing VPC, no DataPlatform)", () => {
    fs.writeFileSync(path.join(consumer, "mocks.ts"), CONSUMER_MOCKS);
    // The mocks go first: TypeScript's CommonJS output requires modules where their imports stand.
    const program = `import { report } from "./mocks";\n${standaloneProgram()}\nreport({ ordersUrl, rawBucket, warehouseEndpoint });\n`;
    fs.writeFileSync(path.join(consumer, "standalone.ts"), program);
    const result = JSON.parse(compileAndRun(consumer, "standalone")) as {
      rawBucket: string;
      types: string[];
      lambdas: { name: string }[];
    };
    assert.equal(result.rawBucket, "acme-dev-raw-210987654321");
    assert.ok(!result.types.includes("aws:ec2/vpc:Vpc"), "an existing VPC: none created");
    assert.ok(result.types.includes("aws:rds/cluster:Cluster"), "the warehouse");
    const names = result.lambdas.map((l) => l.name);
    assert.ok(names.includes("acme-ingestion-orders-api-fn-fn"), names.join(", "));
  });
});

/**
 * Type-checks `<program>.ts` as a consumer would: strict, skipLibCheck (as Pulumi's template sets it), only Node's
 * types, and every module resolution mode a consumer may use: node16 (emitted and run), node (Pulumi's TypeScript
 * template; `exports` ignored, subpaths through typesVersions) and bundler. Returns the program's last output line.
 */
function compileAndRun(consumer: string, program: string): string {
  const tsc = path.join(consumer, "node_modules", "typescript", "bin", "tsc");
  const base = {
    rootDir: ".",
    target: "ES2022",
    strict: true,
    skipLibCheck: true,
    types: ["node"],
    outDir: "out",
  };
  const modes: [module: string, moduleResolution: string, emit: boolean][] = [
    ["node16", "node16", true],
    ["commonjs", "node", false],
    ["preserve", "bundler", false],
  ];
  for (const [module, moduleResolution, emit] of modes) {
    const file = path.join(consumer, `tsconfig.${program}.${moduleResolution}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        compilerOptions: { ...base, module, moduleResolution, noEmit: !emit },
        files: [`${program}.ts`],
      }),
    );
    try {
      execFileSync(process.execPath, [tsc, "-p", file], { cwd: consumer, encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      const out = (e as { stdout?: string }).stdout ?? "";
      assert.fail(`${program}.ts does not type-check with moduleResolution ${moduleResolution}:\n${out}`);
    }
  }
  const out = execFileSync(process.execPath, [path.join(consumer, "out", `${program}.js`)], {
    cwd: consumer,
    encoding: "utf8",
  });
  return out.trim().split("\n").pop() ?? "{}";
}
