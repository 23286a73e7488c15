import { describe, expect, it } from "vitest";
import { aSchedule } from "../testing/fixtures";
import {
  allowedContents,
  cadenceLabel,
  contentsProblem,
  formFromSchedule,
  keepAllowedContents,
  recipientsProblem,
  scheduleCreateFromForm,
  scheduleFormDefaults,
  scheduleUpdateFromForm,
} from "./schedules";

describe("cadenceLabel", () => {
  it("reads monthly and weekly timings", () => {
    expect(cadenceLabel(aSchedule)).toBe("Monthly on day 3 at 07:00");
    expect(
      cadenceLabel({
        cadence: "weekly",
        day_of_month: null,
        weekday: "mon",
        local_time: "07:30:00",
      }),
    ).toBe("Weekly on Monday at 07:30");
  });
});

describe("the contents' rules", () => {
  it("keeps tenant bills and the reconciliation to monthly site schedules", () => {
    expect(allowedContents({ cadence: "monthly", tenant: false })).toEqual([
      "report",
      "bill",
      "bill_xlsx",
      "tenant_bills",
      "reconciliation_xlsx",
    ]);
    expect(allowedContents({ cadence: "weekly", tenant: false })).toEqual([
      "report",
      "bill",
      "bill_xlsx",
    ]);
  });

  it("lets a tenant's schedule send only the tenant's bill", () => {
    expect(allowedContents({ cadence: "monthly", tenant: true })).toEqual(["tenant_bills"]);
    expect(keepAllowedContents(["report", "bill"], { cadence: "monthly", tenant: true })).toEqual([
      "tenant_bills",
    ]);
    expect(
      keepAllowedContents(["report", "tenant_bills", "reconciliation_xlsx"], {
        cadence: "weekly",
        tenant: false,
      }),
    ).toEqual(["report"]);
  });

  it("says what is wrong with the chosen contents", () => {
    const weekly = { cadence: "weekly", tenant: false } as const;
    expect(contentsProblem([], weekly)).toBe("Choose at least one document");
    expect(contentsProblem(["report", "tenant_bills"], weekly)).toBe(
      "Tenant bills (PDF): monthly schedules only",
    );
    expect(contentsProblem(["report", "bill_xlsx"], weekly)).toBeNull();
  });
});

describe("recipientsProblem", () => {
  it.each([
    [[], "Add at least one e-mail address"],
    [["finance@example.com", "not-mail"], "Not an e-mail address: not-mail"],
    [["a@example.com", "A@example.com"], "Listed twice: a@example.com"],
    [Array.from({ length: 21 }, (_, i) => `u${i}@example.com`), "At most 20 recipients"],
    [["finance@example.com", "ops@plant.example.co.za"], null],
  ])("%j → %s", (recipients, problem) => {
    expect(recipientsProblem(recipients)).toBe(problem);
  });
});

describe("the schedule form", () => {
  it("makes the create body: only the cadence's day, the contents in the API's order", () => {
    expect(
      scheduleCreateFromForm({
        ...scheduleFormDefaults(1),
        name: " Finance pack ",
        contents: ["bill", "report"],
        recipients: ["finance@example.com"],
      }),
    ).toEqual({
      name: "Finance pack",
      site_id: 1,
      tenant_id: null,
      cadence: "monthly",
      day_of_month: 3,
      weekday: null,
      local_time: "07:00",
      contents: ["report", "bill"],
      recipients: ["finance@example.com"],
      enabled: true,
    });
  });

  it("round-trips a saved schedule into an update without its site", () => {
    const values = formFromSchedule(aSchedule);
    expect(values.local_time).toBe("07:00");
    expect(scheduleUpdateFromForm({ ...values, cadence: "weekly", weekday: "fri" })).toEqual({
      name: aSchedule.name,
      cadence: "weekly",
      day_of_month: null,
      weekday: "fri",
      local_time: "07:00",
      contents: aSchedule.contents,
      recipients: aSchedule.recipients,
      enabled: true,
    });
  });
});
