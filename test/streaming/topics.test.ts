import { strict as assert } from "assert";
import fc from "fast-check";
import {
  applyTopicPlan,
  kafkaClientConfig,
  parseTopicsEvent,
  readTopics,
  reconcileTopics,
} from "../../components/streaming/handlers/topics";
import { planTopicChanges, topicsChecksum, topicSpec, TopicSpec, TopicState } from "../../components/streaming/topics";
import { fakeAdmin } from "./support/fakeAdmin";

const spec = (
  name: string,
  partitions: number,
  retentionHours = 168,
  replicationFactor: number | undefined = 3,
): TopicSpec =>
  topicSpec({
    name,
    partitions,
    replicationFactor,
    retentionHours,
    cleanupPolicy: "delete",
    domain: name.split(".")[0],
    classification: "internal",
  });
const event = (topics: TopicSpec[]) => ({
  bootstrapBrokers: "b-1:9098,b-2:9098",
  region: "eu-west-1",
  checksum: topicsChecksum(topics),
  topics,
});

describe("topic manager", () => {
  describe("topicSpec", () => {
    it("turns hours into retention.ms and carries the cleanup policy", () => {
      assert.deepEqual(spec("sales.orders", 6, 24).configs, { "cleanup.policy": "delete", "retention.ms": "86400000" });
    });
  });

  describe("planTopicChanges", () => {
    const have = (partitions: number, retentionMs = "604800000", rf = 3): TopicState => ({
      partitions,
      replicationFactor: rf,
      configs: { "cleanup.policy": "delete", "retention.ms": retentionMs },
    });

    it("creates missing topics, grows partitions, reconfigures drift and leaves the rest", () => {
      const plan = planTopicChanges(
        [spec("a.new", 3), spec("a.grow", 12), spec("a.retune", 6, 24), spec("a.same", 6)],
        new Map([
          ["a.grow", have(6)],
          ["a.retune", have(6)],
          ["a.same", have(6)],
          ["a.undeclared", have(1)],
        ]),
      );
      assert.deepEqual(
        plan.create.map((t) => t.name),
        ["a.new"],
      );
      assert.deepEqual(plan.addPartitions, [{ name: "a.grow", from: 6, to: 12 }]);
      assert.deepEqual(
        plan.reconfigure.map((r) => [r.name, r.changed]),
        [["a.retune", ["retention.ms"]]],
      );
      assert.deepEqual(plan.unchanged, ["a.same"]);
      assert.deepEqual(plan.refused, []);
    });

    it("refuses shrinking partitions and changing replication, with the reason", () => {
      const plan = planTopicChanges(
        [spec("a.shrink", 3), spec("a.rf", 6, 168, 2)],
        new Map([
          ["a.shrink", have(6)],
          ["a.rf", have(6)],
        ]),
      );
      assert.deepEqual(plan.refused, [
        { name: "a.shrink", reason: "has 6 partitions; Kafka cannot reduce them to 3" },
        { name: "a.rf", reason: "has replication factor 3; changing it to 2 needs a partition reassignment" },
      ]);
      assert.deepEqual(plan.unchanged, []);
    });

    it("ignores the replication factor when the cluster decides it (msk-serverless)", () => {
      const plan = planTopicChanges([spec("a.t", 6, 168, undefined)], new Map([["a.t", have(6, "604800000", 3)]]));
      assert.deepEqual([plan.refused, plan.unchanged], [[], ["a.t"]]);
    });

    it("converges: applying any plan to any cluster, then planning again, changes nothing", async () => {
      const name = fc.constantFrom("a.one", "a.two", "a.three", "a.four");
      const desired = fc.uniqueArray(
        fc.record({ name, partitions: fc.integer({ min: 1, max: 12 }), hours: fc.integer({ min: 1, max: 500 }) }),
        { selector: (t) => t.name, maxLength: 4 },
      );
      const existing = fc.dictionary(
        name,
        fc.record({ partitions: fc.integer({ min: 1, max: 12 }), hours: fc.integer({ min: 1, max: 500 }) }),
      );
      await fc.assert(
        fc.asyncProperty(desired, existing, async (want, have) => {
          const specs = want.map((t) => spec(t.name, t.partitions, t.hours));
          const cluster = fakeAdmin(
            3,
            Object.fromEntries(
              Object.entries(have).map(([n, t]) => [
                n,
                {
                  partitions: t.partitions,
                  replicationFactor: 3,
                  configs: { "cleanup.policy": "delete", "retention.ms": String(t.hours * 3_600_000) },
                },
              ]),
            ),
          );
          const plan = planTopicChanges(specs, await readTopics(cluster.admin, specs));
          const shrinks = specs.some((s) => have[s.name] && have[s.name].partitions > s.partitions);
          assert.equal(plan.refused.length > 0, shrinks);
          if (shrinks) {
            await assert.rejects(applyTopicPlan(cluster.admin, plan), /refusing to change topics/);
            assert.deepEqual(cluster.calls, [], "a refused plan touches nothing");
            return;
          }
          await applyTopicPlan(cluster.admin, plan);
          const again = planTopicChanges(specs, await readTopics(cluster.admin, specs));
          assert.deepEqual([again.create, again.addPartitions, again.reconfigure, again.refused], [[], [], [], []]);
          assert.deepEqual(again.unchanged.sort(), specs.map((s) => s.name).sort());
          for (const undeclared of Object.keys(have).filter((n) => !specs.some((s) => s.name === n))) {
            assert.equal(
              cluster.topics.get(undeclared)!.partitions,
              have[undeclared].partitions,
              "undeclared topics are left alone",
            );
          }
        }),
        { numRuns: 150 },
      );
    });
  });

  describe("reconcileTopics against an in-memory cluster", () => {
    it("creates with the declared settings, then a second run is a no-op", async () => {
      const cluster = fakeAdmin(3);
      const topics = [spec("sales.orders", 6), spec("sales.refunds", 3, 24, undefined)];
      const first = await reconcileTopics(cluster.admin, parseTopicsEvent(event(topics)));
      assert.deepEqual(first.created, ["sales.orders", "sales.refunds"]);
      assert.deepEqual(cluster.topics.get("sales.orders"), {
        partitions: 6,
        replicationFactor: 3,
        configs: { "cleanup.policy": "delete", "retention.ms": "604800000" },
      });
      assert.equal(cluster.topics.get("sales.refunds")!.replicationFactor, 3, "cluster default applied");
      const callsAfterFirst = cluster.calls.length;
      const second = await reconcileTopics(cluster.admin, parseTopicsEvent(event(topics)));
      assert.deepEqual([second.created, second.partitionsAdded, second.reconfigured], [[], [], []]);
      assert.deepEqual(second.unchanged, ["sales.orders", "sales.refunds"]);
      assert.equal(cluster.calls.length, callsAfterFirst);
    });

    it("surfaces a broker refusal instead of reporting success", async () => {
      const cluster = fakeAdmin(2);
      await assert.rejects(
        reconcileTopics(cluster.admin, parseTopicsEvent(event([spec("sales.orders", 6, 168, 3)]))),
        /Replication factor: 3 larger than available brokers: 2/,
      );
    });
  });

  describe("event and client", () => {
    it("rejects a payload whose checksum does not match its topics, or that is malformed", () => {
      const e = event([spec("sales.orders", 6)]);
      assert.equal(parseTopicsEvent(e).topics.length, 1);
      assert.throws(() => parseTopicsEvent({ ...e, topics: [spec("sales.orders", 7)] }), /checksum does not match/);
      assert.throws(() => parseTopicsEvent({ ...e, region: "moon" }), /invalid topics event: region/);
      assert.throws(
        () => parseTopicsEvent({ ...e, topics: [{ ...spec("a.b", 1), partitions: 0 }] }),
        /invalid topics event: topics\.0\.partitions/,
      );
    });

    it("connects over TLS with SASL/OAUTHBEARER carrying a SigV4 token for the cluster's region", async () => {
      const signed: string[] = [];
      const config = kafkaClientConfig(" b-1.x:9098, b-2.x:9098 ", "eu-west-1", async (region) => {
        signed.push(region);
        return { token: "signed-token", expiryTime: Date.now() + 900_000 };
      });
      assert.deepEqual(config.brokers, ["b-1.x:9098", "b-2.x:9098"]);
      assert.equal(config.ssl, true);
      const sasl = config.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
      assert.equal(sasl.mechanism, "oauthbearer");
      assert.deepEqual(await sasl.oauthBearerProvider(), { value: "signed-token" });
      assert.deepEqual(signed, ["eu-west-1"]);
    });
  });
});
