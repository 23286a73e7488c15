import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { anAdmin, meRoute, mockFetch, renderApp } from "@/test/utils";
import { brandingKeys } from "../api/keys";
import { BRANDING_STORAGE_KEY } from "../lib/storage";
import { acmeBranding } from "../testing/fixtures";

function faviconHref(): string | null | undefined {
  return document.head.querySelector('link[rel~="icon"]')?.getAttribute("href");
}

afterEach(() => {
  window.localStorage.clear();
  document.title = "";
});

describe("BrandingProvider", () => {
  it("applies the brand to the title, the favicon and the login page", async () => {
    mockFetch({ "/api/auth/me": meRoute(null), "/api/branding": { body: acmeBranding } });
    renderApp("/login");

    await waitFor(() => expect(document.title).toBe("Acme Energy"));
    expect(await screen.findByTestId("login-product-name")).toHaveTextContent("Acme Energy");
    expect(screen.getByTestId("brand-logo")).toHaveAttribute("src", acmeBranding.logo_url);
    expect(screen.getByTestId("brand-logo")).toHaveAttribute("alt", "Acme Energy");
    // text from the brand is text, never markup
    const tagline = screen.getByTestId("login-tagline");
    expect(tagline).toHaveTextContent("Power, <b>plainly</b>");
    expect(tagline.querySelector("b")).toBeNull();
    expect(screen.getByTestId("brand-support-email")).toHaveAttribute(
      "href",
      "mailto:help@acme.example",
    );
    expect(screen.getByTestId("brand-support-url")).toHaveAttribute(
      "href",
      "https://acme.example/support",
    );
    expect(faviconHref()).toBe(acmeBranding.favicon_url);
  });

  it("keeps the default brand when the server cannot be asked", async () => {
    mockFetch({ "/api/auth/me": meRoute(null), "/api/branding": { status: 500, body: {} } });
    renderApp("/login");

    expect(await screen.findByTestId("login-product-name")).toHaveTextContent("Power Portal");
    expect(screen.getByTestId("brand-default-mark")).toBeInTheDocument();
    expect(screen.queryByTestId("brand-logo")).not.toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Power Portal"));
    expect(faviconHref()).toBe("/favicon.svg");
  });

  it("shows a change in the header at once, and remembers it for the next visit", async () => {
    mockFetch({
      "/api/auth/me": meRoute(anAdmin),
      "/api/branding": { body: acmeBranding },
      "/api/health": {
        body: { status: "ok", database: "ok", run_mode: "standalone", version: "1" },
      },
      "/api/sites": { body: [] },
    });
    const { queryClient } = renderApp("/");
    expect(await screen.findByTestId("app-header")).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId("product-name")).toHaveTextContent("Acme Energy"),
    );
    expect(screen.getByTestId("brand-logo")).toHaveAttribute("src", acmeBranding.logo_url);

    queryClient.setQueryData(brandingKeys.all, {
      ...acmeBranding,
      product_name: "Acme Power",
      logo_url: null,
    });
    await waitFor(() => expect(screen.getByTestId("product-name")).toHaveTextContent("Acme Power"));
    expect(screen.queryByTestId("brand-logo")).not.toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Acme Power"));
    const stored = JSON.parse(window.localStorage.getItem(BRANDING_STORAGE_KEY) ?? "{}") as {
      product_name?: string;
    };
    expect(stored.product_name).toBe("Acme Power");
  });

  it("paints the remembered brand while the server is asked", async () => {
    window.localStorage.setItem(
      BRANDING_STORAGE_KEY,
      JSON.stringify({ ...acmeBranding, logo_url: "https://evil.example/x.png" }),
    );
    const answer = mockFetch({ "/api/auth/me": meRoute(null) });
    // GET /api/branding never answers
    vi.stubGlobal("fetch", (input: Request) =>
      new URL(input.url).pathname === "/api/branding" ? new Promise(() => {}) : answer(input),
    );
    renderApp("/login");

    expect(await screen.findByTestId("login-product-name")).toHaveTextContent("Acme Energy");
    // a stored logo must be one of our own asset paths
    expect(screen.queryByTestId("brand-logo")).not.toBeInTheDocument();
  });
});
