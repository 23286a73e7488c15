import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import type { FetchAnswer } from "@/test/utils";
import { formatWeek, lastMonth, lastWeek } from "../lib/periods";
import { aReport, aRun, aSchedule, aSite, aTenant } from "../testing/fixtures";
import type { Run } from "../types";

type Route = FetchAnswer | ((request: Request) => FetchAnswer);

function routes(extra: Record<string, Route> = {}) {
  return mockFetch({
    "/api/auth/me": meRoute(anAdmin),
    "/api/sites": { body: [aSite] },
    "/api/sites/1/report": { body: aReport },
    "/api/sites/1/tenants": { body: [aTenant] },
    "GET /api/report-schedules": { body: [] },
    "/api/report-runs": { body: [] },
    ...extra,
  });
}

/** Open an antd Select and pick the option titled `label`. */
async function choose(
  user: ReturnType<typeof userEvent.setup>,
  select: HTMLElement,
  label: string,
) {
  await user.click(select.querySelector(".ant-select-selector, .ant-select-content") ?? select);
  await user.click(await screen.findByTitle(label));
}

const aTenantSchedule = {
  ...aSchedule,
  id: 6,
  name: "Grocer's bill",
  tenant_id: 3,
  day_of_month: 5,
  local_time: "08:30:00",
  contents: ["tenant_bills" as const],
  recipients: ["grocer@example.com"],
  enabled: false,
  next_due_at: null,
};

const aFailedRun: Run = {
  ...aRun,
  id: 9,
  label: "2026-10",
  start: "2026-10-01",
  end: "2026-11-01",
  trigger: "schedule",
  requested_by: null,
  notes: ["The bill was left out: site 1 has no tariff"],
  files: [aRun.files[0]!],
  deliveries: [
    { ...aRun.deliveries[0]!, sent_at: "2026-11-03T05:00:04Z" },
    {
      recipient: "ops@example.com",
      status: "dead",
      attempts: 3,
      sent_at: null,
      last_error: "550 5.1.1 <ops@example.com>: Recipient address rejected",
    },
  ],
};

describe("Reports", { timeout: 30_000 }, () => {
  it("shows last month's site report with its gaps, and the PDF link", async () => {
    const fetchMock = routes();
    renderApp("/reports");

    expect(await screen.findByTestId("report-energy-value")).toHaveTextContent("41,234.5");
    expect(screen.getByTestId("report-energy-change")).toHaveTextContent(
      "+3.1 % on previous month",
    );
    expect(screen.getByTestId("report-total-value")).toHaveTextContent("113,580.24");
    expect(screen.getByTestId("report-total")).toHaveTextContent("ZAR");
    expect(screen.getByTestId("report-peak-value")).toHaveTextContent("312.4");
    expect(screen.getByTestId("report-peak")).toHaveTextContent("kVA");
    expect(screen.getByTestId("report-peak-detail")).toHaveTextContent("from 14 Nov 2026, 10:30");
    expect(screen.getByTestId("report-power-factor-value")).toHaveTextContent("0.94");
    expect(screen.getByTestId("report-power-factor-detail")).toHaveTextContent("0.81");
    expect(screen.getByTestId("report-completeness-value")).toHaveTextContent("99.3 %");
    const gaps = screen.getByTestId("report-gaps");
    expect(gaps).toHaveTextContent("Readings are missing: 99.3 % complete");
    expect(within(gaps).getByTestId("report-gap-0")).toHaveTextContent(
      "Incomer: 9 Nov 2026, 02:00 – 07:00",
    );
    expect(screen.getByTestId("report-pdf")).toHaveAttribute(
      "href",
      `/api/sites/1/report.pdf?month=${lastMonth()}`,
    );
    const asked = fetchedRequests(fetchMock).find(
      (r) => new URL(r.url).pathname === "/api/sites/1/report",
    )!;
    expect(new URL(asked.url).search).toBe(`?month=${lastMonth()}`);

    expect(await screen.findByTestId("schedules-empty")).toHaveTextContent("No schedules yet");
    expect(await screen.findByTestId("runs-empty")).toHaveTextContent("Nothing sent yet");
    expect(screen.getByTestId("nav-reports")).toHaveAttribute("href", "/reports");
  });

  it("says why a report has no money figures", async () => {
    routes({
      "/api/sites/1/report": {
        body: {
          ...aReport,
          currency: null,
          subtotal: null,
          vat: null,
          total: null,
          no_cost_reason: "site 1 has no tariff",
          completeness: { ...aReport.completeness, percent: 100, gaps: [] },
        },
      },
    });
    renderApp("/reports?site=1&month=2026-10");

    expect(await screen.findByTestId("report-total-value")).toHaveTextContent("—");
    expect(screen.getByTestId("report-no-cost")).toHaveTextContent("site 1 has no tariff");
    expect(screen.queryByTestId("report-gaps")).not.toBeInTheDocument();
    expect(screen.getByTestId("report-pdf")).toHaveAttribute(
      "href",
      "/api/sites/1/report.pdf?month=2026-10",
    );
  });

  it("lists the schedules and what was sent, with each recipient's delivery", async () => {
    routes({
      "GET /api/report-schedules": { body: [aSchedule, aTenantSchedule] },
      "/api/report-runs": { body: [aRun, aFailedRun] },
    });
    renderApp("/reports");

    const row = await screen.findByTestId("schedule-row-5");
    expect(row).toHaveTextContent("Monthly pack for finance");
    expect(row).toHaveTextContent("Centre");
    expect(within(row).getByTestId("schedule-cadence-5")).toHaveTextContent(
      "Monthly on day 3 at 07:00",
    );
    expect(within(row).getByTestId("schedule-contents-5")).toHaveTextContent(
      "Site report (PDF)Site bill (PDF)",
    );
    expect(within(row).getByTestId("schedule-recipients-5")).toHaveTextContent(
      "finance@example.com",
    );
    expect(within(row).getByTestId("schedule-next-5")).toHaveTextContent(/^next .*27/);
    expect(within(row).getByTestId("schedule-enabled-5")).toBeChecked();
    const tenantRow = screen.getByTestId("schedule-row-6");
    await waitFor(() => expect(tenantRow).toHaveTextContent("Centre · Grocer"));
    expect(tenantRow).toHaveTextContent("Monthly on day 5 at 08:30");
    expect(tenantRow).toHaveTextContent("Tenant's bill (PDF)");
    expect(within(tenantRow).getByTestId("schedule-next-6")).toHaveTextContent(
      "not scheduled (disabled)",
    );
    expect(within(tenantRow).getByTestId("schedule-enabled-6")).not.toBeChecked();

    const run = await screen.findByTestId("run-row-8");
    expect(within(run).getByTestId("run-period-8")).toHaveTextContent("November 2026");
    expect(within(run).getByTestId("run-schedule-8")).toHaveTextContent("Monthly pack for finance");
    expect(within(run).getByTestId("run-trigger-8")).toHaveTextContent(
      "Sent now by admin@localhost",
    );
    expect(within(run).getByTestId("run-file-8-21")).toHaveAttribute(
      "href",
      "/api/report-runs/8/files/21",
    );
    expect(within(run).getByTestId("run-file-8-22")).toHaveTextContent("bill-centre-2026-11.pdf");
    expect(within(run).getByTestId("run-status-8")).toHaveTextContent("Sent to 1 recipient");
    const sent = within(run).getByTestId("run-delivery-8-0");
    expect(sent).toHaveAttribute("data-status", "sent");
    // when, in the user's locale and the site's time zone (10:00 in Johannesburg)
    expect(sent).toHaveTextContent(/^finance@example\.com: sent .*10:00/);

    const failed = screen.getByTestId("run-row-9");
    expect(within(failed).getByTestId("run-trigger-9")).toHaveTextContent("Scheduled");
    expect(within(failed).getByTestId("run-status-9")).toHaveTextContent(
      "Failed for 1 of 2 recipients",
    );
    expect(within(failed).getByTestId("run-note-9")).toHaveTextContent(
      "The bill was left out: site 1 has no tariff",
    );
    const dead = within(failed).getByTestId("run-delivery-9-1");
    expect(dead).toHaveAttribute("data-status", "dead");
    await userEvent.setup().hover(dead);
    expect(
      await screen.findByText(
        "3 attempts; last error: 550 5.1.1 <ops@example.com>: Recipient address rejected",
      ),
    ).toBeInTheDocument();
  });

  it("adds a schedule within the contents' rules, a refused recipient shown on its field", async () => {
    let posted = 0;
    const fetchMock = routes({
      "POST /api/report-schedules": () =>
        ++posted === 1
          ? {
              status: 422,
              body: {
                detail: [
                  {
                    loc: ["body", "recipients", 0],
                    msg: "value is not a valid email address: the domain does not exist",
                    type: "value_error",
                  },
                ],
              },
            }
          : { status: 201, body: aSchedule },
    });
    renderApp("/reports");

    const user = userEvent.setup();
    await screen.findByTestId("report-energy-value");
    await user.click(await screen.findByTestId("schedule-create"));
    const form = await screen.findByTestId("schedule-form");
    await user.type(within(form).getByTestId("schedule-name"), "Monthly pack for finance");
    // monthly: every document; weekly: not the tenant bills nor the reconciliation
    expect(within(form).getByTestId("schedule-content-tenant_bills")).toBeEnabled();
    await user.click(within(form).getByTestId("schedule-cadence-weekly"));
    expect(within(form).getByTestId("schedule-content-tenant_bills")).toBeDisabled();
    expect(within(form).getByTestId("schedule-content-reconciliation_xlsx")).toBeDisabled();
    expect(within(form).getByTestId("schedule-weekday")).toBeInTheDocument();
    await user.click(within(form).getByTestId("schedule-cadence-monthly"));
    expect(within(form).getByTestId("schedule-day")).toHaveValue("3");
    await user.click(within(form).getByTestId("schedule-content-bill_xlsx"));

    // no recipient yet: the form says so before asking the server
    await user.click(screen.getByTestId("schedule-form-submit"));
    expect(await within(form).findByText("Add at least one e-mail address")).toBeInTheDocument();
    const recipients = within(form).getByTestId("schedule-recipients");
    await user.type(within(recipients).getByRole("combobox"), "finance@example.com{enter}");
    await user.click(screen.getByTestId("schedule-form-submit"));
    expect(
      await within(form).findByText(
        "value is not a valid email address: the domain does not exist",
      ),
    ).toBeInTheDocument();
    expect(screen.queryByTestId("schedule-form-error")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("schedule-form-submit"));
    await waitFor(() => expect(screen.queryByTestId("schedule-form")).not.toBeInTheDocument());
    const post = fetchedRequests(fetchMock).filter((r) => r.method === "POST")[1]!;
    expect(await post.clone().json()).toEqual({
      name: "Monthly pack for finance",
      site_id: 1,
      tenant_id: null,
      cadence: "monthly",
      day_of_month: 3,
      weekday: null,
      local_time: "07:00",
      contents: ["report", "bill", "bill_xlsx"],
      recipients: ["finance@example.com"],
      enabled: true,
    });
  });

  it("gives a tenant's schedule only the tenant's bill", async () => {
    routes();
    renderApp("/reports");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("schedule-create"));
    const form = await screen.findByTestId("schedule-form");
    await choose(user, within(form).getByTestId("schedule-tenant"), "Grocer");
    await waitFor(() =>
      expect(within(form).getByTestId("schedule-content-tenant_bills")).toBeChecked(),
    );
    expect(within(form).getByTestId("schedule-content-report")).toBeDisabled();
    expect(within(form).getByTestId("schedule-content-report")).not.toBeChecked();
    expect(within(form).getByText("Tenant's bill (PDF)")).toBeInTheDocument();
  });

  it("sends a schedule now for last month, a refused month shown on its field", async () => {
    let sends = 0;
    const fetchMock = routes({
      "GET /api/report-schedules": { body: [aSchedule] },
      "POST /api/report-schedules/5/send": () =>
        ++sends === 1
          ? {
              status: 422,
              body: {
                detail: [
                  {
                    loc: ["body", "month"],
                    msg: "2026-12 has not ended yet in Africa/Johannesburg",
                    type: "value_error",
                  },
                ],
              },
            }
          : {
              status: 202,
              body: { ...aRun, deliveries: [{ ...aRun.deliveries[0]!, status: "pending" }] },
            },
    });
    renderApp("/reports");

    const user = userEvent.setup();
    await user.click(await screen.findByTestId("schedule-send-5"));
    const form = await screen.findByTestId("send-form");
    expect(screen.getByTestId("send-modal")).toHaveTextContent("finance@example.com");
    await user.click(screen.getByTestId("send-submit"));
    expect(
      await within(form).findByText("2026-12 has not ended yet in Africa/Johannesburg"),
    ).toBeInTheDocument();
    await user.click(screen.getByTestId("send-submit"));
    await waitFor(() => expect(screen.queryByTestId("send-form")).not.toBeInTheDocument());
    const sendsMade = fetchedRequests(fetchMock).filter((r) => r.method === "POST");
    expect(sendsMade).toHaveLength(2);
    expect(await sendsMade[1]!.clone().json()).toEqual({ month: lastMonth() });
  });

  it("offers the last weeks to a weekly schedule", async () => {
    const fetchMock = routes({
      "GET /api/report-schedules": {
        body: [{ ...aSchedule, cadence: "weekly", day_of_month: null, weekday: "mon" }],
      },
      "POST /api/report-schedules/5/send": { status: 202, body: aRun },
    });
    renderApp("/reports");
    const user = userEvent.setup();
    expect(await screen.findByTestId("schedule-cadence-5")).toHaveTextContent(
      "Weekly on Monday at 07:00",
    );
    await user.click(screen.getByTestId("schedule-send-5"));
    expect(await screen.findByTestId("send-week")).toHaveTextContent(formatWeek(lastWeek()));
    await user.click(screen.getByTestId("send-submit"));
    await waitFor(() => expect(screen.queryByTestId("send-form")).not.toBeInTheDocument());
    const post = fetchedRequests(fetchMock).find((r) => r.method === "POST")!;
    expect(await post.clone().json()).toEqual({ week: lastWeek() });
  });

  it("edits, disables and deletes a schedule", async () => {
    const fetchMock = routes({
      "GET /api/report-schedules": { body: [aSchedule] },
      "PATCH /api/report-schedules/5": { body: aSchedule },
      "DELETE /api/report-schedules/5": { status: 204 },
    });
    renderApp("/reports");
    const user = userEvent.setup();

    await user.click(await screen.findByTestId("schedule-edit-5"));
    const form = await screen.findByTestId("schedule-form");
    expect(within(form).getByTestId("schedule-subject")).toHaveTextContent("Centre");
    const time = within(form).getByTestId("schedule-time");
    await user.clear(time);
    await user.type(time, "7:5");
    await user.click(screen.getByTestId("schedule-form-submit"));
    expect(await within(form).findByText("HH:MM")).toBeInTheDocument();
    await user.clear(time);
    await user.type(time, "06:45");
    await user.click(screen.getByTestId("schedule-form-submit"));
    await waitFor(() => expect(screen.queryByTestId("schedule-form")).not.toBeInTheDocument());

    await user.click(screen.getByTestId("schedule-enabled-5"));
    await user.click(screen.getByTestId("schedule-delete-5"));
    await user.click(await screen.findByTestId("schedule-delete-confirm-5"));
    await waitFor(() =>
      expect(fetchedRequests(fetchMock).some((r) => r.method === "DELETE")).toBe(true),
    );
    const patches = fetchedRequests(fetchMock).filter((r) => r.method === "PATCH");
    expect(await patches[0]!.clone().json()).toEqual({
      name: "Monthly pack for finance",
      cadence: "monthly",
      day_of_month: 3,
      weekday: null,
      local_time: "06:45",
      contents: ["report", "bill"],
      recipients: ["finance@example.com"],
      enabled: true,
    });
    expect(await patches[1]!.clone().json()).toEqual({ enabled: false });
  });

  it("asks again while a delivery is pending, until it is sent", async () => {
    let asked = 0;
    routes({
      "/api/report-runs": () => ({
        body: [
          ++asked === 1
            ? {
                ...aRun,
                deliveries: [{ ...aRun.deliveries[0]!, status: "pending", sent_at: null }],
              }
            : aRun,
        ],
      }),
    });
    renderApp("/reports");
    const delivery = await screen.findByTestId("run-delivery-8-0");
    expect(delivery).toHaveAttribute("data-status", "pending");
    expect(screen.getByTestId("run-status-8")).toHaveTextContent("Sending: 1 of 1 pending");
    await waitFor(() =>
      expect(screen.getByTestId("run-delivery-8-0")).toHaveAttribute("data-status", "sent"),
    );
    expect(screen.getByTestId("run-status-8")).toHaveTextContent("Sent to 1 recipient");
  });

  it("is an admin's page", async () => {
    mockFetch({ "/api/auth/me": meRoute(aViewer) });
    renderApp("/reports");
    expect(await screen.findByTestId("forbidden")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-reports")).not.toBeInTheDocument();
  });
});
