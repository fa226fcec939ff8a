import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import type { Inventory, LfGrantFact, PolicyDoc, RoleFact } from "../../tools/access/inventory";
import { buildInventory } from "../../tools/access/inventory";
import { ACCESS_DOC, README, renderReadme, replaceSection } from "../../tools/docs";
import { describeFailure, evaluateMatrix, loadMatrix, renderMatrix, Row, RowResult } from "../../tools/access/matrix";
import { renderAccessTable, whoCanAccessWhat } from "../../tools/access/table";
import { resourcesOf } from "../support/plan";

// The access matrix is the platform's security contract: every row must hold on the prod plan, evaluated by a
// real IAM policy simulator over the documents the plan declares. Each row must also be able to fail, or it
// proves nothing: the second half loosens the plan (a little, then everything) and watches rows flip.

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends ReadonlyArray<infer U> ? U[] : T[K] };
const ALLOW_ALL: PolicyDoc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/** A deep copy of the inventory with `edit` applied (the original stays shared by the other tests). */
type Editable = Omit<Mutable<Inventory>, "lf"> & { lf: Mutable<Inventory["lf"]> };
function loosened(inv: Inventory, edit: (copy: Editable) => void): Inventory {
  const copy = structuredClone(inv) as Editable;
  edit(copy);
  return copy;
}
const withoutSid = (d: PolicyDoc | undefined, sid: RegExp): PolicyDoc | undefined =>
  d && { ...d, Statement: d.Statement.filter((s) => !sid.test(String(s.Sid ?? ""))) };
const persona = (r: RoleFact, p: string, domain?: string) =>
  r.tags["data-platform:persona"] === p && (domain === undefined || r.tags["data-domain"] === domain);

async function rowOn(inv: Inventory, id: string): Promise<RowResult> {
  const row = loadMatrix().find((r) => r.id === id);
  if (!row) throw new Error(`no matrix row '${id}'`);
  const [result] = await evaluateMatrix(inv, [row]);
  return result!;
}

describe("access matrix (IAM policy simulation over the prod plan)", () => {
  let inv: Inventory;
  let results: RowResult[];

  before(async () => {
    inv = buildInventory(await resourcesOf("prod"));
    results = await evaluateMatrix(inv);
  });

  it("every row holds on prod", () => {
    const failing = results.filter((r) => !r.holds);
    assert.equal(failing.length, 0, failing.map(describeFailure).join("\n"));
    // A row that decided nothing would hold vacuously.
    const empty = results.filter((r) => !r.skipped && r.cases.length === 0).map((r) => r.row.id);
    assert.deepEqual(empty, []);
  });

  it("holds every guarantee the platform promises", () => {
    const evaluated = new Set(results.filter((r) => !r.skipped).map((r) => r.row.id));
    for (const id of [
      "analyst-no-raw",
      "analyst-no-restricted",
      "analyst-no-lake-writes",
      "no-lake-reads-without-tls",
      "no-version-deletion-in-prod",
      "no-boundary-removal",
      "no-boundary-change",
      "no-role-without-boundary",
      "steward-no-grant-other-domains",
      "restricted-listed-roles-only",
      "account-principal-needs-mfa",
      "warehouse-roles-read-no-lake-data",
      "spark-no-other-domains-write",
      "spark-sales-no-undeclared-writes",
    ])
      assert.ok(evaluated.has(id), `row ${id} is not evaluated on prod`);
  });

  it("covers every persona role and every role of the plan", () => {
    const covered = new Set(results.flatMap((r) => r.cases.map((c) => c.who)));
    const missing = inv.roles
      .filter((r) => !covered.has(r.tags["data-platform:persona"] ? r.name : r.logicalName))
      .map((r) => r.logicalName);
    assert.deepEqual(missing, []);
    for (const p of ["platform-admin", "data-engineer", "analyst", "steward"])
      assert.ok(
        inv.roles.some((r) => persona(r, p)),
        `no ${p} role in the prod plan`,
      );
  });

  it("fails loudly when a row selects no role, so a renamed role cannot empty a row", async () => {
    const row: Row = {
      id: "ghost",
      title: "a role that is not there",
      who: { role: "*-ingest-nothing" },
      action: "read",
      resource: { zone: "raw" },
      expect: "deny",
    };
    await assert.rejects(evaluateMatrix(inv, [row]), /'ghost'.*selects no role/);
  });

  describe("each row can fail", () => {
    it("dropping the TLS deny from the lake bucket policies lets plain-HTTP reads through", async () => {
      const open = loosened(inv, (c) => {
        c.buckets = c.buckets.map((b) => ({ ...b, policy: withoutSid(b.policy, /tls|transport/i) }));
      });
      assert.ok(!(await rowOn(open, "no-lake-reads-without-tls")).holds);
      assert.ok((await rowOn(inv, "no-lake-reads-without-tls")).holds);
    });

    it("giving the analyst s3:* and kms:* is caught by the raw, write and direct-object rows", async () => {
      const open = loosened(inv, (c) => {
        c.roles = c.roles.map((r) =>
          persona(r, "analyst")
            ? {
                ...r,
                identity: [
                  ...r.identity,
                  { name: "oops", doc: { Statement: [{ Effect: "Allow", Action: ["s3:*", "kms:*"], Resource: "*" }] } },
                ],
              }
            : r,
        );
      });
      for (const id of ["analyst-no-raw", "analyst-no-lake-writes", "analyst-no-direct-objects"])
        assert.ok(!(await rowOn(open, id)).holds, id);
      // The restricted key still refuses a role without the clearance tag: a second layer, shown separately.
      assert.ok((await rowOn(open, "analyst-no-restricted")).holds);
    });

    it("restricted data needs two mistakes: a Lake Formation grant to the analyst and IAM catalog access to it", async () => {
      const analyst = inv.roles.find((r) => persona(r, "analyst"))!;
      const grant: LfGrantFact = {
        logicalName: "oops",
        principal: analyst.arn,
        permissions: ["SELECT"],
        grantable: [],
        resource: {
          kind: "tag-policy",
          resourceType: "TABLE",
          expressions: [{ key: "classification", values: ["restricted"] }],
        },
      };
      const lfOnly = loosened(inv, (c) => {
        c.lf.grants = [...c.lf.grants, grant];
      });
      assert.ok(
        (await rowOn(lfOnly, "analyst-no-restricted")).holds,
        "IAM still keeps the analyst out of the restricted databases",
      );
      const both = loosened(lfOnly, (c) => {
        c.roles = c.roles.map((r) =>
          r.arn === analyst.arn
            ? {
                ...r,
                identity: [
                  ...r.identity,
                  { name: "oops", doc: { Statement: [{ Effect: "Allow", Action: "glue:Get*", Resource: "*" }] } },
                ],
              }
            : r,
        );
      });
      assert.ok(!(await rowOn(both, "analyst-no-restricted")).holds);
    });

    it("removing the version-deletion deny and allowing the engineer to delete versions flips the prod row", async () => {
      const open = loosened(inv, (c) => {
        c.buckets = c.buckets.map((b) => ({ ...b, policy: withoutSid(b.policy, /version/i) }));
        c.roles = c.roles.map((r) =>
          persona(r, "data-engineer")
            ? {
                ...r,
                identity: [
                  ...r.identity,
                  {
                    name: "oops",
                    doc: { Statement: [{ Effect: "Allow", Action: "s3:DeleteObjectVersion", Resource: "*" }] },
                  },
                ],
              }
            : r,
        );
      });
      assert.ok(!(await rowOn(open, "no-version-deletion-in-prod")).holds);
    });

    it("a boundary without its self-protection lets an admin-like role remove it", async () => {
      const open = loosened(inv, (c) => {
        c.roles = c.roles.map((r) =>
          persona(r, "platform-admin")
            ? {
                ...r,
                identity: [...r.identity, { name: "oops", doc: ALLOW_ALL }],
                boundary: r.boundary && { ...r.boundary, doc: withoutSid(r.boundary.doc, /boundary/i)! },
              }
            : r,
        );
      });
      for (const id of ["no-boundary-removal", "no-role-without-boundary"])
        assert.ok(!(await rowOn(open, id)).holds, id);
    });

    it("a sales steward with grant option on marketing is caught", async () => {
      const steward = inv.roles.find((r) => persona(r, "steward", "sales"))!;
      const open = loosened(inv, (c) => {
        c.lf.grants = [
          ...c.lf.grants,
          {
            logicalName: "oops",
            principal: steward.arn,
            permissions: ["SELECT"],
            grantable: ["SELECT"],
            resource: {
              kind: "tag-policy",
              resourceType: "TABLE",
              expressions: [{ key: "domain", values: ["marketing"] }],
            },
          } satisfies LfGrantFact,
        ];
      });
      assert.ok(!(await rowOn(open, "steward-no-grant-other-domains")).holds);
    });

    it("a trust policy without the MFA condition lets a person in without MFA", async () => {
      const open = loosened(inv, (c) => {
        c.roles = c.roles.map((r) => ({
          ...r,
          trust: { ...r.trust, Statement: r.trust.Statement.map(({ Condition: _, ...s }) => s) },
        }));
      });
      assert.ok(!(await rowOn(open, "account-principal-needs-mfa")).holds);
    });

    it("every row flips when the plan is opened (deny rows) or emptied (allow rows)", async function () {
      // Every request of the opened plan is simulated: seconds alone, far more on a busy machine.
      this.timeout(120_000);
      // Deny rows: every principal may do anything, no resource policy denies, Lake Formation grants everything.
      const open = loosened(inv, (c) => {
        c.roles = c.roles.map((r) => ({
          ...r,
          identity: [{ name: "all", doc: ALLOW_ALL }],
          boundary: r.boundary && { ...r.boundary, doc: ALLOW_ALL },
          trust: { Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] },
          tags: { ...r.tags, "data-platform:clearance": "restricted" },
        }));
        c.buckets = c.buckets.map((b) => ({
          ...b,
          policy: b.policy && { ...b.policy, Statement: b.policy.Statement.filter((s) => s.Effect !== "Deny") },
        }));
        c.keys = new Map(
          [...c.keys].map(([arn, k]) => [
            arn,
            {
              ...k,
              policy: { Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }] },
            },
          ]),
        );
        c.lf.defaultsToIamAllowed = true;
        c.lf.admins = c.roles.map((r) => r.arn);
      });
      // Allow rows: nobody has an identity policy, no trust, no grant.
      const closed = loosened(inv, (c) => {
        c.roles = c.roles.map((r) => ({ ...r, identity: [], trust: { Statement: [] } }));
        c.lf.grants = [];
      });
      const rows = loadMatrix();
      const [opened, emptied] = await Promise.all([evaluateMatrix(open, rows), evaluateMatrix(closed, rows)]);
      const stuck = rows.filter((row, i) => {
        const r = (row.expect === "deny" ? opened : emptied)[i]!;
        return !r.skipped && r.holds;
      });
      assert.deepEqual(
        stuck.map((r) => r.id),
        [],
        "these rows hold whatever the plan says, so they prove nothing",
      );
    });
  });

  it("the 'who can access what' table agrees with the matrix", async () => {
    const table = await whoCanAccessWhat(inv);
    const analyst = table.rows.find((r) => r.principal.endsWith("-analyst"));
    assert.ok(analyst, "the analyst has lake access");
    table.columns.forEach((col, i) => {
      const cell = analyst.cells[i]!;
      if (col.zone === "raw" || col.classification === "restricted")
        assert.equal(cell, "—", `analyst on ${col.zone}/${col.classification}`);
      assert.ok(!cell.includes("write"), `analyst writes ${col.zone}/${col.classification}`);
    });
    const md = renderAccessTable(table);
    assert.match(md, /^\| role \| raw · confidential/);
    assert.ok(
      table.noAccess.some((n) => n.endsWith("-platform-admin")),
      "platform admins read no data",
    );
    // The README shows this very table, and docs/access.md the matrix: both regenerated by `npm run docs`.
    const readme = fs.readFileSync(README, "utf8");
    assert.equal(readme, renderReadme(readme, md), "README.md's access table is stale: run npm run docs");
    const doc = fs.readFileSync(ACCESS_DOC, "utf8");
    assert.equal(
      doc,
      replaceSection(doc, "access-matrix", renderMatrix()),
      "docs/access.md's matrix is stale: run npm run docs",
    );
  });
});
