import { strict as assert } from "node:assert";
import { whoCanAccessWhat } from "../../tools/access/table";
import { resourcesOf } from "../support/plan";

describe("who can access what (prod)", function () {
  this.timeout(60_000);

  it("shows an ingestion source's access as its own folder of the raw zone, and nothing else", async () => {
    const table = await whoCanAccessWhat(await resourcesOf("prod"));
    const row = table.rows.find((r) => r.principal === "acme-data-ingestion-orders-api-fn-role");
    assert.ok(row, "the orders-api function has lake access");
    const cells = Object.fromEntries(table.columns.map((c, i) => [`${c.zone}/${c.classification}`, row.cells[i]]));
    assert.match(cells["raw/confidential"], /write: sales\/source=orders-api\/$/);
    for (const [column, cell] of Object.entries(cells))
      if (column !== "raw/confidential") assert.equal(cell, "—", column);
    // A whole-domain reader is still shown as such, without a folder.
    const spark = table.rows.find((r) => r.principal === "acme-data-spark-spark-sales");
    assert.equal(
      spark?.cells[table.columns.findIndex((c) => c.zone === "raw" && c.classification === "confidential")],
      "read: sales",
    );
  });
});
