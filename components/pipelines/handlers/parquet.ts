// Warehouse rows → one Parquet file with exactly the dataset's declared columns and Glue types, the way the
// analytics table (ParquetHiveSerDe under partition projection) reads it. Values are converted by the declared type,
// never guessed from the data: `bigint` and `decimal` arrive from the warehouse driver as strings and stay exact.
import { parquetWriteBuffer } from "hyparquet-writer";

export interface ExportColumn {
  readonly name: string;
  /** Glue type: string, boolean, int, bigint, float, double, date, timestamp or decimal(p,s). */
  readonly type: string;
}

/** A value the export cannot write as its column's type: the export stops, naming it (nothing is written). */
export class ExportTypeError extends Error {
  override readonly name = "ExportTypeError";
}

type Physical = {
  readonly element: Record<string, unknown>;
  readonly convert: (v: unknown) => unknown;
};

const DAY_MS = 86_400_000;
const DECIMAL = /^decimal\((\d{1,2}),(\d{1,2})\)$/;

/** Bytes of a FIXED_LEN_BYTE_ARRAY that holds every unscaled value of `precision` digits (two's complement). */
export const decimalBytes = (precision: number): number => {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) <= 10n ** BigInt(precision)) n++;
  return n;
};

/** "-12.5" at scale 2 → -1250n, exactly; more fraction digits than the scale are refused, not rounded. */
export function unscaled(text: string, scale: number): bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const fraction = (m[3] ?? "").replace(/0+$/, "");
  if (fraction.length > scale) return undefined;
  const digits = BigInt(`${m[2] || "0"}${fraction.padEnd(scale, "0")}`);
  return m[1] === "-" ? -digits : digits;
}

function physical(column: ExportColumn): Physical {
  const bad = (v: unknown): never => {
    throw new ExportTypeError(`column ${column.name} (${column.type}) cannot hold ${JSON.stringify(String(v))}`);
  };
  const base = { name: column.name, repetition_type: "OPTIONAL" };
  const number = (v: unknown) => {
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    return Number.isNaN(n) && !(typeof v === "number") ? bad(v) : n;
  };
  const integer = (v: unknown, bits: 32 | 64) => {
    let b: bigint;
    try {
      b = BigInt(typeof v === "number" || typeof v === "string" || typeof v === "bigint" ? v : NaN);
    } catch {
      return bad(v);
    }
    const limit = 2n ** BigInt(bits - 1);
    if (b < -limit || b >= limit) bad(v);
    return bits === 32 ? Number(b) : b;
  };
  const dec = DECIMAL.exec(column.type);
  if (dec) {
    const [precision, scale] = [Number(dec[1]), Number(dec[2])];
    return {
      element: {
        ...base,
        type: "FIXED_LEN_BYTE_ARRAY",
        type_length: decimalBytes(precision),
        converted_type: "DECIMAL",
        precision,
        scale,
      },
      convert: (v) => {
        const u = unscaled(typeof v === "number" ? String(v) : typeof v === "string" ? v : "", scale) ?? bad(v);
        return u >= 10n ** BigInt(precision) || u <= -(10n ** BigInt(precision)) ? bad(v) : u;
      },
    };
  }
  switch (column.type) {
    case "string":
      return {
        element: { ...base, type: "BYTE_ARRAY", converted_type: "UTF8" },
        convert: (v) => (typeof v === "string" ? v : v instanceof Date ? v.toISOString() : String(v)),
      };
    case "boolean":
      return { element: { ...base, type: "BOOLEAN" }, convert: (v) => (typeof v === "boolean" ? v : bad(v)) };
    case "int":
      return { element: { ...base, type: "INT32" }, convert: (v) => integer(v, 32) };
    case "bigint":
      return { element: { ...base, type: "INT64" }, convert: (v) => integer(v, 64) };
    case "float":
      return { element: { ...base, type: "FLOAT" }, convert: number };
    case "double":
      return { element: { ...base, type: "DOUBLE" }, convert: number };
    case "date":
      return {
        element: { ...base, type: "INT32", converted_type: "DATE" },
        convert: (v) => {
          // The PostgreSQL driver reads a date as local midnight; its calendar fields are the day.
          if (v instanceof Date) return Math.round(Date.UTC(v.getFullYear(), v.getMonth(), v.getDate()) / DAY_MS);
          const m = typeof v === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
          return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS : bad(v);
        },
      };
    case "timestamp":
      return {
        element: { ...base, type: "INT64", converted_type: "TIMESTAMP_MILLIS" },
        convert: (v) => {
          const t = v instanceof Date ? v.getTime() : typeof v === "string" ? Date.parse(v) : NaN;
          return Number.isNaN(t) ? bad(v) : BigInt(t);
        },
      };
    default:
      throw new ExportTypeError(`column ${column.name}: the export cannot write ${column.type}`);
  }
}

/** One Parquet file of `rows` (objects keyed by column name), in the declared column order; nulls stay null. */
export function parquetFile(columns: readonly ExportColumn[], rows: readonly Record<string, unknown>[]): Uint8Array {
  const types = columns.map(physical);
  const columnData = columns.map((c, i) => ({
    name: c.name,
    data: rows.map((r) => {
      const v = r[c.name];
      return v === null || v === undefined ? null : types[i].convert(v);
    }),
  }));
  const buffer = parquetWriteBuffer({
    columnData: columnData as Parameters<typeof parquetWriteBuffer>[0]["columnData"],
    schema: [{ name: "root", num_children: columns.length }, ...types.map((t) => t.element)] as unknown as Parameters<
      typeof parquetWriteBuffer
    >[0]["schema"],
    createdBy: "data-platform pipeline export",
  });
  return new Uint8Array(buffer);
}
