import { strict as assert } from "node:assert";
import fc from "fast-check";
import { columnsFromJsonSchema, glueTypeOf } from "../../components/datasets/columns";
import { formatType, MAX_TYPE_DEPTH, parseType } from "../../components/datasets/types";

const SEED = 1212;
const params = { seed: SEED, numRuns: 300 };

// JSON Schemas as sources write them: scalars with formats, arrays, nested objects, nullable unions, enums,
// and the shapes a column cannot be told from ($ref, oneOf, several types).
const propertyName = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,12}$/),
  fc.string({ maxLength: 8 }),
);
const { schema } = fc.letrec<{ schema: Record<string, unknown> }>((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(
      { type: "string" },
      { type: "string", format: "date-time" },
      { type: "string", format: "date" },
      { type: "integer" },
      { type: "number" },
      { type: "boolean" },
      { type: ["string", "null"] },
      { type: ["string", "integer"] },
      { enum: ["a", "b"] },
      { enum: [1, 2, 3] },
      { $ref: "#/definitions/x" },
      { oneOf: [{ type: "string" }, { type: "integer" }] },
      {},
    ),
    fc.record({ type: fc.constant("array"), items: tie("schema") }),
    fc.record({ type: fc.constant("object"), properties: fc.dictionary(propertyName, tie("schema"), { maxKeys: 5 }) }),
  ),
}));
const objectSchema = fc.record({
  type: fc.constant("object"),
  properties: fc.dictionary(propertyName, schema, { maxKeys: 8 }),
});

describe("datasets: JSON Schema → Glue columns", () => {
  it("maps scalars, formats, arrays and objects as documented", () => {
    const { columns, skipped } = columnsFromJsonSchema({
      type: "object",
      properties: {
        order_id: { type: "string", description: "Business id" },
        amount: { type: "number" },
        quantity: { type: "integer" },
        paid: { type: "boolean" },
        created_at: { type: "string", format: "date-time" },
        day: { type: "string", format: "date" },
        tags: { type: "array", items: { type: "string" } },
        lines: {
          type: "array",
          items: { type: "object", properties: { sku: { type: "string" }, qty: { type: "integer" } } },
        },
        address: { type: "object", properties: { city: { type: "string" }, Zip: { type: ["string", "null"] } } },
        meta: { type: "object" },
        currency: { enum: ["EUR", "USD"] },
        CustomerId: { type: "string" },
        "bad-name": { type: "string" },
        customerid: { type: "string" },
      },
    });
    assert.deepEqual(
      columns.map((c) => `${c.name} ${c.type}`),
      [
        "order_id string",
        "amount double",
        "quantity bigint",
        "paid boolean",
        "created_at timestamp",
        "day date",
        "tags array<string>",
        "lines array<struct<sku:string,qty:bigint>>",
        "address struct<city:string,zip:string>",
        "meta string",
        "currency string",
        "customerid string",
      ],
    );
    assert.equal(columns[0].comment, "Business id");
    assert.deepEqual(
      skipped.map((s) => s.property),
      ["bad-name", "customerid"],
    );
  });

  it("every derived type is a valid Glue type that round-trips through the parser", () => {
    fc.assert(
      fc.property(objectSchema, (s) => {
        for (const c of columnsFromJsonSchema(s).columns) {
          const parsed = parseType(c.type);
          assert.notEqual(typeof parsed, "string", `${c.type}: ${String(parsed)}`);
          assert.equal(formatType(parsed as Exclude<typeof parsed, string>), c.type);
        }
      }),
      params,
    );
  });

  it("accounts for every property: a column or a reason, lower-case and unique, in declaration order", () => {
    fc.assert(
      fc.property(objectSchema, (s) => {
        const { columns, skipped } = columnsFromJsonSchema(s);
        const props = Object.keys(s.properties);
        assert.equal(columns.length + skipped.length, props.length);
        const names = columns.map((c) => c.name);
        assert.equal(new Set(names).size, names.length);
        for (const n of names) assert.match(n, /^[a-z_][a-z0-9_]*$/);
        const order = props.map((p) => p.toLowerCase()).filter((p) => names.includes(p));
        assert.deepEqual([...new Set(order)], names);
        for (const k of skipped) assert.ok(k.reason.length > 0);
      }),
      params,
    );
  });

  it("never overflows on deep nesting: past the depth limit a value is kept as JSON text", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 5000; i++) deep = { type: "object", properties: { x: deep } };
    const t = glueTypeOf(deep);
    assert.match(formatType(t), /^(struct<x:)+string>+$/);
    assert.ok(formatType(t).split("struct<").length - 1 <= MAX_TYPE_DEPTH);
  });

  it("a nullable type is its non-null type; several types or none read as string", () => {
    fc.assert(
      fc.property(fc.constantFrom("string", "integer", "number", "boolean"), (t) => {
        assert.deepEqual(glueTypeOf({ type: [t, "null"] }), glueTypeOf({ type: t }));
        assert.equal(formatType(glueTypeOf({ type: [t, "null", "object"] })), "string");
      }),
      params,
    );
  });
});
