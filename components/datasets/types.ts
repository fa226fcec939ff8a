// Glue (Hive) column types as the catalog stores them: a small grammar, parsed so that config can be checked, raw
// tables can be derived from JSON Schemas, Iceberg schemas can be written and the read-back tests can map every
// column onto their SQL engine. Names inside struct<> are lower-case identifiers, as Glue stores them.

export const SCALAR_TYPES = [
  "string",
  "boolean",
  "int",
  "bigint",
  "float",
  "double",
  "date",
  "timestamp",
  "binary",
] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

export type GlueType =
  | { readonly kind: "scalar"; readonly name: ScalarType }
  | { readonly kind: "decimal"; readonly precision: number; readonly scale: number }
  | { readonly kind: "array"; readonly element: GlueType }
  | { readonly kind: "struct"; readonly fields: readonly { readonly name: string; readonly type: GlueType }[] };

/** Column and struct-field names Glue, Athena and Trino all accept unquoted. */
export const COLUMN_NAME = /^[a-z_][a-z0-9_]{0,127}$/;

/** Deepest nesting accepted: deeper JSON Schemas become JSON text, never a stack overflow. */
export const MAX_TYPE_DEPTH = 16;

/** The catalog's spelling of a type. */
export function formatType(t: GlueType): string {
  switch (t.kind) {
    case "scalar":
      return t.name;
    case "decimal":
      return `decimal(${t.precision},${t.scale})`;
    case "array":
      return `array<${formatType(t.element)}>`;
    case "struct":
      return `struct<${t.fields.map((f) => `${f.name}:${formatType(f.type)}`).join(",")}>`;
  }
}

/** Parses a Glue type string; returns an error message when it is not one. */
export function parseType(text: string): GlueType | string {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${pos} of '${text}'`);
  };
  const word = () => {
    const m = /^[a-z_][a-z0-9_]*/.exec(text.slice(pos));
    if (!m) fail("expected a name");
    pos += m![0].length;
    return m![0];
  };
  const expect = (s: string) => {
    if (!text.startsWith(s, pos)) fail(`expected '${s}'`);
    pos += s.length;
  };
  const type = (depth: number): GlueType => {
    if (depth > MAX_TYPE_DEPTH) fail(`nested deeper than ${MAX_TYPE_DEPTH}`);
    const name = word();
    if (name === "array") {
      expect("<");
      const element = type(depth + 1);
      expect(">");
      return { kind: "array", element };
    }
    if (name === "struct") {
      expect("<");
      const fields: { name: string; type: GlueType }[] = [];
      do {
        if (fields.length > 0) expect(",");
        const field = word();
        if (fields.some((f) => f.name === field)) fail(`duplicate field '${field}'`);
        expect(":");
        fields.push({ name: field, type: type(depth + 1) });
      } while (text[pos] === ",");
      expect(">");
      return { kind: "struct", fields };
    }
    if (name === "decimal") {
      const m = /^\((\d{1,2}),(\d{1,2})\)/.exec(text.slice(pos));
      if (!m) fail("expected decimal(precision,scale)");
      const precision = Number(m![1]);
      const scale = Number(m![2]);
      if (precision < 1 || precision > 38 || scale > precision)
        fail("decimal needs 1 ≤ precision ≤ 38, scale ≤ precision");
      pos += m![0].length;
      return { kind: "decimal", precision, scale };
    }
    if ((SCALAR_TYPES as readonly string[]).includes(name)) return { kind: "scalar", name: name as ScalarType };
    return fail(`unknown type '${name}'`);
  };
  try {
    const t = type(0);
    if (pos !== text.length) fail("unexpected text");
    return t;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Whether a type is a single value (no array or struct): what Iceberg partition specs and quality rules take. */
export const isPrimitive = (t: GlueType) => t.kind === "scalar" || t.kind === "decimal";

/**
 * The Iceberg type of a primitive Glue type (Glue's Iceberg schema input speaks Iceberg's names). Timestamps are
 * `timestamptz`: every time the platform writes is UTC.
 */
export function icebergType(t: GlueType): string {
  if (t.kind === "decimal") return `decimal(${t.precision},${t.scale})`;
  if (t.kind !== "scalar") throw new Error(`icebergType: ${formatType(t)} is not a primitive type`);
  const map: Record<ScalarType, string> = {
    string: "string",
    boolean: "boolean",
    int: "int",
    bigint: "long",
    float: "float",
    double: "double",
    date: "date",
    timestamp: "timestamptz",
    binary: "binary",
  };
  return map[t.name];
}
