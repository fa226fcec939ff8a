import type { Problem } from "../core/problems";
import { payloadAjv, schemaPatternProblems } from "./records/validate";
import { PLATFORM_SQL_NAMES, reservedIdentifier } from "../core/identifiers";
import { CLASSIFICATIONS, Classification } from "../core/types";
import { validateCdcSources } from "../cdc/config";
import type { SourceConfig } from "./config";

// Rules across fields and sources of `sources[]` that a per-field schema cannot express.

export interface ValidationContext {
  readonly domains: readonly { readonly name: string; readonly classification: Classification }[];
  /** Whether the platform has a warehouse (object-events load into it). */
  readonly warehouse: boolean;
  /** Whether the platform has Kafka (http sources may publish to it). */
  readonly kafka: boolean;
  /** Declared Kafka topics: an http source publishes only to one of its own domain. @default none */
  readonly topics?: readonly { readonly name: string; readonly domain: string }[];
}

const ORDER: readonly Classification[] = CLASSIFICATIONS;

/** Rules across fields and sources that a per-field schema cannot express. */
export function validateSources(sources: readonly SourceConfig[], ctx: ValidationContext): Problem[] {
  const problems: Problem[] = [];
  const byName = new Map<string, SourceConfig>();
  const ajv = payloadAjv();
  sources.forEach((s, i) => {
    const at = (f: string) => `sources[${i}].${f}`;
    if (byName.has(s.name)) problems.push({ path: at("name"), message: `duplicate source name '${s.name}'` });
    byName.set(s.name, s);
    const domain = ctx.domains.find((d) => d.name === s.domain);
    if (!domain)
      problems.push({
        path: at("domain"),
        message: `unknown domain '${s.domain}'; declared: ${ctx.domains.map((d) => d.name).join(", ") || "none"}`,
      });
    else if (s.classification && ORDER.indexOf(s.classification) < ORDER.indexOf(domain.classification)) {
      problems.push({
        path: at("classification"),
        message: `'${s.classification}' is below its domain's '${domain.classification}'; a source can only be classified at or above its domain`,
      });
    }
    if ("schema" in s && s.schema) {
      // Patterns first: RE2 refuses what could backtrack, and ajv would compile them with the same engine.
      const patterns = schemaPatternProblems(s.schema, at("schema"));
      problems.push(...patterns);
      if (patterns.length === 0)
        try {
          ajv.compile(s.schema);
        } catch (e) {
          problems.push({ path: at("schema"), message: `is not a valid JSON Schema: ${(e as Error).message}` });
        }
    }
    if (s.kind === "http" && s.kafkaTopic) {
      const topic = ctx.topics?.find((t) => t.name === s.kafkaTopic);
      if (!ctx.kafka)
        problems.push({
          path: at("kafkaTopic"),
          message: "needs the platform's Kafka, which this stack does not enable",
        });
      else if (!topic)
        problems.push({
          path: at("kafkaTopic"),
          message: `is not a declared topic; declared: ${ctx.topics?.map((t) => t.name).join(", ") || "none"}`,
        });
      // A source may only feed its own domain's topics: the topic's consumers were granted for that domain's data.
      else if (topic.domain !== s.domain)
        problems.push({ path: at("kafkaTopic"), message: `belongs to domain '${topic.domain}', not '${s.domain}'` });
    }
    if (s.kind === "http" && s.throttle && s.throttle.burstLimit < s.throttle.rateLimit)
      problems.push({ path: at("throttle.burstLimit"), message: "must be at least rateLimit" });
    if (s.kind === "queue" && s.reservedConcurrency !== undefined && s.reservedConcurrency < 2) {
      problems.push({
        path: at("reservedConcurrency"),
        message: "must be at least 2 for a queue source (the SQS event source needs two concurrent pollers)",
      });
    }
    if (s.kind === "object-events") {
      const reserved = reservedIdentifier(s.table, [...PLATFORM_SQL_NAMES.stagingTables]);
      if (reserved) problems.push({ path: at("table"), message: reserved });
    }
    if (s.kind === "object-events" && !ctx.warehouse)
      problems.push({
        path: at("kind"),
        message: "object-events load into the warehouse, which this stack does not enable",
      });
    if (s.kind === "schedule" && s.reservedConcurrency !== undefined && s.reservedConcurrency > 1) {
      problems.push({
        path: at("reservedConcurrency"),
        message: "must be 1 for a scheduled pull: overlapping runs would race on the watermark",
      });
    }
    if (s.kind === "schedule" && s.timezone && s.schedule.startsWith("rate("))
      problems.push({ path: at("timezone"), message: "applies to cron(...) expressions only" });
  });
  sources.forEach((s, i) => {
    if (s.kind !== "object-events") return;
    const from = byName.get(s.from);
    if (!from) problems.push({ path: `sources[${i}].from`, message: `unknown source '${s.from}'` });
    else if (from.kind === "cdc")
      problems.push({
        path: `sources[${i}].from`,
        message: `'${s.from}' is a cdc source: its changes are merged into staging by the platform, not loaded`,
      });
    else if (from.kind === "object-events")
      problems.push({
        path: `sources[${i}].from`,
        message: `'${s.from}' is itself an object-events source; name a source that lands raw records`,
      });
    else if (from.domain !== s.domain)
      problems.push({
        path: `sources[${i}].from`,
        message: `'${s.from}' belongs to domain '${from.domain}', not '${s.domain}'`,
      });
  });
  const cdc = sources.flatMap((source, index) => (source.kind === "cdc" ? [{ index, source }] : []));
  const loaderTables = new Set(sources.flatMap((s) => (s.kind === "object-events" ? [s.table] : [])));
  problems.push(...validateCdcSources(cdc, { warehouse: ctx.warehouse, reservedTargets: loaderTables }));
  return problems;
}
