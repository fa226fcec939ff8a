import { strict as assert } from "node:assert";
import type { PlannedResource } from "../../policies/engine/args";
import { stackArgs } from "../../policies/engine/args";
import { evaluate } from "../../policies/engine/evaluate";
import { ALWAYS, resourceRule, stackRule } from "../../policies/rules/define";

// The engine indexes resources by type once per evaluation and builds a stack's linked views once for every stack
// rule: the verdicts must be what visiting every resource for every rule gave, in the same order.
const planned = (name: string, type: string, dependencies: string[] = []): PlannedResource => ({
  urn: `urn:pulumi:prod::p::${type}::${name}`,
  type,
  name,
  custom: true,
  inputs: { name },
  protect: false,
  retainOnDelete: false,
  dependencies,
});
const A = "aws:s3/bucket:Bucket";
const B = "aws:iam/role:Role";
const resources = [planned("a1", A), planned("b1", B), planned("a2", A, [planned("b1", B).urn]), planned("b2", B)];
const def = { description: "d", group: "security" as const, remediation: "r", enforcement: ALWAYS };

describe("policy engine: indexed evaluation", () => {
  it("a resource rule sees only its types, in plan order, and a waiver is reported once per waived resource", async () => {
    const seen: string[] = [];
    const rule = resourceRule({
      ...def,
      name: "t-types",
      resourceTypes: [A, A],
      validate: (r, report) => {
        seen.push(String(r.props["name"]));
        report(`saw ${r.props["name"]}`);
      },
    });
    const config = {
      "t-types": { enforcementLevel: "mandatory" as const, waivers: [{ resource: "a2", reason: "x" }] },
    };
    const v = await evaluate([rule], resources, config);
    assert.deepEqual(seen, ["a1"]);
    assert.deepEqual(
      v.violations.map((x) => x.message),
      ["saw a1"],
    );
    assert.deepEqual(
      v.waivers.map((w) => w.urn),
      [resources[2].urn],
    );
  });

  it("stack rules share one set of linked views, each in a fresh list of its own", async () => {
    const lists: unknown[][] = [];
    const mk = (name: string) =>
      stackRule({
        ...def,
        name,
        resourceTypes: [A],
        validate: (rs, report) => {
          lists.push(rs as unknown[]);
          (rs as unknown[]).reverse(); // a rule may reorder its list in place
          const a2 = rs.find((r) => r.name === "a2")!;
          if (a2.dependencies.map((d) => d.name).join() !== "b1") report("a2 lost its dependency", a2.urn);
        },
      });
    const v = await evaluate([mk("s1"), mk("s2")], resources, {});
    assert.deepEqual(v.violations, []);
    assert.notEqual(lists[0], lists[1]);
    assert.equal(lists[0].length, 4);
    assert.deepEqual(
      (lists[1] as { name: string }[]).map((r) => r.name),
      ["b2", "a2", "b1", "a1"],
      "the second rule got the plan order (then reversed it itself)",
    );
    assert.equal(stackArgs(resources).resources[0], stackArgs(resources).resources[0], "views are shared");
  });
});
