import { strict as assert } from "node:assert";
import fc from "fast-check";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { structOrder } from "../../tools/plan/run";

// The plan's mock engine answers a registration with the resource's serialised state directly instead of through a
// protobuf Struct: outputs must read exactly as the round trip would give them, values and key order alike.
describe("offline plan: mock engine responses", () => {
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true }),
      fc.string(),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.string(), fc.nat().map(String)), tie("value"), { maxKeys: 5 }),
    ),
  })).value;

  it("gives the values and key order of a Struct round trip", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json, { maxKeys: 6 }), (state) => {
        const viaStruct = Struct.fromJavaScript(state as Parameters<typeof Struct.fromJavaScript>[0]).toJavaScript();
        assert.equal(JSON.stringify(structOrder(state)), JSON.stringify(viaStruct));
      }),
    );
  });
});
