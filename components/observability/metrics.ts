// Custom metrics the handlers emit (as CloudWatch embedded metric format, through their logs) and the alarms and
// dashboard read. One definition on both sides, so an alarm can never watch a metric nobody publishes.

/** The `service` dimension Powertools adds to every metric the ingestion handlers emit. */
export const METRICS_SERVICE = "ingestion";

export const INGESTION_METRICS = {
  /** Records that passed validation and were stored. */
  accepted: "RecordsAccepted",
  /** Records that failed validation; each is kept under the source's `_rejected/` prefix with its reasons. */
  rejected: "RecordsRejected",
  /** Objects written to the raw zone: the freshness signal. */
  rawObjectsWritten: "RawObjectsWritten",
  /** Raw objects loaded into warehouse staging. */
  objectsLoaded: "ObjectsLoaded",
  /** Rows inserted into warehouse staging. */
  rowsLoaded: "RowsLoaded",
} as const;

/** Per-environment namespace: environments sharing an account never mix their metrics or alarms. */
export function metricsNamespace(prefix: string): string {
  return `${prefix}/ingestion`;
}

/** Dimensions of a per-source custom metric, exactly as the handlers publish them. */
export function sourceDimensions(source: string): Record<string, string> {
  return { service: METRICS_SERVICE, source };
}

/** The `service` dimension of the metrics pipeline steps emit. */
export const PIPELINES_SERVICE = "pipelines";

export const PIPELINE_METRICS = {
  /** Quality rules a dataset failed at its publish gate (0 when it passed); dimension `dataset` = `<domain>.<name>`. */
  qualityRulesFailed: "QualityRulesFailed",
  /** 1 each time a dataset's day is published (manifest written); dimension `dataset`: its freshness signal. */
  datasetPublished: "DatasetPublished",
} as const;

/** Dimensions of a dataset's quality metric, exactly as the pipeline runner publishes them. */
export function datasetDimensions(dataset: string): Record<string, string> {
  return { service: PIPELINES_SERVICE, dataset };
}
