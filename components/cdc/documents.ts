import type { PolicyDocument, Statement } from "../core/iam";
import { doc } from "../core/iam";
import { prefixObjectStatements, secretReadStatements } from "../functions/statements";
import { CDC_COLUMNS } from "./merge";
import type { ResolvedCdcSource } from "./config";

// Plain documents of a CDC source, so tests can read and evaluate them without the engine.

/** The role DMS assumes for one source: the regional service principal reads the secret, the global one writes S3. */
export function dmsTrust(region: string, accountId: string): PolicyDocument {
  return doc({
    Effect: "Allow",
    Principal: { Service: ["dms.amazonaws.com", `dms.${region}.amazonaws.com`] },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  });
}

export interface CdcAccess {
  readonly bucketArn: string;
  readonly keyArn: string;
  /** The source's raw prefix, ending in `/`. */
  readonly prefix: string;
  readonly secretArn: string;
  readonly region: string;
}

/**
 * What DMS needs to land a source in the raw zone and nothing more: write, tag and replace objects (DMS deletes its
 * own partial files) under the source's prefix only, list that prefix, the zone key through S3 for this bucket,
 * and the source's credentials secret.
 */
export function cdcRoleStatements(a: CdcAccess): Statement[] {
  return [
    ...prefixObjectStatements(a, ["s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging", "s3:GetObject"], "Raw"),
    ...secretReadStatements(a.secretArn, a.region, undefined, "SourceCredentials"),
  ];
}

interface MappingRule {
  readonly "rule-type": "selection" | "transformation";
  readonly "rule-id": string;
  readonly "rule-name": string;
  readonly "object-locator": { readonly "schema-name": string; readonly "table-name": string };
  readonly "rule-action": string;
  readonly [more: string]: unknown;
}

/**
 * DMS table mappings: exactly the configured tables, each with the change sequence DMS assigns every change
 * (`$AR_H_CHANGE_SEQ`, increasing within the source's log), which orders changes sharing one commit time.
 */
export function tableMappings(source: Pick<ResolvedCdcSource, "tables">): { rules: MappingRule[] } {
  const rules: MappingRule[] = [];
  source.tables.forEach((t, i) => {
    const locator = { "schema-name": t.schema, "table-name": t.table };
    rules.push({
      "rule-type": "selection",
      "rule-id": String(i + 1),
      "rule-name": `include-${t.schema}-${t.table}`,
      "object-locator": locator,
      "rule-action": "include",
    });
    rules.push({
      "rule-type": "transformation",
      "rule-id": String(1000 + i + 1),
      "rule-name": `change-seq-${t.schema}-${t.table}`,
      "rule-target": "column",
      "object-locator": locator,
      "rule-action": "add-column",
      value: CDC_COLUMNS.changeSeq,
      expression: "$AR_H_CHANGE_SEQ",
      "data-type": { type: "string", length: 40 },
    });
  });
  return { rules };
}

/** Replication settings: task logs on, so a failure says why in CloudWatch Logs. */
export function replicationSettings(): Record<string, unknown> {
  return {
    Logging: { EnableLogging: true },
    FullLoadSettings: { TargetTablePrepMode: "DO_NOTHING" },
    // A row DMS cannot write stops the replication (and raises its alarm) rather than being skipped.
    ErrorBehavior: { DataErrorPolicy: "STOP_TASK", TableErrorPolicy: "STOP_TASK", FullLoadIgnoreConflicts: false },
  };
}
