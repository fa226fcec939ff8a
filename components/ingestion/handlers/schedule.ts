// Scheduled pull: EventBridge Scheduler → fetch what is new from an external HTTP API → raw zone.
// The watermark (highest `watermarkField` seen) lives in the source's own `_state/` prefix and only advances after
// every fetched record is stored, so a failed run is simply repeated: the same records land on the same keys.
// API contract: GET <url>?<sinceParam>=<watermark>&<cursorParam>=<cursor> → { <itemsField>: [...], <nextField>?: cursor },
// items in ascending watermark order. Credentials: a Secrets Manager JSON secret, {"token"} (Bearer) or {"header","value"}.
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { contentId, rejectedKey, watermarkKey } from "../keys";
import { optionalEnv, requireEnv } from "./lib/env";
import { idempotencyStore, idempotentHandler, PersistenceStore } from "./lib/idempotency";
import { prepare, SourceRuntime } from "./lib/intake";
import { RawWriter, rejectedBody } from "./lib/raw";
import { logger as makeLogger, metrics as makeMetrics, packagedConfig, recordOutcome, s3Client } from "./lib/runtime";
import { SecretReader, secretReader } from "./lib/secrets";
import { deepElements, isLosslessNumber, MAX_DEPTH, parseJson, withoutSpans } from "../records/json";
import { compileValidator } from "../records/validate";

export interface ScheduleSourceConfig extends SourceRuntime {
  readonly schema?: object;
  readonly url: string;
  readonly watermarkField: string;
  /** @default "since" */ readonly sinceParam?: string;
  /** @default "cursor" */ readonly cursorParam?: string;
  /** @default "items" */ readonly itemsField?: string;
  /** @default "next" */ readonly nextField?: string;
  /** @default 50 */ readonly maxPages?: number;
  /** @default 10000 */ readonly timeoutMs?: number;
}

export interface ScheduleDeps {
  readonly source: ScheduleSourceConfig;
  readonly raw: RawWriter;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly credentials?: SecretReader;
  readonly fetch?: typeof fetch;
  readonly idempotency?: PersistenceStore;
  readonly now?: () => Date;
}

export interface ScheduleEvent {
  /** Set by the schedule's input template (`<aws.scheduler.scheduled-time>`): a retried run carries the same value. */
  readonly scheduledTime?: string;
}

export interface RunSummary {
  readonly pages: number;
  readonly fetched: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly watermark: string | number | null;
}

/** The external API failed or answered something unusable; the run fails and is retried as a whole. */
export class ExternalApiError extends Error {
  override readonly name = "ExternalApiError";
}

function authHeaders(secret: Record<string, string> | undefined): Record<string, string> {
  if (!secret) return {};
  if (secret.token) return { authorization: `Bearer ${secret.token}` };
  if (secret.header && secret.value) return { [secret.header.toLowerCase()]: secret.value };
  throw new Error('credentials secret must hold {"token"} or {"header","value"}');
}

const later = (a: string | number | null, raw: unknown): string | number | null => {
  const b = isLosslessNumber(raw) ? Number(raw.value) : raw;
  return (typeof b === "string" || typeof b === "number") && (a === null || b > a) ? b : a;
};

export function createScheduleHandler(
  deps: ScheduleDeps,
): (event: ScheduleEvent, context: Context) => Promise<RunSummary> {
  const { source, raw, logger, metrics } = deps;
  const validate = compileValidator(source.schema);
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? (() => new Date());
  const p = {
    sinceParam: "since",
    cursorParam: "cursor",
    itemsField: "items",
    nextField: "next",
    maxPages: 50,
    timeoutMs: 10_000,
    ...source,
  };

  const run = async (): Promise<RunSummary> => {
    const state = JSON.parse((await raw.get(watermarkKey(source.root))) ?? "{}") as { watermark?: string | number };
    const since = state.watermark ?? null;
    const headers = { accept: "application/json", ...authHeaders(await deps.credentials?.()) };
    let watermark = since;
    let cursor: string | undefined;
    const totals = { pages: 0, fetched: 0, accepted: 0, rejected: 0 };
    do {
      const url = new URL(p.url);
      if (since !== null) url.searchParams.set(p.sinceParam, String(since));
      if (cursor) url.searchParams.set(p.cursorParam, cursor);
      const where = `${url.origin}${url.pathname}`; // never log the query: it may carry tokens the API put in cursors
      let res: Response;
      try {
        res = await doFetch(url, { headers, signal: AbortSignal.timeout(p.timeoutMs) });
      } catch (e) {
        throw new ExternalApiError(`GET ${where} failed: ${(e as Error).message}`);
      }
      if (!res.ok) throw new ExternalApiError(`GET ${where} answered ${res.status}`);
      // Lossless, with bounded nesting (page object → items → record): numbers keep their digits. An item nested
      // deeper than a record may be is cut out first (as null) and rejected with its reason; the page still loads.
      const text = await res.text();
      const tooDeep = deepElements(text, p.itemsField, MAX_DEPTH);
      const parsed = parseJson(withoutSpans(text, tooDeep), MAX_DEPTH + 2);
      if (!parsed.ok) throw new ExternalApiError(`GET ${where} did not answer JSON: ${parsed.reason}`);
      const body = parsed.value as Record<string, unknown> | null;
      const items = body?.[p.itemsField];
      if (!Array.isArray(items)) throw new ExternalApiError(`GET ${where}: '${p.itemsField}' is not an array`);
      totals.pages++;
      totals.fetched += items.length;

      const at = now();
      const prepared = prepare(items, validate, source, at);
      const deep = new Map(tooDeep.map((d) => [d.index, text.slice(d.start, d.end).trim()]));
      const objects = prepared.objects.filter((o) => !deep.has(o.index));
      const errors = [
        ...prepared.errors.filter((e) => !deep.has(e.index)),
        ...[...deep.keys()].map((index) => ({
          index,
          reasons: [`record ${index} is nested deeper than ${MAX_DEPTH} levels`],
        })),
      ];
      const rejects = errors.map((e) => {
        // A cut-out item is kept as its text: nothing here parses what nests that deep.
        const rawText = deep.get(e.index);
        const record = rawText === undefined ? { record: items[e.index] } : { rawText };
        return {
          key: rejectedKey(source.root, at, contentId(rawText ?? items[e.index])), // a re-run rewrites, never duplicates
          body: rejectedBody({ source: source.name, receivedAt: at, reasons: e.reasons, ...record }),
        };
      });
      const failed = await raw.putAll([...objects, ...rejects]);
      if (failed.length > 0)
        throw new Error(`${failed.length} objects could not be stored: ${failed[0].error.message}`);
      totals.accepted += objects.length;
      totals.rejected += rejects.length;
      for (const item of items)
        watermark = later(watermark, (item as Record<string, unknown> | null)?.[p.watermarkField]);
      const next = body?.[p.nextField];
      cursor = typeof next === "string" && next !== "" ? next : undefined;
    } while (cursor && totals.pages < p.maxPages);
    if (cursor)
      logger.warn("page limit reached; the next run continues from the new watermark", { maxPages: p.maxPages });

    if (watermark !== since)
      await raw.put({
        key: watermarkKey(source.root),
        body: JSON.stringify({ watermark, updatedAt: now().toISOString() }),
      });
    recordOutcome(metrics, { accepted: totals.accepted, rejected: totals.rejected, written: totals.accepted });
    logger.info("pull complete", { ...totals, since, watermark });
    return { ...totals, watermark };
  };

  const once = idempotentHandler(() => run(), deps.idempotency, "scheduledTime", 24 * 3600);
  return async (event, context) => {
    try {
      return await once(event, context);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

let live: ReturnType<typeof createScheduleHandler> | undefined;

export const handler = (event: ScheduleEvent, context: Context): Promise<RunSummary> =>
  (live ??= (() => {
    const source = packagedConfig<ScheduleSourceConfig>();
    const secretArn = optionalEnv("CREDENTIALS_SECRET_ARN");
    return createScheduleHandler({
      source,
      raw: new RawWriter(s3Client(), requireEnv("RAW_BUCKET"), requireEnv("RAW_KEY_ARN"), source.name),
      logger: makeLogger(source.name),
      metrics: makeMetrics(source.name),
      credentials: secretArn ? secretReader(secretArn) : undefined,
      idempotency: idempotencyStore(),
    });
  })())(event, context);
