import { strict as assert } from "node:assert";
import * as path from "node:path";
import { BI_PROFILES, SUPERSET_CHART_VERSION } from "../../components/bi/config";
import { supersetValues } from "../../components/bi/superset";
import { readKeyFixture, unknownKeys } from "../support/chart-keys";

// Superset's values against the key paths of the pinned chart's values.yaml (test/bi/fixtures), so a key the
// chart does not know fails here instead of being silently ignored by Helm.

const fixture = readKeyFixture(path.join(__dirname, "fixtures"), "superset");
type Budget = { enabled: boolean; minAvailable: unknown; maxUnavailable: unknown };
const budgets = (replicas: number) => {
  const v = supersetValues({ replicas }) as Record<string, { podDisruptionBudget: Budget }>;
  return [v.supersetNode!.podDisruptionBudget, v.supersetWorker!.podDisruptionBudget];
};

describe("Superset values against the pinned chart's values.yaml", () => {
  it("the fixture describes exactly the pinned chart version, the default in every profile", () => {
    assert.equal(fixture.chart, "superset");
    assert.equal(fixture.version, SUPERSET_CHART_VERSION);
    for (const env of ["dev", "staging", "prod"] as const)
      assert.equal(BI_PROFILES[env].superset.chartVersion, fixture.version, env);
  });

  it("use only keys the chart knows, single replica and highly available", () => {
    for (const replicas of [1, 2, 3])
      assert.deepEqual(unknownKeys(supersetValues({ replicas }), fixture), [], `replicas ${replicas}`);
  });

  it("the check catches a misspelt key and a key under the wrong component", () => {
    const v = supersetValues({ replicas: 2 }) as Record<string, object>;
    const bad = {
      ...v,
      ingres: { enabled: false },
      supersetNode: { ...v.supersetNode, podDisruptionBudgets: { enabled: true } },
    };
    assert.deepEqual(unknownKeys(bad, fixture).sort(), ["ingres.enabled", "supersetNode.podDisruptionBudgets.enabled"]);
  });

  it("disruption budgets set only minAvailable: the chart's maxUnavailable default is deleted, as its template requires", () => {
    // The chart fails a budget whose minAvailable and maxUnavailable are both truthy, and its defaults set both to 1.
    for (const replicas of [1, 2]) {
      for (const b of budgets(replicas)) {
        assert.equal(b.minAvailable, 1);
        assert.equal(b.maxUnavailable, null);
      }
    }
    assert.deepEqual(
      budgets(1).map((b) => b.enabled),
      [false, false],
    );
    assert.deepEqual(
      budgets(2).map((b) => b.enabled),
      [true, true],
    );
  });
});
