import { strict as assert } from "assert";
import fc from "fast-check";
import { parseRecords } from "../../components/ingestion/handlers/loader";

// The loader's fast path (the engine's JSON parser, when it round-trips the text exactly) must decide every object
// exactly as the lossless path does: the same records, byte for byte, and the same rejects with the same reasons.
const same = (text: string) => assert.deepEqual(parseRecords(text), parseRecords(text, true), JSON.stringify(text));

describe("ingestion: the loader's fast parse agrees with the lossless one", () => {
  it("on hand-picked edge cases", () => {
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    for (const text of [
      '{"a":1}',
      '{"a":1,"a":1}',
      '{"a":1,"a":2}',
      '{"n":12345678901234567890}',
      '{"n":1e400}',
      '{"n":1.0}',
      '{"n":-0}',
      '{"n":0.1,"m":1e21,"k":1E5}',
      '{"s":"\\u00e9"}',
      '{"s":"é","t":"\\"\\\\\\/"}',
      '{"s":"a\\u0000b"}',
      '{"s":"\\ud800"}',
      '{"2":1,"1":2}',
      '{"__proto__":{"x":1}}',
      '{"a":1}\r\n{"b":2}\r\n',
      ' {"a":1} \n\n{"b":[1,2,{"c":null}]}\n',
      '{"a":1}\n{bad}\n{"c":3}',
      "[1,2,3]",
      '[{"a":1},{"a":1e400},{"b":"\\u0000"}]',
      deep(64),
      deep(65),
      deep(66),
      `${deep(64)}\n${deep(65)}\n${deep(70)}`,
      'true\nnull\n"x"\n7',
    ])
      same(text);
  });

  it("on generated records, objects and JSON lines", () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const compact = value.map((v) => JSON.stringify(v));
    const spaced = value.map((v) => JSON.stringify(v, null, 1));
    const line = fc.oneof(compact, spaced, fc.string(), fc.constantFrom('{"a":1,"a":2}', '{"n":1e999}', '{"n":10.50}'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.constantFrom("\n", "\r\n"), (lines, eol) =>
        same(lines.join(eol)),
      ),
    );
    fc.assert(fc.property(fc.array(value, { maxLength: 8 }), (vs) => same(JSON.stringify(vs))));
  });

  it("keeps each record's exact text", () => {
    const text = '{"id":"a","n":123456789012345678901234567890}\n{"id":"b","d":0.1000000000000000055511151231257827}';
    assert.deepEqual(parseRecords(text).records, text.split("\n"));
  });
});
