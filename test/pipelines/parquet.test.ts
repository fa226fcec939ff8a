import { strict as assert } from "node:assert";
import fc from "fast-check";
import { decimalBytes, ExportTypeError, parquetFile, unscaled } from "../../components/pipelines/handlers/parquet";

describe("pipelines: Parquet export values", () => {
  it("sizes decimals to the fewest bytes that hold every value of their precision", () => {
    assert.deepEqual([1, 2, 3, 4, 9, 10, 18, 19, 38].map(decimalBytes), [1, 1, 2, 2, 4, 5, 8, 9, 16]);
    for (let p = 1; p <= 38; p++) {
      const n = decimalBytes(p);
      assert.ok(2n ** BigInt(8 * n - 1) > 10n ** BigInt(p), `p=${p}`);
      assert.ok(n === 1 || 2n ** BigInt(8 * (n - 1) - 1) <= 10n ** BigInt(p), `p=${p} not minimal`);
    }
  });

  it("property: a decimal's text becomes its exact unscaled value; extra fraction digits are refused, not rounded", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }),
        fc.integer({ min: 0, max: 18 }),
        (u, scale) => {
          const digits = (u < 0n ? -u : u).toString().padStart(scale + 1, "0");
          const text = `${u < 0n ? "-" : ""}${digits.slice(0, digits.length - scale)}${scale ? `.${digits.slice(-scale)}` : ""}`;
          assert.equal(unscaled(text, scale), u);
          assert.equal(unscaled(`${text}${scale ? "" : "."}1`, scale), undefined);
        },
      ),
    );
    assert.equal(unscaled("12.50", 1), 125n, "trailing zeros are not extra digits");
    for (const bad of ["", ".", "1e3", "abc", "1.2.3", "--1"]) assert.equal(unscaled(bad, 2), undefined, bad);
  });

  it("stops on a value its column cannot hold, naming the column", () => {
    const cases: [string, unknown][] = [
      ["bigint", "12x"],
      ["int", 2 ** 31],
      ["decimal(4,2)", "100.00"],
      ["decimal(4,2)", "1.234"],
      ["date", "2024-13"],
      ["timestamp", "not a time"],
      ["boolean", "true"],
    ];
    for (const [type, value] of cases)
      assert.throws(
        () => parquetFile([{ name: "c", type }], [{ c: value }]),
        (e: Error) => e instanceof ExportTypeError && e.message.startsWith(`column c (${type}) cannot hold`),
        `${type} ${String(value)}`,
      );
    assert.throws(() => parquetFile([{ name: "c", type: "array<string>" }], []), /cannot write array<string>/);
    assert.equal(
      Buffer.from(parquetFile([{ name: "c", type: "string" }], []))
        .subarray(0, 4)
        .toString(),
      "PAR1",
    );
  });
});
