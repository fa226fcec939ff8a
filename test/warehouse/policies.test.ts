import { strict as assert } from "assert";
import { Warehouse } from "../../components/warehouse/Warehouse";
import { resolveWarehouseConfig, WarehouseInput } from "../../components/warehouse/config";
import type { Environment } from "../../components/core/types";
import { evaluate } from "../../policies/engine/evaluate";
import type { PlannedResource } from "../../policies/engine/args";
import { PlatformRule, PROD_ONLY } from "../../policies/rules/define";
import { WAREHOUSE_TYPES as W, warehouseRules } from "../../policies/rules/warehouse";
import { planned, violations } from "../support/policy";
import { planResources, refs } from "./support/program";

const rule = (name: string): PlatformRule => {
  const r = warehouseRules.find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const SSL_PARAMS = [{ parameterKey: "require_ssl", parameterValue: "true" }];
const workgroup = (extra: Record<string, unknown> = {}) =>
  planned(W.workgroup, {
    workgroupName: "wh",
    publiclyAccessible: false,
    subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    configParameters: SSL_PARAMS,
    ...extra,
  });
const namespace = (extra: Record<string, unknown> = {}, opts: Partial<PlannedResource> = {}) =>
  planned(
    W.namespace,
    { namespaceName: "wh", kmsKeyId: KEY, logExports: ["connectionlog", "userlog", "useractivitylog"], ...extra },
    opts,
  );
const cluster = (extra: Record<string, unknown> = {}, opts: Partial<PlannedResource> = {}) =>
  planned(
    W.cluster,
    {
      clusterIdentifier: "wh",
      storageEncrypted: true,
      kmsKeyId: KEY,
      dbClusterParameterGroupName: "wh-aurora-postgresql16",
      enabledCloudwatchLogsExports: ["postgresql"],
      backupRetentionPeriod: 35,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "wh-final",
      ...extra,
    },
    { protect: true, ...opts },
  );
const parameterGroup = (forceSsl = "1") =>
  planned(W.parameterGroup, {
    name: "wh-aurora-postgresql16",
    parameters: [{ name: "rds.force_ssl", value: forceSsl }],
  });
const snapshots = (namespaceName: string, retention: number) =>
  planned(W.schedule, {
    target: {
      arn: "arn:aws:scheduler:::aws-sdk:redshiftserverless:createSnapshot",
      input: JSON.stringify({ NamespaceName: namespaceName, SnapshotName: "x", RetentionPeriod: retention }),
    },
  });

describe("warehouse policy rules", () => {
  it("warehouse-not-public: private workgroups and instances pass; public ones, or a workgroup without subnets, fail", async () => {
    const r = rule("warehouse-not-public");
    assert.deepEqual(await violations(r, [workgroup(), planned(W.instance, { publiclyAccessible: false })]), []);
    assert.deepEqual(await violations(r, workgroup({ publiclyAccessible: true })), ["is publicly accessible"]);
    assert.deepEqual(await violations(r, workgroup({ subnetIds: [] })), [
      "names no subnets: it would run in the default VPC",
    ]);
    assert.deepEqual(await violations(r, planned(W.instance, { publiclyAccessible: true })), [
      "is publicly accessible",
    ]);
  });

  it("warehouse-kms-cmk: a key ARN passes; no key, an AWS-managed alias or unencrypted storage fails", async () => {
    const r = rule("warehouse-kms-cmk");
    assert.deepEqual(await violations(r, [namespace(), cluster()]), []);
    assert.deepEqual(await violations(r, namespace({ kmsKeyId: undefined })), [
      "is not encrypted with a customer-managed key (kmsKeyId: unset)",
    ]);
    assert.deepEqual(await violations(r, cluster({ kmsKeyId: "alias/aws/rds" })), [
      "is not encrypted with a customer-managed key (kmsKeyId: alias/aws/rds)",
    ]);
    assert.deepEqual(await violations(r, cluster({ storageEncrypted: false })), ["storage is not encrypted"]);
  });

  it("warehouse-ssl-required: require_ssl / a parameter group with rds.force_ssl=1 pass; anything else fails", async () => {
    const r = rule("warehouse-ssl-required");
    assert.deepEqual(await violations(r, [workgroup(), cluster(), parameterGroup()]), []);
    assert.deepEqual(
      await violations(r, workgroup({ configParameters: [{ parameterKey: "require_ssl", parameterValue: "false" }] })),
      ["require_ssl is not set to true"],
    );
    assert.deepEqual(await violations(r, [cluster(), parameterGroup("0")]), [
      "parameter group 'wh-aurora-postgresql16' does not set rds.force_ssl=1",
    ]);
    assert.deepEqual(await violations(r, cluster({ dbClusterParameterGroupName: undefined })), [
      "uses no parameter group of this program, so rds.force_ssl is off (the default group allows plaintext)",
    ]);
  });

  it("warehouse-audit-logging: connection and user logs (Redshift) or the postgresql log (Aurora) must be exported", async () => {
    const r = rule("warehouse-audit-logging");
    assert.deepEqual(await violations(r, [namespace(), cluster()]), []);
    assert.deepEqual(await violations(r, namespace({ logExports: ["useractivitylog"] })), [
      "does not export connectionlog, userlog",
    ]);
    assert.deepEqual(await violations(r, cluster({ enabledCloudwatchLogsExports: [] })), [
      "does not export the postgresql log",
    ]);
  });

  it("warehouse-backup-retention: 7+ days of Aurora backups or Redshift snapshots pass; less, or no schedule, fails", async () => {
    const r = rule("warehouse-backup-retention");
    assert.deepEqual(await violations(r, [cluster(), namespace(), snapshots("wh", 35)]), []);
    assert.deepEqual(await violations(r, cluster({ backupRetentionPeriod: 1 })), [
      "keeps backups 1 day(s); at least 7 required",
    ]);
    assert.deepEqual(await violations(r, [namespace(), snapshots("wh", 3)]), [
      "keeps snapshots 3 day(s); at least 7 required",
    ]);
    assert.deepEqual(await violations(r, [namespace(), snapshots("another-namespace", 35)]), [
      "has no scheduled snapshots (recovery points last 24 hours)",
    ]);
  });

  it("warehouse-deletion-protection, -final-snapshot and -protect: each passes when set and fails when not", async () => {
    assert.deepEqual(await violations(rule("warehouse-deletion-protection"), cluster()), []);
    assert.deepEqual(await violations(rule("warehouse-deletion-protection"), cluster({ deletionProtection: false })), [
      "deletion protection is off",
    ]);
    assert.deepEqual(await violations(rule("warehouse-final-snapshot"), cluster()), []);
    assert.deepEqual(await violations(rule("warehouse-final-snapshot"), cluster({ skipFinalSnapshot: true })), [
      "skips the final snapshot",
    ]);
    assert.deepEqual(
      await violations(rule("warehouse-final-snapshot"), cluster({ finalSnapshotIdentifier: undefined })),
      ["has no finalSnapshotIdentifier, so deletion fails or leaves nothing"],
    );
    assert.deepEqual(await violations(rule("warehouse-protect"), [cluster(), namespace({}, { protect: true })]), []);
    assert.deepEqual(await violations(rule("warehouse-protect"), [cluster({}, { protect: false }), namespace()]), [
      "is not protected",
      "is not protected",
    ]);
  });

  it("is prod-only where it should be: data-loss rules advise in dev and staging, exposure rules never relax", () => {
    for (const name of [
      "warehouse-backup-retention",
      "warehouse-deletion-protection",
      "warehouse-final-snapshot",
      "warehouse-protect",
    ]) {
      assert.deepEqual(rule(name).meta.enforcement, PROD_ONLY, name);
    }
    for (const name of ["warehouse-not-public", "warehouse-kms-cmk"])
      assert.equal(rule(name).meta.enforcement.dev, "mandatory", name);
    for (const r of warehouseRules) assert.match(r.name, /^warehouse-[a-z-]+$/);
  });

  describe("against the Warehouse component's own plans", function () {
    this.timeout(30_000);
    const levels = (environment: Environment) =>
      Object.fromEntries(warehouseRules.map((r) => [r.name, { enforcementLevel: r.meta.enforcement[environment] }]));
    const judge = async (environment: Environment, config: WarehouseInput, azCount?: number) => {
      const { resources } = await planResources(() => {
        new Warehouse("wh", {
          ...refs(environment, azCount),
          domains: [{ name: "sales", classification: "internal" }],
          config: resolveWarehouseConfig(config, environment),
        });
      });
      return (await evaluate(warehouseRules, resources, levels(environment))).violations;
    };

    it("prod passes every rule on both engines", async () => {
      assert.deepEqual(await judge("prod", {}), []);
      assert.deepEqual(await judge("prod", { engine: "aurora-postgresql" }), []);
    });

    it("dev and staging have no mandatory violation; every finding is a prod-only data-loss rule", async () => {
      const prodOnly = warehouseRules.filter((r) => r.meta.enforcement === PROD_ONLY).map((r) => r.name);
      for (const [env, config, azCount] of [
        ["dev", { engine: "aurora-postgresql" }, 2],
        ["dev", {}, 3],
        ["staging", { engine: "aurora-postgresql" }, 2],
        ["staging", {}, 3],
      ] as const) {
        const found = await judge(env, config, azCount);
        assert.ok(
          found.every((v) => v.level !== "mandatory" && prodOnly.includes(v.policy)),
          `${env} ${JSON.stringify(found)}`,
        );
      }
      // Staging keeps backups and final snapshots but is not deletion-protected: the rules say so, as advice.
      const staging = await judge("staging", { engine: "aurora-postgresql" });
      assert.deepEqual([...new Set(staging.map((v) => v.policy))].sort(), [
        "warehouse-deletion-protection",
        "warehouse-protect",
      ]);
    });
  });
});
