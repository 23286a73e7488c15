import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { User } from "@/api/types";
import {
  aViewer,
  anAdmin,
  fetchedRequests,
  makeUser,
  meRoute,
  mockFetch,
  renderApp,
} from "@/test/utils";

const locked = makeUser({
  id: 3,
  email: "locked@example.com",
  name: "Lou Locked",
  role: "viewer",
  is_locked: true,
  locked_until: "2099-01-01T00:00:00Z",
});
const inactive = makeUser({
  id: 4,
  email: "gone@example.com",
  name: "Gone",
  role: "viewer",
  is_active: false,
});

async function openCreateForm() {
  const user = userEvent.setup();
  await user.click(await screen.findByTestId("create-user"));
  const form = await screen.findByTestId("create-user-form");
  await user.type(within(form).getByTestId("user-form-email"), "vera@example.com");
  await user.type(within(form).getByTestId("user-form-name"), "Vera");
  await user.type(within(form).getByTestId("user-form-password"), "long-enough-password");
  await user.type(within(form).getByTestId("user-form-confirm"), "long-enough-password");
  return { user, form };
}

/** The antd Form.Item around a field: where its error message is shown. */
function formItemOf(element: HTMLElement): HTMLElement {
  const item = element.closest(".ant-form-item");
  if (!(item instanceof HTMLElement)) throw new Error("not inside a Form.Item");
  return item;
}

describe("Settings → Users", () => {
  it("lists the users with their status", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/users": { body: [anAdmin, aViewer, locked, inactive] },
    });
    renderApp("/settings/users");

    const table = await screen.findByTestId("users-table");
    const lockedRow = await within(table).findByTestId("user-row-locked@example.com");
    expect(within(lockedRow).getByTestId("user-status-locked")).toBeInTheDocument();
    expect(within(lockedRow).getByTestId("user-unlock")).toBeInTheDocument();

    const viewerRow = within(table).getByTestId("user-row-viewer@example.com");
    expect(within(viewerRow).getByTestId("user-status-active")).toBeInTheDocument();
    expect(within(viewerRow).queryByTestId("user-unlock")).not.toBeInTheDocument();
    expect(within(viewerRow).getByTestId("user-role-cell")).toHaveTextContent("Viewer");

    const inactiveRow = within(table).getByTestId("user-row-gone@example.com");
    expect(within(inactiveRow).getByTestId("user-status-inactive")).toBeInTheDocument();
    expect(within(inactiveRow).getByTestId("user-activate")).toBeInTheDocument();

    // an admin cannot delete or deactivate themselves here
    const selfRow = within(table).getByTestId("user-row-admin@localhost");
    expect(within(selfRow).getByTestId("user-delete")).toBeDisabled();
    expect(within(selfRow).getByTestId("user-deactivate")).toBeDisabled();
  });

  it("validates the create form before asking the server", async () => {
    const fetchMock = mockFetch({ "/api/auth/me": meRoute(anAdmin), "/api/users": { body: [] } });
    renderApp("/settings/users");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("create-user"));
    const form = await screen.findByTestId("create-user-form");
    await user.type(within(form).getByTestId("user-form-password"), "short");
    await user.type(within(form).getByTestId("user-form-confirm"), "different");
    await user.click(screen.getByTestId("create-user-submit"));

    expect(await within(form).findByText("Enter an e-mail address")).toBeInTheDocument();
    expect(within(form).getByText("At least 10 characters")).toBeInTheDocument();
    expect(within(form).getByText("The passwords do not match")).toBeInTheDocument();
    expect(fetchedRequests(fetchMock).some((r) => r.method === "POST")).toBe(false);
  });

  it("shows a 422 field error from the server next to the e-mail field", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/users": { body: [anAdmin] },
      "POST /api/users": {
        status: 422,
        body: {
          detail: [
            {
              loc: ["body", "email"],
              msg: "a user with this e-mail already exists",
              type: "unique",
            },
          ],
        },
      },
    });
    renderApp("/settings/users");
    const { user, form } = await openCreateForm();
    await user.click(screen.getByTestId("create-user-submit"));

    const message = await within(form).findByText("a user with this e-mail already exists");
    expect(formItemOf(message)).toBe(formItemOf(within(form).getByTestId("user-form-email")));
    expect(screen.queryByTestId("create-user-error")).not.toBeInTheDocument();

    const post = fetchedRequests(fetchMock).find((r) => r.method === "POST");
    expect(await post?.json()).toEqual({
      email: "vera@example.com",
      name: "Vera",
      role: "viewer",
      password: "long-enough-password",
    });
  });

  it("shows a non-field error (409) in the dialog's alert", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/users": { body: [anAdmin] },
      "POST /api/users": { status: 409, body: { detail: "something conflicts" } },
    });
    renderApp("/settings/users");
    const { user } = await openCreateForm();
    await user.click(screen.getByTestId("create-user-submit"));

    expect(await screen.findByTestId("create-user-error")).toHaveTextContent("something conflicts");
  });

  it("creates a user, closes the dialog and refreshes the list", async () => {
    let users: User[] = [anAdmin];
    const created = makeUser({ id: 9, email: "vera@example.com", name: "Vera", role: "viewer" });
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/users": () => ({ body: users }),
      "POST /api/users": () => {
        users = [anAdmin, created];
        return { status: 201, body: created };
      },
    });
    renderApp("/settings/users");
    const { user } = await openCreateForm();
    await user.click(screen.getByTestId("create-user-submit"));

    expect(await screen.findByTestId("user-row-vera@example.com")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId("create-user-form")).not.toBeInTheDocument());
  });

  it("creates a tenant user for a tenant picked among the sites' tenants", async () => {
    const created = makeUser({ id: 9, email: "vera@example.com", role: "tenant", tenant_id: 3 });
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/users": { body: [anAdmin] },
      "/api/sites": { body: [{ id: 1, name: "Centre" }] },
      "/api/sites/1/tenants": { body: [{ id: 3, site_id: 1, name: "Grocer" }] },
      "POST /api/users": { status: 201, body: created },
    });
    renderApp("/settings/users");
    const { user, form } = await openCreateForm();
    await user.click(within(form).getByText("Tenant"));
    await user.click(screen.getByTestId("create-user-submit"));
    expect(await screen.findByText("Choose the tenant")).toBeInTheDocument();

    const picker = within(form).getByTestId("user-form-tenant");
    await user.click(picker.querySelector(".ant-select-selector, .ant-select-content") ?? picker);
    await user.click(await screen.findByTitle("Grocer"));
    await user.click(screen.getByTestId("create-user-submit"));
    await waitFor(() => expect(screen.queryByTestId("create-user-form")).not.toBeInTheDocument());
    const post = fetchedRequests(fetchMock).find((r) => r.method === "POST")!;
    expect(await post.clone().json()).toMatchObject({ role: "tenant", tenant_id: 3 });
  });

  it("shows the last-admin rule (409) when deactivating fails", async () => {
    const other = makeUser({ id: 5, email: "other@example.com", name: "Other" });
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/users": { body: [anAdmin, other] },
      "PATCH /api/users/5": {
        status: 409,
        body: {
          detail: "there must always be at least one active admin: make another user admin first",
        },
      },
    });
    renderApp("/settings/users");
    const user = userEvent.setup();
    const row = await screen.findByTestId("user-row-other@example.com");
    await user.click(within(row).getByTestId("user-deactivate"));
    await user.click(await screen.findByTestId("user-deactivate-confirm"));

    expect(
      await screen.findByText(
        "there must always be at least one active admin: make another user admin first",
      ),
    ).toBeInTheDocument();
  });
});
