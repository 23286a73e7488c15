import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@/api/client";
import { LoadFailed, ResourceNotFound, ResourcePage } from "./ResourcePage";
import type { ResourceQuery } from "./ResourcePage";

function renderPage(query: ResourceQuery<{ name: string }>) {
  return render(
    <ResourcePage
      query={query}
      header={<nav data-testid="header">Sites</nav>}
      loading={<p data-testid="loading">Loading</p>}
      failure={(error) => (
        <ResourceNotFound
          error={error}
          testId="site-not-found"
          notFound={{ title: "Site not found", detail: "It may have been deleted." }}
          errorTitle="The site could not be loaded"
          back={<a href="/sites">Back to the sites</a>}
        />
      )}
    >
      {(site) => <h1>{site.name}</h1>}
    </ResourcePage>,
  );
}

describe("ResourcePage", () => {
  it("shows the header and a placeholder while loading", () => {
    renderPage({ data: undefined, error: null, isError: false });
    expect(screen.getByTestId("header")).toBeInTheDocument();
    expect(screen.getByTestId("loading")).toBeInTheDocument();
  });

  it("shows the page once the resource is there", () => {
    renderPage({ data: { name: "Plant" }, error: null, isError: false });
    expect(screen.getByRole("heading", { name: "Plant" })).toBeInTheDocument();
    expect(screen.queryByTestId("loading")).not.toBeInTheDocument();
  });

  it("says 'not found' for a 404", () => {
    renderPage({ data: undefined, error: new ApiError(404, { detail: "no" }), isError: true });
    const result = screen.getByTestId("site-not-found");
    expect(result).toHaveTextContent("Site not found");
    expect(result).toHaveTextContent("It may have been deleted.");
    expect(screen.getByText("Back to the sites")).toBeInTheDocument();
  });

  it("says why for any other failure, also when a refresh failed after a success", () => {
    renderPage({
      data: { name: "Plant" },
      error: new ApiError(500, undefined),
      isError: true,
    });
    const result = screen.getByTestId("site-not-found");
    expect(result).toHaveTextContent("The site could not be loaded");
    expect(result).toHaveTextContent("The portal had a problem handling this request.");
    expect(screen.queryByRole("heading", { name: "Plant" })).not.toBeInTheDocument();
  });
});

describe("LoadFailed", () => {
  it("says what failed and why, with a way back and a retry", () => {
    const retry = vi.fn();
    render(
      <LoadFailed
        error={new ApiError(403, undefined)}
        testId="load-error"
        title="The tariff could not be loaded"
        back={<a href="/settings/rates">Back to the tariffs</a>}
        retry={retry}
      />,
    );
    const alert = screen.getByTestId("load-error");
    expect(alert).toHaveTextContent("The tariff could not be loaded");
    expect(alert).toHaveTextContent("You are not allowed to do this. Back to the tariffs");
    screen.getByRole("button", { name: "Retry" }).click();
    expect(retry).toHaveBeenCalled();
  });
});
