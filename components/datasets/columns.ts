import { COLUMN_NAME, formatType, GlueType, MAX_TYPE_DEPTH } from "./types";

// JSON Schema (draft-07, as sources declare their payloads) → Glue columns of the raw table over the records.
// The raw table reads what the handlers wrote, so the mapping follows what a JSON reader can decode:
//   string → string (format date-time → timestamp, format date → date)   integer → bigint   number → double
//   boolean → boolean   object with properties → struct<…>   array → array<items>   anything else → string
// A property whose type cannot be told (no type, several types, $ref, oneOf…) or that nests too deep stays
// readable as string. Names are lower-cased (the catalog stores them so); a property whose name no engine
// accepts unquoted, or that collides with another after lower-casing, is left out and reported.

export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

export interface DerivedColumns {
  readonly columns: readonly GlueColumn[];
  /** Properties that are not columns, with the reason (they stay in the stored records). */
  readonly skipped: readonly { readonly property: string; readonly reason: string }[];
}

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => v !== null && typeof v === "object" && !Array.isArray(v);
const STRING: GlueType = { kind: "scalar", name: "string" };

/** The single non-null JSON type of a schema, or undefined when it has none or several. */
function jsonTypeOf(s: Schema): string | undefined {
  const t = s.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    const nonNull = t.filter((x) => x !== "null");
    return nonNull.length === 1 && typeof nonNull[0] === "string" ? nonNull[0] : undefined;
  }
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const kinds = new Set<string>(
      s.enum.filter((v) => v !== null).map((v) => (Number.isInteger(v) ? "integer" : typeof v)),
    );
    const only = kinds.size === 1 ? [...kinds][0] : undefined;
    return only && ["string", "integer", "number", "boolean"].includes(only) ? only : undefined;
  }
  return undefined;
}

/** The Glue type of one JSON Schema node. */
export function glueTypeOf(schema: unknown, depth = 0): GlueType {
  if (!isSchema(schema) || depth >= MAX_TYPE_DEPTH) return STRING;
  switch (jsonTypeOf(schema)) {
    case "string":
      return schema.format === "date-time"
        ? { kind: "scalar", name: "timestamp" }
        : schema.format === "date"
          ? { kind: "scalar", name: "date" }
          : STRING;
    case "integer":
      return { kind: "scalar", name: "bigint" };
    case "number":
      return { kind: "scalar", name: "double" };
    case "boolean":
      return { kind: "scalar", name: "boolean" };
    case "array":
      return { kind: "array", element: glueTypeOf(schema.items, depth + 1) };
    case "object": {
      const { columns } = propertiesToColumns(schema, depth + 1);
      return columns.length === 0
        ? STRING
        : { kind: "struct", fields: columns.map((c) => ({ name: c.name, type: c.glue })) };
    }
    default:
      return STRING;
  }
}

function propertiesToColumns(
  schema: Schema,
  depth: number,
): {
  columns: { name: string; glue: GlueType; comment?: string }[];
  skipped: { property: string; reason: string }[];
} {
  const props = isSchema(schema.properties) ? schema.properties : {};
  const columns: { name: string; glue: GlueType; comment?: string }[] = [];
  const skipped: { property: string; reason: string }[] = [];
  for (const [property, sub] of Object.entries(props)) {
    const name = property.toLowerCase();
    if (!COLUMN_NAME.test(name)) {
      skipped.push({ property, reason: "not a column name (letters, digits and _, starting with a letter or _)" });
      continue;
    }
    if (columns.some((c) => c.name === name)) {
      skipped.push({ property, reason: `same column name as another property once lower-cased ('${name}')` });
      continue;
    }
    const description = isSchema(sub) && typeof sub.description === "string" ? sub.description : undefined;
    columns.push({ name, glue: glueTypeOf(sub, depth), comment: description?.slice(0, 255) });
  }
  return { columns, skipped };
}

/** The columns of a raw table over records that match `schema` (top-level properties, in declaration order). */
export function columnsFromJsonSchema(schema: unknown): DerivedColumns {
  if (!isSchema(schema)) return { columns: [], skipped: [] };
  const { columns, skipped } = propertiesToColumns(schema, 0);
  return {
    columns: columns.map((c) => ({
      name: c.name,
      type: formatType(c.glue),
      ...(c.comment ? { comment: c.comment } : {}),
    })),
    skipped,
  };
}
