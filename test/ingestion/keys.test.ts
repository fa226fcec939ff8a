import { strict as assert } from "assert";
import fc from "fast-check";
import {
  canonicalJson,
  contentId,
  daysBetween,
  eventTime,
  isRecordKey,
  rawKey,
  recordId,
  safeId,
  sourceRoot,
  utcDay,
} from "../../components/ingestion/keys";
import { prepare } from "../../components/ingestion/handlers/lib/intake";
import { compileValidator } from "../../components/ingestion/records/validate";
import { parseBatch as parseBody } from "../../components/ingestion/handlers/lib/body";
import { ORDER_SCHEMA } from "./fixtures";

const root = sourceRoot("sales", "orders");
const instant = fc.date({
  min: new Date("1970-01-01T00:00:00Z"),
  max: new Date("9999-12-31T23:59:59Z"),
  noInvalidDate: true,
});
// Ids as hostile as record content can make them: traversal, separators, unicode, control characters, length.
const hostileId = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constantFrom(
    "..",
    "../../etc/passwd",
    "a/../../b",
    "%2e%2e%2f",
    "dt=2020-01-01/x",
    "",
    " ",
    "\u0000",
    "x".repeat(101),
  ),
  fc.string({ unit: "grapheme", maxLength: 50 }),
);

describe("ingestion: raw-zone keys (property-based)", () => {
  it("always stay under the source's own prefix, in the event's UTC day, with a single safe file name", () => {
    fc.assert(
      fc.property(instant, hostileId, (at, id) => {
        const key = rawKey(root, at, id);
        assert.ok(key.startsWith(root));
        const rest = key.slice(root.length);
        assert.match(rest, /^dt=\d{4}-\d{2}-\d{2}\/[A-Za-z0-9_-]{1,100}\.json$/);
        assert.equal(rest.slice(3, 13), at.toISOString().slice(0, 10));
        assert.ok(!key.split("/").some((seg) => seg === ".." || seg === "."), "no traversal segment");
        assert.ok(isRecordKey(root, key));
      }),
      { numRuns: 500 },
    );
  });

  it("keep ids that are already safe and hash the rest, injectively enough that different ids differ", () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/), (id) => assert.equal(safeId(id), id)));
    fc.assert(
      fc.property(hostileId, hostileId, (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(safeId(a), safeId(b));
      }),
    );
  });

  it("derive the partition from the event time in UTC, whatever offset the timestamp carries", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01Z"), max: new Date("2100-01-01Z"), noInvalidDate: true }),
        fc.integer({ min: -14, max: 14 }),
        (at, offsetHours) => {
          const sign = offsetHours < 0 ? "-" : "+";
          const local = new Date(at.getTime() + offsetHours * 3_600_000).toISOString().slice(0, 19);
          const stamped = `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, "0")}:00`;
          const t = eventTime({ ts: stamped }, "ts", new Date(0));
          assert.ok(t instanceof Date);
          assert.equal(utcDay(t), utcDay(new Date(Math.floor(at.getTime() / 1000) * 1000)));
        },
      ),
    );
  });

  it("name equal records identically and different records differently (content ids)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), (rec) => {
        const shuffled = Object.fromEntries(Object.entries(rec).reverse());
        assert.equal(contentId(shuffled), contentId(rec));
        assert.equal(canonicalJson(shuffled), canonicalJson(rec));
        assert.notEqual(contentId({ ...rec, __extra: 1 }), contentId(rec));
      }),
    );
    assert.equal(recordId({ order_id: "o/1" }, "order_id"), safeId("o/1"));
  });

  it("expand date ranges to every day and refuse bad ones", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01Z"), max: new Date("2090-01-01Z"), noInvalidDate: true }),
        fc.integer({ min: 0, max: 400 }),
        (from, span) => {
          const to = new Date(from.getTime() + span * 86_400_000);
          const days = daysBetween(utcDay(from), utcDay(to), 401);
          assert.equal(days.length, span + 1);
          assert.equal(days[0], utcDay(from));
          assert.equal(days[days.length - 1], utcDay(to));
          assert.equal(new Set(days).size, days.length);
        },
      ),
    );
    assert.throws(() => daysBetween("2024-01-01", "2024-01-01T00", 5), /YYYY-MM-DD/);
  });
});

describe("ingestion: payload validation (property-based)", () => {
  const validate = compileValidator(ORDER_SCHEMA);
  const src = { name: "orders", domain: "sales", root, idField: "order_id", timeField: "created_at" };
  const goodOrder = fc.record({
    order_id: fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/),
    amount: fc.double({ min: 0, max: 1e9, noNaN: true }),
    currency: fc.constantFrom("EUR", "USD", "KRW"),
    created_at: fc
      .date({ min: new Date("2000-01-01Z"), max: new Date("2099-01-01Z"), noInvalidDate: true })
      .map((d) => d.toISOString()),
  });

  it("accepts every record the schema allows and keys it by id and event day", () => {
    fc.assert(
      fc.property(fc.uniqueArray(goodOrder, { minLength: 1, maxLength: 20, selector: (o) => o.order_id }), (orders) => {
        const { objects, errors } = prepare(orders, validate, src, new Date());
        assert.deepEqual(errors, []);
        assert.equal(objects.length, orders.length);
        objects.forEach((o, i) =>
          assert.equal(o.key, `${root}dt=${orders[i].created_at.slice(0, 10)}/${orders[i].order_id}.json`),
        );
      }),
    );
  });

  it("rejects every broken record with a reason naming the field, and never loses or reorders the good ones", () => {
    const broken = goodOrder.chain((o) =>
      fc.constantFrom<[string, Record<string, unknown>]>(
        ["amount", { ...o, amount: -1 }],
        ["currency", { ...o, currency: "GBP" }],
        ["order_id", { ...o, order_id: undefined }],
        ["created_at", { ...o, created_at: "soon" }],
        ["bogus", { ...o, bogus: true }],
      ),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            goodOrder.map((o) => ["", o] as [string, Record<string, unknown>]),
            broken,
          ),
          { maxLength: 30 },
        ),
        (mixed) => {
          // Ids are made unique: a repeated id in one batch is itself a rejection (tested apart).
          const records = mixed.map(([, r], i) =>
            JSON.parse(
              JSON.stringify(
                typeof r.order_id === "string" ? { ...r, order_id: `${r.order_id.slice(0, 36)}-${i}` } : r,
              ),
            ),
          );
          const { objects, errors } = prepare(records, validate, src, new Date());
          assert.equal(objects.length + errors.length, records.length, "every record is accounted for");
          errors.forEach((e) => {
            const field = mixed[e.index][0];
            assert.notEqual(field, "", "a valid record was rejected");
            assert.ok(
              e.reasons.some((r) => r.includes(field)),
              `reason for ${field}: ${e.reasons.join("; ")}`,
            );
          });
          assert.deepEqual(
            objects.map((o) => o.index),
            mixed.map(([f], i) => (f === "" ? i : -1)).filter((i) => i >= 0),
          );
        },
      ),
    );
  });

  it("never throws on any body: it parses or explains why not", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (body) => {
          const r = parseBody(body, 50);
          if (!r.ok) assert.ok(r.reason.length > 0);
          else prepare(r.records, validate, src, new Date());
        },
      ),
      { numRuns: 300 },
    );
  });
});
