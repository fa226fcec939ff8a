import type { PlannedResource } from "../../policies/engine/args";

// Column-level facts for the access matrix: the columns of every Glue table the plan declares, and the LF-tags
// their columns carry themselves. Lake Formation decides a column by its own tags where it has them, and by the
// tags it inherits from its database otherwise; a grant by tag expression reaches the columns it matches.

export interface TableFact {
  readonly database: string;
  readonly name: string;
  readonly domain: string;
  readonly columns: readonly string[];
  /** Column → its own LF-tags (logical key → value); columns without any inherit the database's. */
  readonly columnTags: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const TABLE = "aws:glue/catalogTable:CatalogTable";
const LF_TAGS = "aws:lakeformation/resourceLfTags:ResourceLfTags";

interface TableInputs {
  name?: string;
  databaseName?: string;
  parameters?: Record<string, string>;
  storageDescriptor?: { columns?: { name: string }[] };
  openTableFormatInput?: { icebergInput?: { icebergTableInput?: { schema?: { fields?: { name: string }[] } } } };
}

/** Every table of the plan with its columns and column-level LF-tags; `logicalKey` maps a physical tag key. */
export function tableFacts(resources: readonly PlannedResource[], logicalKey: (key: string) => string): TableFact[] {
  const tags = new Map<string, Record<string, Record<string, string>>>();
  for (const r of resources.filter((x) => x.type === LF_TAGS)) {
    const t = r.inputs.tableWithColumns as { databaseName?: string; name?: string; columnNames?: string[] } | undefined;
    if (!t?.databaseName || !t.name) continue;
    const key = `${t.databaseName}.${t.name}`;
    const byColumn = tags.get(key) ?? {};
    for (const c of t.columnNames ?? [])
      for (const { key: k, value } of (r.inputs.lfTags as { key: string; value: string }[]) ?? [])
        byColumn[c] = { ...byColumn[c], [logicalKey(k)]: value };
    tags.set(key, byColumn);
  }
  return resources
    .filter((r) => r.type === TABLE)
    .flatMap((r) => {
      const i = r.inputs as TableInputs;
      if (!i.name || !i.databaseName) return [];
      const fields =
        i.openTableFormatInput?.icebergInput?.icebergTableInput?.schema?.fields ?? i.storageDescriptor?.columns ?? [];
      return [
        {
          database: i.databaseName,
          name: i.name,
          domain: i.parameters?.["data-domain"] ?? "",
          columns: fields.map((f) => f.name),
          columnTags: tags.get(`${i.databaseName}.${i.name}`) ?? {},
        },
      ];
    });
}

/** Columns of a table that carry a tag of their own (classified), or none (unclassified). */
export function columnsOf(t: TableFact, which: "classified" | "unclassified"): string[] {
  return t.columns.filter((c) => (t.columnTags[c] !== undefined) === (which === "classified"));
}
