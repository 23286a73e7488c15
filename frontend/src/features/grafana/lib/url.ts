import type { GrafanaDashboard, GrafanaTheme } from "./types";

const PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const ABSOLUTE = /^https?:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~\-/]*)?$/;

/** Grafana's URL slug of a title ("Power overview" → "power-overview"). */
export function slugify(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * The base URL without its trailing slash, or `null` when it is not a same-origin
 * path (`/grafana`) or an http(s) URL: the same rule as the server's, so a value
 * that would make a `javascript:` or protocol-relative frame never reaches `src`.
 */
export function normaliseBaseUrl(value: string | null | undefined): string | null {
  const trimmed = (value ?? "").trim();
  if (!PATH.test(trimmed) && !ABSOLUTE.test(trimmed)) return null;
  if (trimmed.startsWith("/")) {
    const segments = trimmed.split("/").slice(1);
    if (trimmed.includes("//") || segments.includes("..") || segments.includes(".")) return null;
  }
  const base = trimmed.replace(/\/+$/, "");
  return base === "" ? null : base;
}

/** True when the base URL is served by this page's own origin (a path, or the same host). */
export function isSameOrigin(baseUrl: string, origin: string = window.location.origin): boolean {
  if (baseUrl.startsWith("/")) return true;
  try {
    return new URL(baseUrl).origin === origin;
  } catch {
    return false;
  }
}

type DashboardRef = Pick<GrafanaDashboard, "uid" | "title"> & { slug?: string | null };

/** `/grafana/d/<uid>/<slug>` (null for an unusable base URL). */
export function dashboardPath(baseUrl: string | null, dashboard: DashboardRef): string | null {
  const base = normaliseBaseUrl(baseUrl);
  if (!base) return null;
  const slug = dashboard.slug || slugify(dashboard.title);
  const uid = encodeURIComponent(dashboard.uid);
  return slug ? `${base}/d/${uid}/${encodeURIComponent(slug)}` : `${base}/d/${uid}`;
}

/** The frame's URL: the dashboard in kiosk mode (no Grafana menus) in the brand's theme. */
export function kioskUrl(
  baseUrl: string | null,
  dashboard: DashboardRef,
  theme: GrafanaTheme,
): string | null {
  const path = dashboardPath(baseUrl, dashboard);
  return path ? `${path}?kiosk&theme=${theme}` : null;
}

/** The same dashboard in Grafana itself (menus, time picker), for a new tab. */
export function grafanaUrl(
  baseUrl: string | null,
  dashboard: DashboardRef,
  theme: GrafanaTheme,
): string | null {
  const path = dashboardPath(baseUrl, dashboard);
  return path ? `${path}?theme=${theme}` : null;
}
