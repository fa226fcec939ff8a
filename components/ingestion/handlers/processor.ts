// Stream processor: MSK records (Lambda event source mapping) → validate against the topic's schema → raw zone.
//   valid             → `<root>dt=<record day>/<topic>-<partition>-<offset>.json`: the record's Kafka coordinates
//                       name it, so a redelivered batch lands on the same keys (idempotent, nothing duplicated)
//   unusable          → parked under `<root>_rejected/` with every reason and the value exactly as it arrived
//                       (base64 too when it is not UTF-8): retrying cannot fix it, so it never holds up its partition
//   transient failure → the invocation fails after the other partitions are done; within the failing partition
//                       nothing after the failed record is written, so the partition is applied in offset order.
//                       Lambda redelivers the batch; past the mapping's retries it goes to the on-failure destination.
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, MSKEvent, MSKRecord } from "aws-lambda";
import { rawKey, rejectedKey } from "../keys";
import { requireEnv } from "./lib/env";
import { prepare, SourceRuntime } from "./lib/intake";
import { parseJson } from "../records/json";
import { rejectedBody, RawWriter } from "./lib/raw";
import { logger as makeLogger, metrics as makeMetrics, packagedConfig, recordOutcome, s3Client } from "./lib/runtime";
import { compileValidator } from "../records/validate";

export interface ProcessorRuntime extends SourceRuntime {
  readonly topic: string;
  readonly schema: object;
}

export interface ProcessorDeps {
  readonly processor: ProcessorRuntime;
  readonly raw: RawWriter;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Raised after a batch in which some partitions hit a transient failure: Lambda redelivers the batch. */
export class PartitionFailures extends Error {
  override readonly name = "PartitionFailures";
  constructor(readonly failed: readonly { partition: string; offset: number; error: string }[]) {
    super(`${failed.length} partition(s) stopped at a failed record; the batch is redelivered`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Why a record's value cannot be read as JSON text, or its text. */
function valueText(r: MSKRecord): { text: string } | { reason: string } {
  if (r.value === undefined || r.value === null || r.value === "")
    return { reason: "record has no value (a tombstone or empty record)" };
  const bytes = Buffer.from(r.value, "base64");
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return { reason: "value is not UTF-8 text" };
  }
}

type Outcome = "accepted" | "rejected";

/** A record's object name: its partition and offset, unique within the processor's one topic. */
export const recordName = (r: Pick<MSKRecord, "partition" | "offset">) => `p${r.partition}-o${r.offset}`;

export function createProcessorHandler(deps: ProcessorDeps): (event: MSKEvent, context?: Context) => Promise<void> {
  const { processor, raw, logger, metrics } = deps;
  const validate = compileValidator(processor.schema);

  const processRecord = async (r: MSKRecord): Promise<Outcome> => {
    const id = recordName(r);
    // The record's own timestamp places it: deterministic on redelivery, unlike the arrival time.
    const at = Number.isFinite(r.timestamp) && r.timestamp > 0 ? new Date(r.timestamp) : new Date(0);
    const park = async (reasons: string[], value?: unknown, rawText?: string): Promise<Outcome> => {
      const body = rejectedBody({
        source: processor.name,
        receivedAt: at,
        reasons,
        ...(value !== undefined ? { record: value } : { rawText: rawText ?? `base64:${r.value ?? ""}` }),
        origin: { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp },
      });
      await raw.put({ key: rejectedKey(processor.root, at, id), body });
      logger.warn("record parked", { topic: r.topic, partition: r.partition, offset: r.offset, reasons });
      return "rejected";
    };
    if (r.topic !== processor.topic) return park([`record of topic '${r.topic}', not '${processor.topic}'`]);
    const text = valueText(r);
    if ("reason" in text) return park([text.reason]);
    const parsed = parseJson(text.text);
    if (!parsed.ok) return park([parsed.reason], undefined, text.text);
    const { objects, errors } = prepare([parsed.value], validate, processor, at, [id]);
    if (errors.length > 0) return park(errors[0].reasons, parsed.value);
    await raw.put(objects[0]);
    return "accepted";
  };

  return async (event) => {
    const counts = { accepted: 0, rejected: 0 };
    const failed: { partition: string; offset: number; error: string }[] = [];
    try {
      // Partitions run side by side; each one strictly in offset order, stopping at its first failure.
      await Promise.all(
        Object.entries(event.records ?? {}).map(async ([partition, records]) => {
          for (const r of [...records].sort((a, b) => a.offset - b.offset)) {
            try {
              counts[await processRecord(r)]++;
            } catch (e) {
              failed.push({ partition, offset: r.offset, error: (e as Error).message });
              return;
            }
          }
        }),
      );
    } finally {
      recordOutcome(metrics, { accepted: counts.accepted, rejected: counts.rejected, written: counts.accepted });
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
    if (failed.length > 0) {
      logger.error("partitions stopped; the batch is redelivered", { failed });
      throw new PartitionFailures(failed);
    }
  };
}

/** Where a processor's accepted record lands (without a timeField: on its Kafka timestamp's day). */
export const acceptedKey = (root: string, r: Pick<MSKRecord, "partition" | "offset" | "timestamp">) =>
  rawKey(root, new Date(r.timestamp), recordName(r));

let live: ReturnType<typeof createProcessorHandler> | undefined;

export const handler = (event: MSKEvent, context: Context): Promise<void> =>
  (live ??= (() => {
    const processor = packagedConfig<ProcessorRuntime>();
    return createProcessorHandler({
      processor,
      raw: new RawWriter(s3Client(), requireEnv("RAW_BUCKET"), requireEnv("RAW_KEY_ARN"), processor.name),
      logger: makeLogger(processor.name),
      metrics: makeMetrics(processor.name),
    });
  })())(event, context);
