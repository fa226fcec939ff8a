import { CLASSIFICATIONS } from "../../components/core/types";
import { ALWAYS, PlatformRule, resourceRule } from "./define";

// Rules over the lake's tables: governance metadata, Iceberg maintenance, column classifications, quality rules.
// Glue tables take no resource tags, so their governance lives in table parameters (what the catalog shows).

export const DATASET_TYPES = {
  table: "aws:glue/catalogTable:CatalogTable",
} as const;

export const datasetRules: PlatformRule[] = [
  resourceRule({
    name: "glue-table-governed",
    description:
      "Every Glue table carries its data-domain, a known data-classification, its data-owner and data-steward as table parameters, so the catalog shows who answers for it and how sensitive it is.",
    remediation:
      "Declare tables through the platform's DatasetCatalog (or set parameters data-domain, data-classification, data-owner and data-steward).",
    group: "governance",
    resourceTypes: [DATASET_TYPES.table],
    enforcement: ALWAYS,
    validate(r, report) {
      const p = (r.props.parameters ?? {}) as Record<string, string>;
      const missing = ["data-domain", "data-owner", "data-steward"].filter((k) => !p[k]);
      if (missing.length > 0) report(`table parameters lack ${missing.join(", ")}`);
      const c = p["data-classification"];
      if (!(CLASSIFICATIONS as readonly string[]).includes(c ?? ""))
        report(`data-classification is ${c ? `'${c}'` : "missing"}; must be one of ${CLASSIFICATIONS.join(", ")}`);
    },
  }),
];
