import { ApiError } from "@/api/client";
import type { GrafanaDashboard, GrafanaSettings, GrafanaSettingsUpdate } from "./types";

export type DashboardFormValue = {
  title: string;
  uid: string;
  slug?: string | null;
  height?: number | null;
};
export type GrafanaFormValues = { base_url: string; dashboards: DashboardFormValue[] };

export function toFormValues(settings: GrafanaSettings): GrafanaFormValues {
  return {
    base_url: settings.base_url ?? "",
    dashboards: settings.dashboards.map(toFormDashboard),
  };
}

export function toFormDashboard(dashboard: GrafanaDashboard): DashboardFormValue {
  return {
    title: dashboard.title,
    uid: dashboard.uid,
    slug: dashboard.slug,
    height: dashboard.height ?? null,
  };
}

/** The PUT body: an empty base URL switches Grafana off; an empty slug is derived by the server. */
export function toUpdate(values: GrafanaFormValues): GrafanaSettingsUpdate {
  return {
    base_url: values.base_url.trim() || null,
    dashboards: (values.dashboards ?? []).map((d) => ({
      title: d.title.trim(),
      uid: d.uid.trim(),
      slug: d.slug?.trim() || null,
      height: d.height ?? null,
    })),
  };
}

/** A 422 problem located in the body, as an antd form field path (`["dashboards", 0, "uid"]`). */
export type FieldPathProblem = { name: (string | number)[]; message: string };

/**
 * The body-located problems of a 422 answer, with their full paths, so a problem of the
 * second dashboard's uid lands on that row's uid field (the shared helper keeps only the
 * top-level field name).
 */
export function fieldPathProblems(error: unknown): FieldPathProblem[] {
  if (!(error instanceof ApiError) || error.status !== 422) return [];
  const body = error.body;
  if (!body || typeof body !== "object" || !("detail" in body)) return [];
  const detail = body.detail;
  if (!Array.isArray(detail)) return [];
  const problems: FieldPathProblem[] = [];
  for (const item of detail) {
    if (!item || typeof item !== "object") continue;
    const { loc, msg } = item as { loc?: unknown; msg?: unknown };
    if (!Array.isArray(loc) || loc[0] !== "body" || loc.length < 2 || typeof msg !== "string") {
      continue;
    }
    const name = loc
      .slice(1)
      .filter((part): part is string | number => ["string", "number"].includes(typeof part));
    problems.push({ name, message: msg.replace(/^Value error, /, "") });
  }
  return problems;
}
