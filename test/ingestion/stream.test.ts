import { strict as assert } from "assert";
import { createHash } from "crypto";
import fc from "fast-check";
import { parseRecords } from "../../components/ingestion/handlers/loader";
import { NeedsExactPath, StreamedObject, streamedRows } from "../../components/ingestion/handlers/lib/stream";
import { isCanonicalJson } from "../../components/ingestion/records/canonical";
import { MAX_DEPTH, parseJson, stringifyJson, unstorable } from "../../components/ingestion/records/json";

// The streaming load must store exactly what the exact path stores, or step aside: for any object and any way S3
// cuts it into chunks, the binary COPY rows are parseRecords' records (byte for byte, in order, indexed from 0), and
// the checksum is the one the exact path computes; whatever it cannot prove, it leaves to the exact path.

interface Row {
  source: string;
  key: string;
  index: number;
  record: string;
}

/** The rows of a COPY binary stream, read field by field as PostgreSQL reads them. */
function binaryRows(data: Buffer, jsonb: boolean): Row[] {
  assert.equal(data.subarray(0, 11).toString("latin1"), "PGCOPY\n\xff\r\n\0", "signature");
  assert.equal(data.readInt32BE(11), 0, "flags");
  assert.equal(data.readInt32BE(15), 0, "header extension");
  const rows: Row[] = [];
  let at = 19;
  for (;;) {
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    assert.equal(fields, 4);
    const field = () => {
      const n = data.readInt32BE(at);
      const v = data.subarray(at + 4, at + 4 + n);
      at += 4 + n;
      return v;
    };
    const source = field().toString("utf8");
    const key = field().toString("utf8");
    const index = field().readInt32BE(0);
    let record = field();
    if (jsonb) {
      assert.equal(record[0], 1, "jsonb version byte");
      record = record.subarray(1);
    }
    rows.push({ source, key, index, record: record.toString("utf8") });
  }
  assert.equal(at, data.length, "nothing after the trailer");
  return rows;
}

/** Streams `bytes` cut at `cuts`; undefined when the stream leaves the object to the exact path. */
async function stream(bytes: Buffer, cuts: readonly number[] = [], jsonb = false) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks = [0, ...points].map((p, i, all) => bytes.subarray(p, all[i + 1] ?? bytes.length));
  async function* body() {
    for (const c of chunks) yield new Uint8Array(c); // a copy, as an HTTP body's chunks are
  }
  const into: StreamedObject = { rows: 0, rejects: [] };
  const out: Buffer[] = [];
  try {
    for await (const b of streamedRows(body(), "orders-loader", "sales/k.json", into, jsonb)) out.push(b);
  } catch (e) {
    if (e instanceof NeedsExactPath) return undefined;
    throw e;
  }
  const rows = binaryRows(Buffer.concat(out), jsonb);
  assert.equal(into.rows, rows.length);
  return { rows, rejects: into.rejects, checksum: into.checksum };
}

/** What the exact path stores for the same object. */
function exact(text: string) {
  const parsed = parseRecords(text, true);
  return {
    records: parsed.records,
    rejects: parsed.rejects,
    checksum: createHash("sha256").update(text).digest("hex"),
  };
}

async function agrees(text: string, cuts: readonly number[] = [], jsonb = false): Promise<boolean> {
  const streamed = await stream(Buffer.from(text), cuts, jsonb);
  if (!streamed) return false;
  const want = exact(text);
  assert.deepEqual(streamed.rejects, want.rejects, `rejects of ${JSON.stringify(text)}`);
  assert.deepEqual(
    streamed.rows.map((r) => r.record),
    want.records,
    JSON.stringify(text),
  );
  streamed.rows.forEach((r, i) => {
    assert.equal(r.index, i);
    assert.equal(r.source, "orders-loader");
    assert.equal(r.key, "sales/k.json");
  });
  assert.equal(streamed.checksum, want.checksum);
  return true;
}

// Records as producers write them: compact JSON of objects with text in any script (emoji included), integers,
// decimals, booleans, nulls and nesting; none needs the exact parser.
const text = fc.string({ unit: "grapheme", maxLength: 12 });
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !/e/i.test(String(d))),
);
const { value: plain } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(text, tie("value"), { maxKeys: 5 }),
  ),
}));
const producerLine = fc
  .dictionary(text, plain, { minKeys: 1, maxKeys: 6 })
  .map((r) => JSON.stringify(r))
  .filter((s) => !s.includes("\\u") && !s.includes('"__proto__"'));
const cuts = fc.array(fc.nat(), { maxLength: 6 });

describe("ingestion: the streaming load stores what the exact path stores", () => {
  it("streams producers' JSON lines whole, however S3 cuts them, with the exact path's records and checksum", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(producerLine, { minLength: 1, maxLength: 8 }),
        cuts,
        fc.boolean(),
        async (ls, c, crlf) =>
          assert.ok(await agrees(ls.join(crlf ? "\r\n" : "\n") + (crlf ? "\r\n" : "\n"), c), "left to the exact path"),
      ),
    );
  });

  it("on any object either agrees with the exact path or leaves it to it", async () => {
    const line = fc.oneof(
      producerLine,
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v, null, 1)),
      fc.string(),
      fc.constantFrom(
        '{"a":1,"a":2}',
        '{"n":1e999}',
        '{"n":10.50}',
        '{"s":"\\u0000"}',
        '{"s":"\\ud800"}',
        "",
        " ",
        "[",
      ),
    );
    let withRejects = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), cuts, fc.constantFrom("\n", "\r\n"), async (ls, c, eol) => {
        if ((await agrees(ls.join(eol), c)) && parseRecords(ls.join(eol), true).rejects.length > 0) withRejects++;
      }),
    );
    assert.ok(withRejects >= 10, `objects with rejects streamed: ${withRejects} of 100`);
  });

  it("cuts inside a multi-byte character change nothing; bytes that are not UTF-8 go to the exact path", async () => {
    const line = '{"name":"한국어 ✓ 😀","n":1}';
    const bytes = Buffer.from(`${line}\n${line}\n`);
    for (let cut = 1; cut < bytes.length; cut++) assert.ok(await agrees(bytes.toString(), [cut]), `cut at ${cut}`);
    const broken = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"b":1}\n')]);
    assert.equal(await stream(broken), undefined);
    const surrogate = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}\n')]);
    assert.equal(await stream(surrogate), undefined, "an encoded surrogate is not UTF-8");
    const truncated = Buffer.from(`${line}\n`).subarray(0, Buffer.byteLength(line) - 6);
    assert.equal(await stream(truncated), undefined, "a character cut off at the end");
  });

  it("decides lines that need the parser as the exact path does: stored form, or a reject with the line's reason", async () => {
    for (const t of [
      '{"a":1}\n{"a":1,"a":1}\n{"a": 2}\n{"a":"\\/"}\n{"n":1E5}',
      '{"a":1}\n{bad}\n\n{"s":"\\u0000"}\n{"n":1e999}\n{"ok":true}\n',
      '{"s":"\\ud800"}\n{"b":2}',
    ]) {
      assert.ok(await agrees(t, [5, 17]), JSON.stringify(t));
    }
    const mixed = await stream(Buffer.from('{"a":1}\n{bad}\n{"a": 2}\n'));
    assert.deepEqual(
      mixed?.rows.map((r) => r.record),
      ['{"a":1}', '{"a":2}'],
    );
    assert.deepEqual(
      mixed?.rejects.map((r) => [r.line, r.raw]),
      [[2, "{bad}"]],
    );
  });

  it("leaves to the exact path what only the whole text decides", async () => {
    for (const t of [
      '[{"a":1},{"a":2}]',
      '{\n  "a": 1\n}',
      '\ufeff{"a":1}\n{"a":2}',
      '  {"a":1}\n{"a":2}',
      '{bad}\n{"a":2}',
      '{"a": 1}',
      '{"a":1}\n{"a": 2}  \n\n',
    ])
      assert.equal(await stream(Buffer.from(t)), undefined, JSON.stringify(t));
    assert.ok(
      await agrees('\n\n{"a":1}\n\n{"b":[1,{"c":null}]}\n\n'),
      "blank lines are skipped as the exact path skips them",
    );
    assert.ok(await agrees('{"n":10.50,"m":-0,"k":123456789012345678901234567890}'), "numbers keep their digits");
    assert.ok(await agrees(""), "an empty object is zero rows");
  });

  it("stops at the first chunk of an array, and joins a long line's pieces once", async () => {
    const records = Array.from({ length: 20_000 }, (_, i) => `{"id":${i},"pad":"${"x".repeat(40)}"}`);
    let pulled = 0;
    async function* chunks(text: string) {
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += 1024, pulled++) yield bytes.subarray(at, at + 1024);
    }
    const into: StreamedObject = { rows: 0, rejects: [] };
    await assert.rejects(async () => {
      for await (const _ of streamedRows(chunks(`  [${records.join(",")}]`), "s", "k", into));
    }, NeedsExactPath);
    assert.equal(pulled, 0, "the array is left to the exact path at its first chunk");
    const long = `{"rows":[${records.join(",")}]}`;
    let out = 0;
    for await (const b of streamedRows(chunks(`${long}\n{"b":1}\n`), "s", "k", into)) out += b.length;
    assert.equal(into.rows, 2);
    assert.ok(out > long.length, "the long line is one row, whole");
  });

  it("writes the version byte a jsonb record column expects", async () => {
    const streamed = await stream(Buffer.from('{"a":1}\n{"b":2}\n'), [], true);
    assert.deepEqual(
      streamed?.rows.map((r) => r.record),
      ['{"a":1}', '{"b":2}'],
    );
  });
});

describe("ingestion: isCanonicalJson proves the stored form", () => {
  const stored = (t: string) => {
    const p = parseJson(t, MAX_DEPTH);
    return p.ok && unstorable(p.value, "record", { warehouse: true }).length === 0 ? stringifyJson(p.value) : undefined;
  };

  it("says yes only for text the lossless path stores unchanged and the warehouse takes", () => {
    const alphabet = fc.constantFrom(...'{}[]:,"\\0123456789-.eE+ truefalsn/u\u0000\ud800é😀'.split(""), "__proto__");
    const mutated = fc
      .tuple(producerLine, fc.array(fc.tuple(fc.nat(), alphabet), { maxLength: 3 }))
      .map(([t, edits]) =>
        edits.reduce((s, [at, c]) => s.slice(0, at % (s.length + 1)) + c + s.slice(at % (s.length + 1)), t),
      );
    const any = fc.oneof(
      mutated,
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ unit: alphabet }),
    );
    fc.assert(
      fc.property(any, (t) => {
        if (isCanonicalJson(t, MAX_DEPTH)) assert.equal(stored(t), t, JSON.stringify(t));
      }),
      { numRuns: 2000 },
    );
  });

  it("says yes for producers' compact records, and no for what needs the parser", () => {
    fc.assert(fc.property(producerLine, (t) => isCanonicalJson(t, MAX_DEPTH)));
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    assert.equal(isCanonicalJson(deep(MAX_DEPTH), MAX_DEPTH), true);
    assert.equal(isCanonicalJson(`[${deep(MAX_DEPTH)}]`, MAX_DEPTH), false, "one level too deep");
    const many = `{${Array.from({ length: 100 }, (_, i) => `"k${i}":${i}`).join(",")}}`;
    assert.equal(isCanonicalJson(many, MAX_DEPTH), true);
    assert.equal(isCanonicalJson(`${many.slice(0, -1)},"k7":0}`, MAX_DEPTH), false, "a repeated name among many");
    for (const t of ['{"a":1,"a":1}', '{"__proto__":{}}', '{"a":"\\u0041"}', '{"n":1e2}', " 1", "1 ", '"\ud800"', "01"])
      assert.equal(isCanonicalJson(t, MAX_DEPTH), false, t);
  });
});
