// Fuzz: the deploy-time handlers, warehouse bootstrap and topic manager, with payloads as a broken deployment or a
// hand-edited invocation would send them. A payload is run exactly as rendered or refused with a named error
// (InvalidBootstrapEvent, InvalidTopicsEvent) naming its field; a topic change Kafka cannot make is refused whole
// (TopicChangeRefused, naming the topic) before any change, and everything else converges to what was declared.
import { strict as assert } from "assert";
import fc from "fast-check";
import {
  InvalidTopicsEvent,
  parseTopicsEvent,
  reconcileTopics,
  TopicChangeRefused,
} from "../../components/streaming/handlers/topics";
import { topicsChecksum, topicSpec, TopicSpec } from "../../components/streaming/topics";
import { InvalidBootstrapEvent, parseBootstrapEvent } from "../../components/warehouse/handlers/bootstrap";
import { renderScripts, scriptsChecksum } from "../../components/warehouse/scripts";
import { fakeAdmin } from "../streaming/support/fakeAdmin";
import { json, params } from "./support";

type Payload = Record<string, unknown>;
/** One edit of a valid payload: a field dropped, replaced by anything, a nested value changed, or a field added. */
const edit = (paths: readonly string[][]): fc.Arbitrary<Edit> =>
  fc.oneof(
    fc.record({ kind: fc.constant("drop" as const), path: fc.constantFrom(...paths) }),
    fc.record({ kind: fc.constant("set" as const), path: fc.constantFrom(...paths), value: json(2) }),
    fc.record({ kind: fc.constant("add" as const), key: fc.string({ maxLength: 8 }), value: json(1) }),
  );
function applyEdit(payload: Payload, e: Edit): Payload {
  const copy = structuredClone(payload);
  if (e.kind === "add") {
    copy[`x${e.key}`] = e.value;
    return copy;
  }
  let at: Record<string, unknown> = copy;
  for (const k of e.path.slice(0, -1)) {
    const next = at[k];
    if (!next || typeof next !== "object") return copy; // an earlier edit removed what this one edits
    at = next as Record<string, unknown>;
  }
  const last = e.path[e.path.length - 1];
  if (e.kind === "drop") delete at[last];
  else at[last] = e.value;
  return copy;
}
type Edit =
  | { kind: "drop"; path: string[] }
  | { kind: "set"; path: string[]; value: unknown }
  | { kind: "add"; key: string; value: unknown };

describe("fuzz: warehouse bootstrap and topic manager", function () {
  this.timeout(0);

  it("bootstrap: a payload runs exactly as rendered or is refused with InvalidBootstrapEvent naming what is wrong", () => {
    const scripts = renderScripts("postgres", ["sales", "marketing"]);
    const valid: Payload = JSON.parse(
      JSON.stringify({ engine: "aurora-postgresql", checksum: scriptsChecksum(scripts), scripts }),
    );
    const paths = [
      ["engine"],
      ["checksum"],
      ["scripts"],
      ["scripts", "0"],
      ["scripts", "0", "id"],
      ["scripts", "0", "kind"],
      ["scripts", "0", "statements"],
      ["scripts", "0", "statements", "0"],
      ["scripts", "1", "checksum"],
      ["logins"],
    ];
    const payload = fc.oneof(
      fc.constant(valid),
      fc.array(edit(paths), { minLength: 1, maxLength: 3 }).map((es) => es.reduce(applyEdit, valid)),
      json(3),
    );
    fc.assert(
      fc.property(payload, (p) => {
        try {
          const parsed = parseBootstrapEvent(p);
          assert.deepEqual(parsed.scripts, valid.scripts, "only the payload as rendered runs");
          assert.equal(parsed.checksum, valid.checksum);
        } catch (e) {
          assert.ok(e instanceof InvalidBootstrapEvent, `a named refusal, not ${String(e)}`);
          assert.match(
            (e as Error).message,
            /^(invalid bootstrap event: [\w.]+: |script [\w.]+: checksum does not match|scripts checksum does not match)/,
          );
        }
      }),
      params(15008, 300),
    );
  });

  it("topic manager: a payload is applied, refused with InvalidTopicsEvent, or refused whole with TopicChangeRefused", async () => {
    const name = fc.constantFrom("sales.orders", "sales.carts", "ops.audit", "ops.metrics");
    const specs = fc.uniqueArray(
      fc.record({
        name,
        partitions: fc.integer({ min: 1, max: 12 }),
        replicationFactor: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        retentionHours: fc.integer({ min: 1, max: 1000 }),
        cleanupPolicy: fc.constantFrom("delete" as const, "compact" as const),
      }),
      { selector: (s) => s.name, maxLength: 4 },
    );
    const existing = fc.dictionary(
      name,
      fc.record({
        partitions: fc.integer({ min: 1, max: 12 }),
        replicationFactor: fc.integer({ min: 1, max: 3 }),
        configs: fc.dictionary(fc.constantFrom("retention.ms", "cleanup.policy"), fc.string({ maxLength: 6 })),
      }),
      { maxKeys: 4 },
    );
    const paths = [
      ["region"],
      ["checksum"],
      ["bootstrapBrokers"],
      ["topics"],
      ["topics", "0", "partitions"],
      ["topics", "0", "name"],
    ];
    await fc.assert(
      fc.asyncProperty(
        specs,
        existing,
        fc.option(fc.array(edit(paths), { minLength: 1, maxLength: 2 }), { freq: 3 }),
        async (wanted, have, edits) => {
          const topics: TopicSpec[] = wanted.map((w) =>
            topicSpec({ ...w, domain: w.name.split(".")[0], classification: "internal" }),
          );
          const valid: Payload = JSON.parse(
            JSON.stringify({
              bootstrapBrokers: "b-1:9098",
              region: "eu-west-1",
              checksum: topicsChecksum(topics),
              topics,
            }),
          );
          const payload = edits ? edits.reduce(applyEdit, valid) : valid;
          let event;
          try {
            event = parseTopicsEvent(payload);
          } catch (e) {
            assert.ok(e instanceof InvalidTopicsEvent, `a named refusal, not ${String(e)}`);
            assert.match((e as Error).message, /^(invalid topics event: [\w.]+: |topics checksum does not match)/);
            return;
          }
          assert.deepEqual(event.topics, valid.topics, "only the payload as rendered is applied");
          const cluster = fakeAdmin(3, have);
          try {
            const result = await reconcileTopics(cluster.admin, event);
            for (const t of topics) {
              const now = cluster.topics.get(t.name)!;
              assert.equal(now.partitions, t.partitions);
              for (const [k, v] of Object.entries(t.configs)) assert.equal(now.configs[k], v);
            }
            assert.equal(
              result.created.length +
                result.partitionsAdded.length +
                result.reconfigured.length +
                result.unchanged.length >=
                topics.length,
              true,
            );
          } catch (e) {
            assert.ok(e instanceof TopicChangeRefused, `a named refusal, not ${String(e)}`);
            assert.deepEqual(cluster.calls, [], "a refused plan changes nothing");
            const refused = topics.filter((t) => {
              const h = have[t.name];
              return (
                h &&
                (t.partitions < h.partitions ||
                  (t.replicationFactor !== undefined && t.replicationFactor !== h.replicationFactor))
              );
            });
            assert.ok(refused.length > 0);
            for (const t of refused) assert.ok((e as Error).message.includes(t.name), t.name);
          }
        },
      ),
      params(15009, 100),
    );
  });
});
