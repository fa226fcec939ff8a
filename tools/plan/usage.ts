// Usage-driven cost: what each source's expected volume (the `cost.volumes` config, or the profile's default) costs in
// requests, function time, queue and table writes, raw objects and their storage, and Firehose ingest; Athena by the
// TB scanned. Each figure is a stated assumption, shown in the report; none is a measurement.
import type { PlannedResource } from "../../policies/engine/args";
import type { ResolvedCost, SourceVolume } from "../../components/cost/config";

export interface Need {
  readonly key: string;
  readonly quantity: number;
}

export interface UsageLine {
  /** `usage:source:<name>` or `usage:athena`: not a resource, a priced assumption. */
  readonly urn: string;
  readonly type: "usage";
  readonly component: string;
  readonly domain: string;
  readonly needs: readonly Need[];
  /** The assumption in words, e.g. `100000 records of 1 KB a month`. */
  readonly assumption: string;
}

/**
 * Per record, what each kind of source does (documented in docs/cost.md): one function run of 100 ms at 256 MB per
 * invocation (arm64, as every platform function); http and queue sources write one raw object per invocation; queue, stream and table-event functions
 * take batches (10, and 100 for table streams); a scheduled pull writes one object per 1000 records.
 */
const RECORDS_PER_INVOCATION: Readonly<Record<string, number>> = {
  http: 1,
  queue: 10,
  "db-events": 100,
  schedule: 1000,
  "object-events": 1000,
};
const FUNCTION_GB_SECONDS = 0.1 * 0.25;
const GB = (records: number, kb: number) => (records * kb) / (1024 * 1024);

/** What one source's volume costs a month, as price keys and quantities. */
export function sourceNeeds(v: SourceVolume, deliveredTopics: ReadonlySet<string>): Need[] {
  const r = v.recordsPerMonth;
  const gb = GB(r, v.averageRecordKb);
  if (v.kind === "cdc")
    // DMS Serverless bills capacity units while it replicates: not in the table, so listed as unpriced.
    return [{ key: "dms:serverless-dcu-hour", quantity: 0 }];
  const invocations = r / (RECORDS_PER_INVOCATION[v.kind] ?? 1);
  const needs: Need[] = [
    { key: "lambda:million-requests", quantity: invocations / 1e6 },
    { key: "lambda:arm-gb-second", quantity: invocations * FUNCTION_GB_SECONDS },
  ];
  if (v.kind === "http") needs.push({ key: "apigateway:http-million-requests", quantity: r / 1e6 });
  // A queue record is sent once, then received and deleted in batches of 10.
  if (v.kind === "queue") needs.push({ key: "sqs:million-requests", quantity: (r * 1.2) / 1e6 });
  // A table write of up to 1 KB is one write unit.
  if (v.kind === "db-events")
    needs.push({ key: "dynamodb:million-write-units", quantity: (r * Math.ceil(v.averageRecordKb)) / 1e6 });
  if (v.kind !== "object-events")
    needs.push({ key: "s3:thousand-puts", quantity: invocations / 1000 }, { key: "s3:storage-gb", quantity: gb });
  if (v.kafkaTopic && deliveredTopics.has(v.kafkaTopic)) needs.push({ key: "firehose:ingested-gb", quantity: gb });
  return needs;
}

/** Every usage line of a plan: one per source, and Athena's scans. */
export function usageLines(resources: readonly PlannedResource[], assumptions: ResolvedCost): UsageLine[] {
  const delivered = new Set(
    resources
      .filter((r) => r.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")
      .map((r) => (r.inputs.mskSourceConfiguration as { topicName?: string } | undefined)?.topicName)
      .filter((t): t is string => typeof t === "string"),
  );
  const lines: UsageLine[] = assumptions.volumes.map((v) => ({
    urn: `usage:source:${v.source}`,
    type: "usage",
    component: v.kind === "cdc" ? "CdcSource" : "IngestionSource",
    domain: v.domain,
    needs: sourceNeeds(v, delivered),
    assumption: `${v.recordsPerMonth} records of ${v.averageRecordKb} KB a month (${v.assumed === "config" ? "cost.volumes" : "profile default"})`,
  }));
  if (resources.some((r) => r.type === "aws:athena/workgroup:Workgroup") && assumptions.athenaScannedTbPerMonth > 0)
    lines.push({
      urn: "usage:athena",
      type: "usage",
      component: "BiAccess",
      domain: "shared",
      needs: [{ key: "athena:scanned-tb", quantity: assumptions.athenaScannedTbPerMonth }],
      assumption: `${assumptions.athenaScannedTbPerMonth} TB scanned a month (cost.athenaScannedTbPerMonth)`,
    });
  return lines;
}
