import * as path from "path";

/** Handler entry points by what they serve; PlatformFunction bundles them at program time. */
export const HANDLERS = {
  http: path.join(__dirname, "http.ts"),
  "http-kafka": path.join(__dirname, "http-kafka.ts"),
  queue: path.join(__dirname, "queue.ts"),
  schedule: path.join(__dirname, "schedule.ts"),
  "db-events": path.join(__dirname, "db-events.ts"),
  loader: path.join(__dirname, "loader.ts"),
  processor: path.join(__dirname, "processor.ts"),
  "cdc-load": path.join(__dirname, "cdc-load.ts"),
  runner: path.join(__dirname, "../../pipelines/handlers/runner.ts"),
} as const;

export type HandlerKind = keyof typeof HANDLERS;
