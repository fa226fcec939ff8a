import { strict as assert } from "node:assert";
import { costSection, estimateCost } from "../../tools/plan/cost";
import { owningComponent } from "../../tools/plan/report";
import { planStack } from "../support/plan";
import { planned } from "../support/policy";

const res = (type: string, name: string, inputs: Record<string, unknown>) => planned(type, inputs, { name });

describe("cost estimate", () => {
  it("prices a small platform by hand: NAT, EKS, nodes, a key; MSK listed as unpriced", () => {
    const c = estimateCost(
      [
        res("aws:ec2/natGateway:NatGateway", "nat", {}),
        res("aws:eks/cluster:Cluster", "k8s", {}),
        res("aws:eks/nodeGroup:NodeGroup", "system", {
          instanceTypes: ["m6i.xlarge"],
          scalingConfig: { desiredSize: 2 },
        }),
        res("aws:eks/nodeGroup:NodeGroup", "spot", {
          instanceTypes: ["m6i.xlarge"],
          scalingConfig: { desiredSize: 0 },
        }),
        res("aws:kms/key:Key", "key", { tags: { "data-domain": "sales" } }),
        res("aws:msk/cluster:Cluster", "kafka", {
          numberOfBrokerNodes: 2,
          brokerNodeGroupInfo: { instanceType: "kafka.t3.small", storageInfo: { ebsStorageInfo: { volumeSize: 20 } } },
        }),
      ],
      "eu-west-1",
      owningComponent,
    );
    // 0.048 × 730 = 35.04; 0.10 × 730 = 73; 2 × 0.214 × 730 = 312.44; 1 key = 1.
    assert.equal(c.monthlyTotal, 421.48);
    assert.deepEqual(c.byDomain, { shared: 420.48, sales: 1 });
    assert.deepEqual(
      c.unpriced.map((u) => u.key),
      ["msk:kafka.t3.small", "msk:storage-gb"],
    );
    const text = costSection(c).join("\n");
    assert.match(text, /\*\*\$421\.48\*\*/);
    assert.match(text, /\| `system` \(NodeGroup\) \| \(stack\) \| \$312\.44 \|/);
    assert.match(text, /Unpriced .*`msk:kafka\.t3\.small` ×1/);
  });

  it("says so when the region has no price table, pricing nothing", () => {
    const c = estimateCost([res("aws:ec2/natGateway:NatGateway", "nat", {})], "ap-south-2", owningComponent);
    assert.equal(c.monthlyTotal, 0);
    assert.deepEqual(c.unpriced, [{ key: "vpc:nat-gateway", urn: "urn:pulumi:test::data-platform::NatGateway::nat" }]);
  });

  it("comes with every plan, dev well below prod", async function () {
    this.timeout(300_000);
    const dev = (await planStack("dev")).document!.cost!;
    const prod = (await planStack("prod")).document!.cost!;
    assert.ok(
      dev.monthlyTotal > 0 && dev.monthlyTotal * 2 < prod.monthlyTotal,
      `${dev.monthlyTotal} vs ${prod.monthlyTotal}`,
    );
    assert.equal(prod.region, "eu-west-1");
  });
});
