import { describe, expect, it } from "vitest";
import { downloadUrl } from "./downloads";

describe("downloadUrl", () => {
  it("fills the route's placeholders and adds the query", () => {
    expect(
      downloadUrl(
        "/api/sites/{site_id}/bill.pdf",
        { site_id: 3 },
        { start: "2026-05-01", end: "2026-06-01" },
      ),
    ).toBe("/api/sites/3/bill.pdf?start=2026-05-01&end=2026-06-01");
    expect(
      downloadUrl("/api/report-runs/{run_id}/files/{file_id}", { run_id: 4, file_id: 9 }),
    ).toBe("/api/report-runs/4/files/9");
  });

  it("leaves out undefined query values and encodes the rest", () => {
    expect(
      downloadUrl(
        "/api/sites/{site_id}/report.pdf",
        { site_id: 1 },
        { month: "2026-11", week: undefined },
      ),
    ).toBe("/api/sites/1/report.pdf?month=2026-11");
    expect(downloadUrl("/api/tenants/{tenant_id}/bill.xlsx", { tenant_id: "a b" })).toBe(
      "/api/tenants/a%20b/bill.xlsx",
    );
  });
});
