import { strict as assert } from "assert";
import * as http from "http";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { AddressInfo } from "net";
import { createScheduleHandler, ScheduleSourceConfig } from "../../components/ingestion/handlers/schedule";
import { RawWriter } from "../../components/ingestion/handlers/lib/raw";
import {
  capturedMetrics,
  KEY_ARN,
  lambdaContext,
  LocalS3,
  MemoryPersistence,
  metricSum,
  quietLogger,
  startS3,
} from "./support";

interface Item {
  id: string;
  updated_at: string;
  name?: unknown;
}

/** A tiny partner API on 127.0.0.1: pages of items newer than `since`, Bearer auth, failures on demand. */
class PartnerApi {
  items: Item[] = [];
  requests: URL[] = [];
  failNext: number[] = []; // per request, in order: a status to fail with, or 0 to answer normally
  garbageNext = false;
  /** A page body to answer once, as written (for pages JSON.stringify would not produce). */
  rawNext?: string;
  private server = http.createServer((req, res) => this.handle(req, res));
  url = "";

  async start() {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/customers`;
  }
  stop() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url!, this.url);
    this.requests.push(url);
    if (req.headers.authorization !== "Bearer s3cr3t") return res.writeHead(401).end();
    const status = this.failNext.shift();
    if (status) return res.writeHead(status).end("upstream broke");
    if (this.rawNext !== undefined) {
      const body = this.rawNext;
      this.rawNext = undefined;
      return res.writeHead(200, { "content-type": "application/json" }).end(body);
    }
    if (this.garbageNext) {
      this.garbageNext = false;
      return res.writeHead(200, { "content-type": "application/json" }).end("<html>");
    }
    const since = url.searchParams.get("since") ?? "";
    const newer = this.items
      .filter((i) => i.updated_at > since)
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at));
    const offset = Number(url.searchParams.get("cursor") ?? 0);
    const page = newer.slice(offset, offset + 2);
    const next = offset + 2 < newer.length ? String(offset + 2) : undefined;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ items: page, next }));
  }
}

describe("ingestion: scheduled pull handler", () => {
  let s3: LocalS3;
  const api = new PartnerApi();
  before(async () => {
    s3 = await startS3(["raw"]);
    await api.start();
  });
  after(async () => {
    await s3.stop();
    await api.stop();
  });

  const NOW = new Date("2024-06-01T00:00:00Z");
  let n = 0;
  const make = (extra: { idempotency?: MemoryPersistence } = {}) => {
    const source: ScheduleSourceConfig = {
      name: "crm",
      domain: "marketing",
      root: `marketing/source=crm-${++n}/`,
      url: api.url,
      watermarkField: "updated_at",
      idField: "id",
      timeField: "updated_at",
      schema: {
        type: "object",
        required: ["id", "updated_at"],
        properties: {
          id: { type: "string" },
          updated_at: { type: "string", format: "date-time" },
          name: { type: "string" },
        },
      },
    };
    const m = capturedMetrics("crm");
    const handler = createScheduleHandler({
      source,
      raw: new RawWriter(s3.client, "raw", KEY_ARN, "crm"),
      logger: quietLogger(),
      metrics: m.metrics,
      credentials: async () => ({ token: "s3cr3t" }),
      now: () => NOW,
      ...extra,
    });
    return { handler, root: source.root, emitted: m.emitted };
  };
  const customers = (from: number, to: number): Item[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      id: `c${from + i}`,
      updated_at: `2024-05-${String(from + i).padStart(2, "0")}T12:00:00Z`,
      name: `n${from + i}`,
    }));

  beforeEach(() => {
    api.items = customers(1, 5);
    api.requests = [];
    api.failNext = [];
  });

  it("pulls every page with the secret's credentials, stores each record and saves the watermark", async () => {
    const { handler, root, emitted } = make();
    const r = await handler({ scheduledTime: "2024-06-01T00:00:00Z" }, lambdaContext());
    assert.deepEqual(r, { pages: 3, fetched: 5, accepted: 5, rejected: 0, watermark: "2024-05-05T12:00:00Z" });
    assert.equal((await s3.keys("raw", `${root}dt=`)).length, 5);
    assert.ok(await s3.keys("raw", `${root}_state/watermark.json`));
    assert.equal(metricSum(emitted(), "RawObjectsWritten"), 5);
  });

  it("fetches only what is new on the next run", async () => {
    const { handler, root } = make();
    await handler({ scheduledTime: "t1" }, lambdaContext());
    api.items.push(...customers(6, 7));
    api.requests = [];
    const r = await handler({ scheduledTime: "t2" }, lambdaContext());
    assert.equal(r.fetched, 2);
    assert.equal(api.requests[0].searchParams.get("since"), "2024-05-05T12:00:00Z");
    assert.equal((await s3.keys("raw", `${root}dt=`)).length, 7);
  });

  it("fails the run when the API fails mid-way, keeps the watermark, and a repeat run completes without duplicates", async () => {
    const { handler, root } = make();
    api.failNext = [0, 502]; // the first page works, the second answers 502
    await assert.rejects(handler({ scheduledTime: "t1" }, lambdaContext()), /answered 502/);
    assert.equal((await s3.keys("raw", `${root}dt=`)).length, 2, "the first page's records are kept");
    assert.deepEqual(await s3.keys("raw", `${root}_state/`), [], "the watermark did not move");

    const r = await handler({ scheduledTime: "t1-retry" }, lambdaContext());
    assert.equal(r.accepted, 5);
    assert.equal(
      (await s3.keys("raw", `${root}dt=`)).length,
      5,
      "records of the failed run were overwritten, not duplicated",
    );
  });

  it("fails on an error status or a non-JSON answer, and on a timeout", async () => {
    const { handler } = make();
    api.failNext = [503];
    await assert.rejects(
      handler({}, lambdaContext()),
      (e: Error) => e.name === "ExternalApiError" && /answered 503/.test(e.message) && !e.message.includes("s3cr3t"),
    );
    api.garbageNext = true;
    await assert.rejects(handler({}, lambdaContext()), /did not answer JSON/);
    const hang: typeof fetch = (_u, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    const slow = createScheduleHandler({
      source: {
        name: "crm",
        domain: "marketing",
        root: "marketing/source=slow/",
        url: api.url,
        watermarkField: "updated_at",
        timeoutMs: 50,
      },
      raw: new RawWriter(s3.client, "raw", KEY_ARN, "crm"),
      logger: quietLogger(),
      metrics: capturedMetrics("crm").metrics,
      fetch: hang,
    });
    await assert.rejects(slow({}, lambdaContext()), /failed: aborted/);
  });

  it("keeps invalid items under _rejected/ with reasons and still advances past them", async () => {
    const { handler, root } = make();
    api.items = [...customers(1, 2), { id: "c3", updated_at: "2024-05-03T12:00:00Z", name: 42 }];
    const r = await handler({}, lambdaContext());
    assert.equal(r.rejected, 1);
    assert.equal(r.watermark, "2024-05-03T12:00:00Z");
    assert.equal((await s3.keys("raw", `${root}_rejected/`)).length, 1);
  });

  it("rejects an item nested deeper than a record may be with its reason; the rest of the page is stored", async () => {
    const { handler, root } = make();
    const deep = "[".repeat(3000) + "]".repeat(3000);
    const [a, b] = customers(1, 2).map((c) => JSON.stringify(c));
    api.rawNext = `{"items":[${a},{"id":"c9","updated_at":"2024-05-09T12:00:00Z","name":${deep}},${b}]}`;
    const r = await handler({}, lambdaContext());
    assert.deepEqual(r, { pages: 1, fetched: 3, accepted: 2, rejected: 1, watermark: "2024-05-02T12:00:00Z" });
    const rejected = await s3.keys("raw", `${root}_rejected/`);
    assert.equal(rejected.length, 1);
    const stored = await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: rejected[0] }));
    const body = JSON.parse(await stored.Body!.transformToString("utf8"));
    assert.deepEqual(body.reasons, ["record 1 is nested deeper than 64 levels"]);
    assert.ok(body.rawText.startsWith('{"id":"c9"') && body.rawText.endsWith(`${deep}}`), "kept whole, as sent");
    assert.equal((await s3.keys("raw", `${root}dt=`)).length, 2);
  });

  it("does not run twice for the same scheduled time", async () => {
    const store = new MemoryPersistence();
    const { handler } = make({ idempotency: store });
    const first = await handler({ scheduledTime: "2024-06-01T00:00:00Z" }, lambdaContext());
    const requests = api.requests.length;
    api.items.push(...customers(6, 6));
    const again = await handler({ scheduledTime: "2024-06-01T00:00:00Z" }, lambdaContext());
    assert.deepEqual(again, first);
    assert.equal(api.requests.length, requests, "the retried invocation must not call the API");
  });
});
