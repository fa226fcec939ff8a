import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError, ContextInput, loadPlatformConfig, platformContext } from "../../components/config";
import { contextFromConfig } from "../../components/platform/context";
import { platformOf } from "../support/config";

const base: ContextInput = {
  name: "acme-data",
  environment: "prod",
  region: "eu-west-1",
  owner: "data@acme.example",
  costCenter: "CC-42",
};

function problemsOf(input: unknown): string[] {
  try {
    platformContext(input as ContextInput);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, not ${String(e)}`);
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

describe("platformContext (the shared context without the whole platform config)", () => {
  it("names, tags and protects like the platform config does for the same environment", () => {
    for (const stack of ["dev", "staging", "prod"] as const) {
      const cfg = loadPlatformConfig(platformOf(stack), "eu-west-1");
      const built = platformContext({
        name: cfg.name,
        environment: cfg.environment,
        region: "eu-west-1",
        owner: cfg.governance.owner,
        costCenter: cfg.governance.costCenter,
      });
      assert.deepEqual(built, contextFromConfig(cfg), stack);
    }
  });

  it("defaults the safety switches to the environment's profile: prod protects and retains, dev may empty buckets", () => {
    const prod = platformContext(base);
    assert.equal(prod.prefix, "acme-data-prod");
    assert.deepEqual([prod.protect, prod.retainOnDelete, prod.allowDestroyData], [true, true, false]);
    const dev = platformContext({ ...base, environment: "dev" });
    assert.deepEqual([dev.protect, dev.retainOnDelete, dev.allowDestroyData], [false, false, true]);
  });

  it("adds extra tags but never lets them replace a governance tag", () => {
    const ctx = platformContext({ ...base, tags: { team: "payments" } });
    assert.equal(ctx.tags.team, "payments");
    assert.equal(ctx.tags["cost-center"], "CC-42");
    assert.deepEqual(problemsOf({ ...base, tags: { owner: "someone-else" } }), [
      "context.tags.owner: is a governance tag the context sets itself",
    ]);
  });

  it("lists every problem by its path in one error, never a stack trace", () => {
    const problems = problemsOf({
      name: "Acme",
      environment: "qa",
      region: "europe",
      owner: "nobody",
      costCenter: "c c",
      colour: "blue",
    });
    const paths = problems.map((p) => p.split(":")[0]).sort();
    assert.deepEqual(paths, [
      "context.colour",
      "context.costCenter",
      "context.environment",
      "context.name",
      "context.owner",
      "context.region",
    ]);
    assert.deepEqual(problemsOf({ ...base, region: undefined }), ["context.region: is required (string)"]);
  });

  it("refuses to let prod or staging empty buckets on destroy", () => {
    for (const environment of ["staging", "prod"] as const)
      assert.match(problemsOf({ ...base, environment, allowDestroyData: true }).join(), /allowDestroyData: is refused/);
  });

  it("builds a context for every valid input, and its tags always carry the five governance tags (seeded)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{1,23}$/);
    const env = fc.constantFrom("dev" as const, "staging" as const, "prod" as const);
    const extra = fc.dictionary(fc.stringMatching(/^x-[a-z]{1,10}$/), fc.string({ maxLength: 20 }), { maxKeys: 4 });
    fc.assert(
      fc.property(name, env, extra, (n, environment, tags) => {
        const ctx = platformContext({ ...base, name: n, environment, tags });
        assert.equal(ctx.prefix, `${n}-${environment}`);
        for (const k of ["environment", "owner", "cost-center", "managed-by", "platform"]) assert.ok(ctx.tags[k], k);
        for (const [k, v] of Object.entries(tags)) assert.equal(ctx.tags[k], v);
      }),
    );
  });
});
