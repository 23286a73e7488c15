import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { aViewer, anAdmin, fetchedRequests, meRoute, mockFetch, renderApp } from "@/test/utils";
import { acmeBranding, defaultServerBranding } from "../testing/fixtures";

afterEach(() => window.localStorage.clear());

function formItemOf(element: HTMLElement): HTMLElement {
  const item = element.closest(".ant-form-item");
  if (!(item instanceof HTMLElement)) throw new Error("not inside a Form.Item");
  return item;
}

/** Type a whole value at once (antd re-renders the form on every keystroke: slow in jsdom). */
function replaceText(element: HTMLElement, text: string) {
  fireEvent.change(element, { target: { value: text } });
}

describe("Settings → Branding", () => {
  it("says what the theme changed to keep text readable, live as the colour changes", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/branding": { body: defaultServerBranding },
    });
    renderApp("/settings/branding");

    const primary = await screen.findByTestId("branding-primary-input");
    expect(primary).toHaveValue("#1677ff");
    // white on #1677ff is 4.1:1: the theme darkens it, and says so
    expect(screen.getByTestId("contrast-warning")).toHaveTextContent(
      "instead of #1677ff so white text reads at",
    );
    expect(screen.getByRole("tab", { name: "Branding" })).toHaveAttribute("aria-selected", "true");

    replaceText(primary, "#0050b3");
    await waitFor(() => expect(screen.queryByTestId("contrast-warning")).not.toBeInTheDocument());
    expect(screen.getByTestId("contrast-header")).toHaveTextContent("7.5:1, passes WCAG AA");
    const preview = screen.getByTestId("brand-preview");
    expect(within(preview).getByTestId("preview-header")).toHaveStyle({
      background: "#0050b3",
    });
  });

  it("shows the server's 422 next to the field it names", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/branding": { body: defaultServerBranding },
      "PUT /api/branding": {
        status: 422,
        body: {
          detail: [
            {
              loc: ["body", "support_url"],
              msg: "Value error, must be an http(s) URL like https://example.com/support",
              type: "value_error",
            },
          ],
        },
      },
    });
    renderApp("/settings/branding");

    replaceText(await screen.findByTestId("branding-support-url"), "https://example.com/x");
    await userEvent.setup().click(screen.getByTestId("branding-save"));

    const field = formItemOf(screen.getByTestId("branding-support-url"));
    expect(
      await within(field).findByText("must be an http(s) URL like https://example.com/support"),
    ).toBeInTheDocument();
    expect(screen.queryByTestId("branding-error")).not.toBeInTheDocument();
    const put = fetchedRequests(fetchMock).find((r) => r.method === "PUT");
    expect(await put?.json()).toEqual({
      product_name: "Power Portal",
      primary_color: "#1677ff",
      secondary_color: "#13c2c2",
      theme: "light",
      tagline: "Energy you can see, costs you can trust.",
      support_email: null,
      support_url: "https://example.com/x",
    });
  });

  it("saves, and the header shows the new brand without a reload", async () => {
    const saved = {
      ...defaultServerBranding,
      product_name: "Acme Energy",
      primary_color: "#0050b3",
    };
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/branding": { body: defaultServerBranding },
      "PUT /api/branding": { body: saved },
    });
    renderApp("/settings/branding");

    replaceText(await screen.findByTestId("branding-product-name"), "Acme Energy");
    expect(screen.getByTestId("product-name")).toHaveTextContent("Power Portal");
    await userEvent.setup().click(screen.getByTestId("branding-save"));

    await waitFor(() =>
      expect(screen.getByTestId("product-name")).toHaveTextContent("Acme Energy"),
    );
    await waitFor(() => expect(document.title).toBe("Acme Energy"));
  });

  it("shows the server's reason when an upload is refused", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/branding": { body: acmeBranding },
      "POST /api/branding/logo": {
        status: 415,
        body: { detail: "SVG is not accepted: upload a PNG, JPEG or WebP image" },
      },
    });
    renderApp("/settings/branding");

    expect(await screen.findByTestId("logo-current")).toHaveAttribute("src", acmeBranding.logo_url);
    const input = screen.getByTestId("logo-upload").querySelector("input[type=file]");
    if (!(input instanceof HTMLInputElement)) throw new Error("no file input");
    fireEvent.change(input, {
      target: { files: [new File(["<svg/>"], "logo.svg", { type: "image/svg+xml" })] },
    });

    expect(await screen.findByTestId("logo-error")).toHaveTextContent(
      "SVG is not accepted: upload a PNG, JPEG or WebP image",
    );
  });

  it("resets to the defaults after a confirmation", async () => {
    const fetchMock = mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "GET /api/branding": { body: acmeBranding },
      "DELETE /api/branding": { body: defaultServerBranding },
    });
    renderApp("/settings/branding");
    const user = userEvent.setup();

    expect(await screen.findByTestId("branding-product-name")).toHaveValue("Acme Energy");
    await user.click(screen.getByTestId("branding-reset"));
    expect(fetchedRequests(fetchMock).some((r) => r.method === "DELETE")).toBe(false);
    await user.click(await screen.findByTestId("branding-reset-confirm"));

    await waitFor(() =>
      expect(screen.getByTestId("branding-product-name")).toHaveValue("Power Portal"),
    );
    expect(screen.getByTestId("product-name")).toHaveTextContent("Power Portal");
    expect(screen.queryByTestId("logo-current")).not.toBeInTheDocument();
  });

  it("is forbidden to a viewer, who sees no Branding tab", async () => {
    mockFetch({ "/api/auth/me": meRoute(aViewer), "/api/branding": { body: acmeBranding } });
    renderApp("/settings/branding");

    expect(await screen.findByTestId("forbidden")).toBeInTheDocument();
    expect(screen.queryByTestId("branding-form")).not.toBeInTheDocument();
    expect(screen.queryByRole("tab", { name: "Branding" })).not.toBeInTheDocument();
    expect(screen.queryByTestId("nav-settings-branding")).not.toBeInTheDocument();
  });
});
