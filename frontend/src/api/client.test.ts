import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchedRequests, mockFetch } from "@/test/utils";
import { apiClient, CSRF_HEADER, onSessionExpired, readCookie } from "./client";

function setCookie(value: string) {
  document.cookie = value;
}

afterEach(() => {
  setCookie("portal_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/");
});

describe("CSRF middleware", () => {
  it("sends the portal_csrf cookie as X-CSRF-Token on POST, not on GET", async () => {
    setCookie("other=1; path=/");
    setCookie("portal_csrf=csrf-token-123; path=/");
    const fetchMock = mockFetch({
      "/api/health": { body: { status: "ok" } },
      "POST /api/auth/logout": { status: 204 },
    });

    await apiClient.GET("/api/health");
    await apiClient.POST("/api/auth/logout");

    const [get, post] = fetchedRequests(fetchMock);
    expect(get?.method).toBe("GET");
    expect(get?.headers.has(CSRF_HEADER)).toBe(false);
    expect(post?.method).toBe("POST");
    expect(post?.headers.get(CSRF_HEADER)).toBe("csrf-token-123");
  });

  it("adds the header to PATCH and DELETE too", async () => {
    setCookie("portal_csrf=abc; path=/");
    const fetchMock = mockFetch({
      "/api/users/7": (request) => (request.method === "DELETE" ? { status: 204 } : { body: {} }),
    });

    await apiClient.PATCH("/api/users/{user_id}", {
      params: { path: { user_id: 7 } },
      body: { name: "x" },
    });
    await apiClient.DELETE("/api/users/{user_id}", { params: { path: { user_id: 7 } } });

    for (const request of fetchedRequests(fetchMock)) {
      expect(request.headers.get(CSRF_HEADER)).toBe("abc");
    }
  });

  it("sends no header when there is no cookie (not signed in)", async () => {
    const fetchMock = mockFetch({ "POST /api/auth/login": { status: 401, body: { detail: "x" } } });
    await apiClient.POST("/api/auth/login", { body: { email: "a@b", password: "p" } });
    expect(fetchedRequests(fetchMock)[0]?.headers.has(CSRF_HEADER)).toBe(false);
    expect(readCookie("portal_csrf")).toBeUndefined();
  });
});

describe("session expiry", () => {
  it("reports a 401 from an API call, but not from login or /me", async () => {
    const listener = vi.fn();
    const unsubscribe = onSessionExpired(listener);
    const unauthorized = { status: 401, body: { detail: "log in again" } };
    mockFetch({
      "/api/auth/me": unauthorized,
      "/api/auth/login": unauthorized,
      "/api/users": unauthorized,
    });

    await apiClient.GET("/api/auth/me");
    await apiClient.POST("/api/auth/login", { body: { email: "a@b", password: "p" } });
    expect(listener).not.toHaveBeenCalled();

    await apiClient.GET("/api/users");
    expect(listener).toHaveBeenCalledTimes(1);

    unsubscribe();
    await apiClient.GET("/api/users");
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
