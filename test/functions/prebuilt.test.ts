import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  bundle,
  handlerKey,
  handlerSources,
  prebuildHandlers,
  prebuiltCode,
  PREBUILT_MANIFEST,
} from "../../components/functions/bundle";
import { HANDLERS } from "../../components/ingestion/entries";

const COMPONENTS = path.resolve(__dirname, "../../components");

// The package ships handlers bundled at `npm run build`; a program using the package (no sources) must deploy
// exactly the bytes this repository's programs bundle from source, or Lambda would see a change that is none.
describe("functions: prebuilt handlers", function () {
  this.timeout(120_000);
  let dir: string;
  let manifest: Record<string, string>;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "prebuilt-"));
    manifest = prebuildHandlers(COMPONENTS, dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("covers every handler the components deploy", () => {
    const deployed = [
      ...Object.values(HANDLERS),
      path.join(COMPONENTS, "pipelines/handlers/runner.ts"),
      path.join(COMPONENTS, "warehouse/handlers/bootstrap.ts"),
      path.join(COMPONENTS, "streaming/handlers/topics.ts"),
    ].map((e) => handlerKey(e));
    assert.deepEqual(Object.keys(manifest).sort(), [...new Set(deployed)].sort());
    assert.deepEqual(
      handlerSources().map((e) => handlerKey(e)),
      Object.keys(manifest).sort(),
    );
    assert.ok(!Object.keys(manifest).some((k) => k.includes("/lib/")), "libraries are not entry points");
  });

  it("names each file by its content and serves the same bytes as a bundle from source", () => {
    for (const [key, file] of Object.entries(manifest)) {
      assert.match(file, /^[a-z]+-[a-z-]+\.[0-9a-f]{16}\.js$/);
      const code = prebuiltCode(key, dir);
      assert.equal(code, bundle(path.join(COMPONENTS, key)).code, `${key}: prebuilt and source bundles differ`);
    }
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, PREBUILT_MANIFEST), "utf8")), manifest);
  });

  it("a changed handler gets a new file name", () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), "handlers-src-"));
    const out = path.join(src, "out");
    try {
      fs.mkdirSync(path.join(src, "demo", "handlers"), { recursive: true });
      const entry = path.join(src, "demo", "handlers", "echo.ts");
      fs.writeFileSync(entry, "export const handler = async () => 'v1';\n");
      const first = prebuildHandlers(src, out)["demo/handlers/echo.ts"];
      fs.writeFileSync(entry, "export const handler = async () => 'v2-changed';\n");
      const second = prebuildHandlers(src, out)["demo/handlers/echo.ts"];
      assert.match(first, /^demo-echo\.[0-9a-f]{16}\.js$/);
      assert.notEqual(second, first);
      assert.deepEqual(fs.readdirSync(out).sort(), [second, PREBUILT_MANIFEST].sort(), "the old bundle is gone");
    } finally {
      fs.rmSync(src, { recursive: true, force: true });
    }
  });

  it("refuses a bundle whose bytes do not match its name, and names a missing handler", () => {
    const tampered = fs.mkdtempSync(path.join(os.tmpdir(), "prebuilt-bad-"));
    try {
      for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(tampered, f));
      const [key, file] = Object.entries(manifest)[0];
      fs.appendFileSync(path.join(tampered, file), "\n// edited");
      assert.throws(() => prebuiltCode(key, tampered), /does not match the hash in its name/);
      assert.throws(() => prebuiltCode("nope/handlers/x.ts", tampered), /nope\/handlers\/x\.ts is not among/);
      assert.throws(() => prebuiltCode(key, path.join(tampered, "absent")), /npm run build/);
    } finally {
      fs.rmSync(tampered, { recursive: true, force: true });
    }
  });
});
