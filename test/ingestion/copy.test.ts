import { strict as assert } from "assert";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createLoader } from "../../components/ingestion/handlers/loader";
import { copyKeys, copyManifest, redshiftCopySql, stagingLines } from "../../components/ingestion/handlers/lib/copy";
import type { Sql, Warehouse } from "../../components/ingestion/handlers/lib/warehouse";
import type { PlannedResource } from "../../policies/engine/args";
import { resourcesOf } from "../support/plan";
import { capturedMetrics, LocalS3, quietLogger, startS3 } from "./support";

// Redshift loads by COPY from S3, which no local server offers. What is proven here: the SQL and the manifest the
// loader writes, the staging object (every admitted record exactly, with its index; no reject), the order of the
// statements in the one transaction (ledger claim, COPY, row count check, rejects), that staging objects are
// removed, and the role wiring in the prod plan. Redshift's own parsing of the staging object is not.

const ROOT = "sales/source=orders-api/";
const ROLE = "arn:aws:iam::123456789012:role/acme-data-prod/acme-data-warehouse-copy-1a2b3c";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/raw-zone";
const SHA = "a".repeat(64);

describe("ingestion: Redshift COPY from staged objects", function () {
  this.timeout(60_000);

  it("writes a manifest naming one mandatory object, and a COPY through the namespace's role", () => {
    const keys = copyKeys(`${ROOT}_copy/`, SHA);
    assert.deepEqual(keys, { data: `${ROOT}_copy/${SHA}.jsonl`, manifest: `${ROOT}_copy/${SHA}.manifest` });
    assert.deepEqual(JSON.parse(copyManifest("raw", keys.data, 42)), {
      entries: [{ url: `s3://raw/${keys.data}`, mandatory: true, meta: { content_length: 42 } }],
    });
    assert.equal(
      redshiftCopySql("orders", "raw", keys.manifest, ROLE),
      `COPY staging."orders" (source, object_key, record_index, record) FROM 's3://raw/${keys.manifest}' ` +
        `IAM_ROLE '${ROLE}' MANIFEST FORMAT AS JSON 'auto' MAXERROR 0 COMPUPDATE OFF STATUPDATE OFF`,
    );
    assert.throws(() => redshiftCopySql("orders", "raw", "x'; DROP TABLE y; --", ROLE), /unsafe/);
    assert.throws(() => redshiftCopySql("orders", "raw", keys.manifest, "role' x"), /not a role ARN/);
    assert.throws(() => redshiftCopySql("Orders; x", "raw", keys.manifest, ROLE), /invalid SQL identifier/);
    assert.throws(() => copyKeys(ROOT, "../x"), /SHA-256/);
  });

  it("stages each record as written, with its index, one JSON line each", () => {
    const records = ['{"id":"a","n":123456789012345678901234567890}', '"text"', "[1,2]"];
    const lines = stagingLines("orders-loader", `${ROOT}dt=2024-05-01/o.json`, records).trimEnd().split("\n");
    assert.equal(lines.length, 3);
    lines.forEach((line, i) => {
      assert.deepEqual(Object.keys(JSON.parse(line)), ["source", "object_key", "record_index", "record"]);
      assert.equal(JSON.parse(line).record_index, i);
      assert.ok(line.endsWith(`"record":${records[i]}}`), "the record's own text, digits and all");
    });
  });

  describe("the loader on a Redshift warehouse", () => {
    let s3: LocalS3;
    before(async () => {
      s3 = await startS3(["raw"]);
    });
    after(() => s3.stop());

    /** A Redshift stand-in: records every statement; at COPY, reads the manifest and the object it names. */
    function redshift(
      opts: { seen?: boolean; copyCount?: (rows: number) => number; refuse?: (record: unknown) => boolean } = {},
    ) {
      const statements: string[] = [];
      let staged: { manifest: unknown; lines: Record<string, unknown>[] } | undefined;
      let committed = 0; // transactions that ran a COPY and committed
      const read = async (key: string) =>
        (await (await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: key }))).Body?.transformToString()) ??
        "";
      const warehouse: Warehouse = {
        engine: "redshift",
        async transaction(fn) {
          const sql: Sql = {
            async query(text: string, values?: unknown[]) {
              statements.push(text.split(" ").slice(0, 3).join(" "));
              // What Redshift refuses: COPY fails the whole statement; a single-row INSERT fails that row.
              if (
                opts.refuse &&
                text.startsWith('INSERT INTO staging."orders"') &&
                opts.refuse(JSON.parse(String(values![3])))
              )
                throw Object.assign(new Error("invalid value for SUPER"), { code: "22P02" });
              if (/^SELECT 1 FROM staging.load_ledger/.test(text))
                return { rows: (opts.seen ? [{ "?column?": 1 }] : []) as never[], rowCount: opts.seen ? 1 : 0 };
              if (text.startsWith("COPY ")) {
                const manifestKey = /FROM 's3:\/\/raw\/([^']+)'/.exec(text)![1];
                const manifest = JSON.parse(await read(manifestKey)) as { entries: { url: string }[] };
                const dataKey = manifest.entries[0].url.replace("s3://raw/", "");
                const lines = (await read(dataKey))
                  .trimEnd()
                  .split("\n")
                  .map((l) => JSON.parse(l));
                staged = { manifest, lines };
                if (opts.refuse && lines.some((l) => opts.refuse!(l.record)))
                  throw Object.assign(
                    new Error("Load into table 'orders' failed.  Check 'stl_load_errors' system table for details."),
                    { code: "XX000" },
                  );
              }
              if (text.startsWith("SELECT pg_last_copy_count()")) {
                const n = staged?.lines.length ?? 0;
                return { rows: [{ n: String(opts.copyCount ? opts.copyCount(n) : n) }] as never[], rowCount: 1 };
              }
              return { rows: [], rowCount: 1 };
            },
            copyFrom: () => Promise.reject(new Error("Redshift has no COPY FROM STDIN")),
          };
          const before = statements.length;
          const result = await fn(sql);
          if (statements.slice(before).some((x) => x.startsWith("COPY"))) committed++;
          return result;
        },
        close: async () => undefined,
      };
      return { warehouse, statements, staged: () => staged, committed: () => committed };
    }
    const loaderOn = (w: Warehouse) =>
      createLoader({
        config: { name: "orders-loader", root: ROOT, table: "orders" },
        bucket: "raw",
        s3: s3.client,
        warehouse: w,
        logger: quietLogger(),
        metrics: capturedMetrics("orders-loader").metrics,
        copy: { roleArn: ROLE, keyArn: KEY },
      });
    const put = (key: string, body: string) =>
      s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: body }));

    it("claims the ledger, COPYs the staged records, checks the count and records the rejects, in one transaction", async () => {
      const key = `${ROOT}dt=2024-05-01/o-1.json`;
      await put(key, '{"id":"a","n":12345678901234567890}\n{bad}\n{"id":"b","s":"\\u0000"}\n{"id":"c"}');
      const r = redshift();
      assert.deepEqual(await loaderOn(r.warehouse).loadObject(key), { key, status: "loaded", rows: 2, rejected: 2 });
      assert.deepEqual(r.statements.slice(-7), [
        "LOCK staging.load_ledger",
        "SELECT 1 FROM",
        "INSERT INTO staging.load_ledger",
        'COPY staging."orders" (source,',
        "SELECT pg_last_copy_count() AS",
        "INSERT INTO staging.load_rejects",
        "INSERT INTO staging.load_rejects",
      ]);
      const staged = r.staged()!;
      assert.deepEqual(
        staged.lines.map((l) => [l.record_index, l.source, l.object_key]),
        [
          [0, "orders-loader", key],
          [1, "orders-loader", key],
        ],
      );
      assert.deepEqual(
        staged.lines.map((l) => (l.record as { id: string }).id),
        ["a", "c"],
        "rejects never reach the staging object",
      );
      assert.deepEqual(await s3.keys("raw", `${ROOT}_copy/`), [], "staging objects are removed after the COPY");
    });

    it("a duplicate object COPYs nothing; a short COPY fails the object so nothing commits", async () => {
      const key = `${ROOT}dt=2024-05-02/o-2.json`;
      await put(key, '{"id":"a"}\n{"id":"b"}');
      const dup = redshift({ seen: true });
      assert.equal((await loaderOn(dup.warehouse).loadObject(key)).status, "duplicate");
      assert.ok(!dup.statements.some((s) => s.startsWith("COPY")));
      const short = redshift({ copyCount: (n) => n - 1 });
      await assert.rejects(loaderOn(short.warehouse).loadObject(key), /COPY wrote 1 of 2 rows/);
      assert.equal(short.committed(), 0);
      assert.deepEqual(await s3.keys("raw", `${ROOT}_copy/`), []);
    });

    it("a record COPY refuses is found row by row and rejected with its reason; the others COPY once", async () => {
      const key = `${ROOT}dt=2024-05-04/poison.json`;
      await put(key, '{"id":"a"}\n{"id":"poison"}\n{"id":"c"}');
      const r = redshift({ refuse: (record) => (record as { id: string }).id === "poison" });
      const rejects: unknown[][] = [];
      const w: Warehouse = {
        ...r.warehouse,
        transaction: (fn) =>
          r.warehouse.transaction((sql) =>
            fn({
              ...sql,
              query: (text: string | { text: string }, values?: unknown[]) => {
                if (typeof text === "string" && text.startsWith("INSERT INTO staging.load_rejects"))
                  rejects.push(values!);
                return sql.query(text as string, values);
              },
            }),
          ),
      };
      assert.deepEqual(await loaderOn(w).loadObject(key), { key, status: "loaded", rows: 2, rejected: 1 });
      assert.equal(r.committed(), 1, "one COPY commits");
      assert.deepEqual(
        r.staged()!.lines.map((l) => (l.record as { id: string }).id),
        ["a", "c"],
      );
      assert.equal(rejects.length, 1);
      assert.equal(rejects[0][2], 2, "the reject names the line");
      assert.match(String(rejects[0][3]), /^line 2: the warehouse refused the record \(SQLSTATE 22P02\)/);
      assert.deepEqual(await s3.keys("raw", `${ROOT}_copy/`), []);
    });

    it("turns a record larger than Redshift takes into a reject with the reason instead of failing the object", async () => {
      const key = `${ROOT}dt=2024-05-03/big.json`;
      await put(key, `{"id":"small"}\n{"id":"big","pad":"${"x".repeat(4 * 1024 * 1024)}"}`);
      const r = redshift();
      assert.deepEqual(await loaderOn(r.warehouse).loadObject(key), { key, status: "loaded", rows: 1, rejected: 1 });
      assert.equal(r.staged()!.lines.length, 1);
    });
  });

  describe("wiring in the prod plan", () => {
    let prod: PlannedResource[];
    before(async () => {
      prod = await resourcesOf("prod");
    });
    const one = (type: string, name: RegExp) => {
      const found = prod.filter((r) => r.type === type && name.test(r.name));
      assert.equal(found.length, 1, `${type} ${name}`);
      return found[0];
    };

    it("the namespace's default role reads only the loaders' staging folders and the cdc source's prefix; loaders COPY through it", () => {
      const role = one("aws:iam/role:Role", /-warehouse-copy$/);
      const namespace = one("aws:redshiftserverless/namespace:Namespace", /-warehouse-namespace$/);
      assert.ok(namespace.dependencies.includes(role.urn), "the namespace takes the role's ARN");
      assert.deepEqual(
        Object.keys(namespace.inputs)
          .filter((k) => /iamRole/i.test(k))
          .sort(),
        ["defaultIamRoleArn", "iamRoles"],
      );
      const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
      assert.deepEqual(trust.Statement[0].Principal.Service, [
        "redshift.amazonaws.com",
        "redshift-serverless.amazonaws.com",
      ]);
      const policy = JSON.parse(
        one("aws:iam/rolePolicy:RolePolicy", /-warehouse-copy-policy$/).inputs.policy as string,
      );
      const objects = policy.Statement.filter((s: { Action: string }) => s.Action === "s3:GetObject");
      assert.deepEqual(
        objects.map((s: { Resource: string }) => s.Resource.replace(/^arn:aws:s3:::[^/]+\//, "")).sort(),
        ["sales/source=billing-db/*", "sales/source=carts/_copy/*", "sales/source=orders-api/_copy/*"],
      );
      for (const loader of ["orders-loader", "carts-loader"]) {
        const fn = one("aws:lambda/function:Function", new RegExp(`-${loader}-fn-fn$`));
        const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
        assert.ok(env.WAREHOUSE_COPY_ROLE_ARN, `${loader} is given the COPY role`);
        assert.ok(fn.dependencies.includes(role.urn), `${loader}'s COPY role is the namespace's`);
        assert.match(env.RAW_KEY_ARN, /^arn:aws:kms:/);
      }
    });
  });
});
