import { strict as assert } from "assert";
import {
  resolveWarehouseConfig,
  validateWarehouse,
  WAREHOUSE_PROFILES,
  warehouseSchema,
  WarehouseInput,
} from "../../components/warehouse/config";
import { ENVIRONMENTS, Environment } from "../../components/core/types";

const check = (input: WarehouseInput, environment: Environment, azCount = 3) => {
  const parsed = warehouseSchema.parse(input);
  return validateWarehouse(parsed, resolveWarehouseConfig(parsed, environment), { environment, azCount });
};
const paths = (problems: { path: string }[]) => problems.map((p) => p.path);

describe("warehouse config", () => {
  it("rejects unknown keys and out-of-range values with messages that say what is allowed", () => {
    const bad = warehouseSchema.safeParse({
      engine: "snowflake",
      requireSsl: false,
      redshift: { baseCapacityRpu: 12 },
      aurora: { engineVersion: "13.9" },
    });
    assert.ok(!bad.success);
    const messages = bad.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    assert.ok(
      messages.some((m) => m.startsWith("engine: must be one of redshift-serverless | aurora-postgresql")),
      messages.join("\n"),
    );
    assert.ok(
      bad.error.issues.some((i) => i.code === "unrecognized_keys" && i.keys.includes("requireSsl")),
      "there is no switch for TLS",
    );
    assert.ok(messages.some((m) => m.startsWith("redshift.baseCapacityRpu: must be a multiple of 8")));
    assert.ok(messages.some((m) => m.startsWith("aurora.engineVersion: must be an Aurora PostgreSQL 16 or 17")));
  });

  it("fills every field from the profile, dev smallest, and lets explicit values win field by field", () => {
    for (const env of ENVIRONMENTS) assert.deepEqual(resolveWarehouseConfig(undefined, env), WAREHOUSE_PROFILES[env]);
    const [dev, staging, prod] = ENVIRONMENTS.map((e) => WAREHOUSE_PROFILES[e]);
    assert.ok(
      dev.redshift.baseCapacityRpu < staging.redshift.baseCapacityRpu &&
        staging.redshift.baseCapacityRpu < prod.redshift.baseCapacityRpu,
    );
    assert.equal(dev.redshift.baseCapacityRpu, 8);
    assert.equal(dev.aurora.minCapacityAcu, 0);
    assert.ok(dev.redshift.snapshotRetentionDays < prod.redshift.snapshotRetentionDays);
    const mixed = resolveWarehouseConfig({ engine: "aurora-postgresql", aurora: { maxCapacityAcu: 8 } }, "prod");
    assert.equal(mixed.engine, "aurora-postgresql");
    assert.equal(mixed.aurora.maxCapacityAcu, 8);
    assert.equal(mixed.aurora.minCapacityAcu, prod.aurora.minCapacityAcu, "untouched fields keep the profile value");
    assert.equal(mixed.redshift.baseCapacityRpu, prod.redshift.baseCapacityRpu);
  });

  it("accepts every profile as it stands where the network allows it", () => {
    for (const env of ENVIRONMENTS) {
      assert.deepEqual(check({}, env, 3), [], env);
      assert.deepEqual(check({ engine: "aurora-postgresql" }, env, env === "prod" ? 3 : 2), [], env);
    }
  });

  it("says redshift-serverless needs 3 AZs, and how to fix it", () => {
    const [p] = check({}, "dev", 2);
    assert.equal(p.path, "platform.warehouse.engine");
    assert.match(
      p.message,
      /needs private subnets in 3 AZs but the network has 2; set platform.network.azCount: 3 or use aurora-postgresql/,
    );
  });

  it("checks capacities against each other", () => {
    assert.deepEqual(paths(check({ redshift: { baseCapacityRpu: 64, maxCapacityRpu: 32 } }, "staging")), [
      "platform.warehouse.redshift.maxCapacityRpu",
    ]);
    assert.deepEqual(
      paths(check({ engine: "aurora-postgresql", aurora: { minCapacityAcu: 8, maxCapacityAcu: 4 } }, "staging")),
      ["platform.warehouse.aurora.maxCapacityAcu"],
    );
    assert.deepEqual(
      paths(check({ engine: "aurora-postgresql", aurora: { minCapacityAcu: 1, secondsUntilAutoPause: 900 } }, "dev")),
      ["platform.warehouse.aurora.secondsUntilAutoPause"],
    );
  });

  it("refuses settings that would lose data or availability in prod, but allows them elsewhere", () => {
    const risky: WarehouseInput = {
      engine: "aurora-postgresql",
      aurora: { backupRetentionDays: 1, readers: 0, minCapacityAcu: 0 },
    };
    assert.deepEqual(paths(check(risky, "prod")).sort(), [
      "platform.warehouse.aurora.backupRetentionDays",
      "platform.warehouse.aurora.minCapacityAcu",
      "platform.warehouse.aurora.readers",
    ]);
    assert.deepEqual(check(risky, "staging"), []);
    const switchedOff: WarehouseInput = {
      redshift: { usageLimitBreachAction: "deactivate", snapshotRetentionDays: 1 },
    };
    assert.deepEqual(paths(check(switchedOff, "prod")).sort(), [
      "platform.warehouse.redshift.snapshotRetentionDays",
      "platform.warehouse.redshift.usageLimitBreachAction",
    ]);
    assert.deepEqual(check(switchedOff, "dev"), []);
  });

  it("checks nothing when the warehouse is disabled", () => {
    assert.deepEqual(check({ enabled: false }, "dev", 2), []);
  });
});
