import { strict as assert } from "node:assert";
import { loadPlatformConfig, PROFILES } from "../../components/config";
import { configProblems, platformOf } from "../support/config";
import { planFile, stackVariant } from "../support/plan";

describe("platform config", () => {
  it("accepts the three committed stacks", () => {
    for (const stack of ["dev", "staging", "prod"] as const)
      assert.deepEqual(configProblems(platformOf(stack)), [], stack);
  });

  it("fills defaults from the profile: dev is cheap, prod is highly available and keeps data", () => {
    const dev = loadPlatformConfig(platformOf("dev"), "eu-west-1");
    const prod = loadPlatformConfig(platformOf("prod"), "eu-west-1");
    assert.equal(dev.network.azCount, 2);
    assert.equal(dev.network.natGateways, "single");
    assert.equal(dev.network.interfaceEndpoints, false);
    assert.equal(dev.lake.forceDestroy, true);
    assert.equal(dev.safety.protect, false);
    assert.equal(prod.network.azCount, 3);
    assert.deepEqual(prod.network.availabilityZones, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    assert.equal(prod.network.natGateways, "per-az");
    assert.equal(prod.lake.forceDestroy, false);
    assert.equal(prod.safety.protect, true);
    assert.equal(prod.safety.retainOnDelete, true);
    assert.ok(prod.safety.logRetentionDays > dev.safety.logRetentionDays);
    assert.ok(prod.lake.noncurrentVersionExpirationDays > dev.lake.noncurrentVersionExpirationDays);
  });

  it("lets explicit values win over the profile", () => {
    const raw = platformOf("dev");
    raw.network = { cidr: "10.99.0.0/20", interfaceEndpoints: true, flowLogRetentionDays: 14 };
    raw.lake = { zones: { curated: { classification: "confidential" } }, noncurrentVersionExpirationDays: 3 };
    const cfg = loadPlatformConfig(raw, "eu-west-1");
    assert.equal(cfg.network.cidr, "10.99.0.0/20");
    assert.equal(cfg.network.interfaceEndpoints, true);
    assert.equal(cfg.network.flowLogRetentionDays, 14);
    assert.equal(cfg.network.natGateways, PROFILES.dev.network.natGateways);
    assert.equal(cfg.lake.zones.curated.classification, "confidential");
    assert.equal(cfg.lake.zones.raw.classification, PROFILES.dev.lake.zones.raw.classification);
    assert.equal(cfg.lake.noncurrentVersionExpirationDays, 3);
  });

  const cases: [string, (p: Record<string, unknown>) => void, string][] = [
    [
      "a wrong CIDR",
      (p) => (p.network = { cidr: "10.0.0.0/8" }),
      "platform.network.cidr: must be an IPv4 CIDR between /16 and /24",
    ],
    [
      "host bits in the CIDR",
      (p) => (p.network = { cidr: "10.0.0.1/16" }),
      "platform.network.cidr: must be an IPv4 CIDR between /16 and /24",
    ],
    [
      "a missing owner",
      (p) => delete (p.governance as Record<string, unknown>).owner,
      "platform.governance.owner: is required",
    ],
    [
      "a missing domain steward",
      (p) => delete (p.domains as Record<string, unknown>[])[1].steward,
      "platform.domains[1].steward: is required",
    ],
    ["an unknown profile", (p) => (p.profile = "qa"), "platform.profile: must be one of dev | staging | prod"],
    [
      "a duplicate domain",
      (p) => (p.domains as unknown[]).push(structuredClone((p.domains as unknown[])[0])),
      "platform.domains[3].name: duplicate domain 'sales' (also at platform.domains[0])",
    ],
    ["an unknown key", (p) => (p.netwrk = {}), "platform.netwrk: unknown key (is it a typo?)"],
    [
      "an unknown nested key",
      (p) => (p.network = { cidrr: "10.0.0.0/16" }),
      "platform.network.cidrr: unknown key (is it a typo?)",
    ],
    [
      "a bad classification",
      (p) => ((p.domains as Record<string, unknown>[])[0].classification = "secret"),
      "platform.domains[0].classification: must be one of public | internal | confidential | restricted",
    ],
  ];
  for (const [what, edit, expected] of cases) {
    it(`rejects ${what} with the field's path and what is allowed`, () => {
      const raw = platformOf("dev");
      edit(raw);
      const found = configProblems(raw);
      assert.ok(
        found.some((f) => f.startsWith(expected)),
        `expected '${expected}' in:\n${found.join("\n")}`,
      );
    });
  }

  it("lists every problem at once", () => {
    const raw = platformOf("dev");
    raw.network = { cidr: "300.0.0.0/16" };
    raw.profile = "qa";
    delete (raw.governance as Record<string, unknown>).costCenter;
    const found = configProblems(raw);
    assert.equal(found.length, 3, found.join("\n"));
  });

  it("refuses unsafe overrides in prod and says why", () => {
    const raw = platformOf("prod");
    raw.lake = { forceDestroy: true };
    raw.network = { natGateways: "single", azCount: 2 };
    raw.security = { keyDeletionWindowDays: 7 };
    const found = configProblems(raw);
    assert.ok(
      found.some((f) =>
        f.startsWith("platform.lake.forceDestroy: is refused in prod: emptying buckets on destroy would delete"),
      ),
      found.join("\n"),
    );
    assert.ok(found.some((f) => f.startsWith("platform.network.natGateways: is refused in prod")));
    assert.ok(found.some((f) => f.startsWith("platform.network.azCount: is refused in prod")));
    assert.ok(found.some((f) => f.startsWith("platform.security.keyDeletionWindowDays: is refused in prod")));
  });

  it("allows forceDestroy in dev but refuses it in staging", () => {
    const staging = platformOf("staging");
    staging.lake = { forceDestroy: true };
    assert.ok(configProblems(staging).some((f) => f.startsWith("platform.lake.forceDestroy: is refused in staging")));
    assert.deepEqual(configProblems(platformOf("dev")), []);
  });

  it("stops the plan with exit code 2 before any resource is declared", async () => {
    const file = stackVariant("dev", "broken", (p) => {
      p.network = { cidr: "10.0.0.0/8" };
      delete (p.governance as Record<string, unknown>).owner;
    });
    const result = await planFile(file);
    assert.equal(result.code, 2);
    assert.equal(result.resources, undefined, "no resource may be declared");
    assert.deepEqual(result.problems?.map((p) => p.path).sort(), [
      "platform.governance.owner",
      "platform.network.cidr",
    ]);
  });
});
