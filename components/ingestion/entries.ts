import * as path from "path";

/**
 * Handler entry points by the source kind (or stream processor) they serve. PlatformFunction bundles them from these sources in this
 * repository, and takes the bundles built from them at `npm run build` in the package (which ships no sources).
 */
export const HANDLERS = {
  http: path.join(__dirname, "handlers", "http.ts"),
  "http-kafka": path.join(__dirname, "handlers", "http-kafka.ts"),
  queue: path.join(__dirname, "handlers", "queue.ts"),
  schedule: path.join(__dirname, "handlers", "schedule.ts"),
  "db-events": path.join(__dirname, "handlers", "db-events.ts"),
  loader: path.join(__dirname, "handlers", "loader.ts"),
  processor: path.join(__dirname, "handlers", "processor.ts"),
  "cdc-load": path.join(__dirname, "handlers", "cdc-load.ts"),
} as const;

export type HandlerKind = keyof typeof HANDLERS;
