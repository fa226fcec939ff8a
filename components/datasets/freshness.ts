// Freshness of the Iceberg datasets: every commit that adds data writes files under the table's `data/` prefix
// (Iceberg's default layout), so S3 request metrics on that prefix count writes, and an alarm fires when none came
// within the dataset's `freshnessHours`. Pipeline-published datasets are watched on the runner's own metric instead
// (observability/alarms.ts). Snapshot expiry and orphan-file deletion write nothing there; compaction rewrites only
// files that recent commits left small, so it cannot keep a dataset that stopped receiving data looking fresh.
import type * as pulumi from "@pulumi/pulumi";
import type { AlarmSpec } from "../observability/alarms";
import type { ResolvedDataset } from "./config";
import { datasetPrefix, ZoneLocation } from "./location";

/** Key prefix of an Iceberg dataset's data files: `<root><domain>/<name>/data/`. */
export const icebergDataPrefix = (zone: Pick<ZoneLocation, "root">, domain: string, name: string) =>
  `${datasetPrefix(zone, domain, name)}data/`;

/** The S3 request-metrics filter id of a dataset's data files (at most 64 characters, unique per bucket). */
export const freshnessFilterId = (ds: Pick<ResolvedDataset, "domain" | "zone" | "name">) =>
  `dataset-${ds.domain}-${ds.zone}-${ds.name}`.slice(0, 64);

/** The alarm: no data-file write in any of the last `freshnessHours` hours (no data at all counts as stale). */
export function icebergFreshnessSpec(
  ds: Pick<ResolvedDataset, "domain" | "zone" | "name" | "freshnessHours">,
  bucketName: pulumi.Input<string>,
): AlarmSpec | undefined {
  if (ds.freshnessHours === undefined) return undefined;
  return {
    id: `${ds.domain}-${ds.zone}-${ds.name}-freshness`.replace(/_/g, "-"),
    description: `${ds.domain}.${ds.name} (${ds.zone}, Iceberg): no data written for ${ds.freshnessHours} hours, its freshness expectation. The Spark job or stream that writes it did not run or failed; readers see stale data.`,
    namespace: "AWS/S3",
    metricName: "PutRequests",
    dimensions: { BucketName: bucketName, FilterId: freshnessFilterId(ds) },
    statistic: "Sum",
    period: 3600,
    evaluationPeriods: ds.freshnessHours,
    threshold: 1,
    comparisonOperator: "LessThanThreshold",
    treatMissingData: "breaching",
  };
}
