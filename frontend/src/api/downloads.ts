import type { paths } from "./schema";

/** The API's GET routes (a download is one: a plain link, sent with the session cookie). */
export type GetPath = {
  [P in keyof paths]: paths[P]["get"] extends undefined ? never : P;
}[keyof paths];

/** The names of a route's `{placeholders}`: "/api/sites/{site_id}/bill.pdf" → "site_id". */
export type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;

/**
 * The URL of a file the API serves (a PDF, a workbook, a CSV), for an `<a href download>`:
 * the browser downloads the server's attachment with the session cookie (a GET needs no CSRF
 * header). The route is checked against the typed client, so a link to a route the API does
 * not have does not compile. Query values left `undefined` are left out.
 *
 *     downloadUrl("/api/sites/{site_id}/bill.pdf", { site_id: 3 }, { start, end })
 */
export function downloadUrl<P extends GetPath>(
  path: P,
  params: Record<PathParamNames<P>, number | string>,
  query: Record<string, string | number | undefined> = {},
): string {
  const values = params as Record<string, number | string>;
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`downloadUrl: no value for {${name}} in ${path}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${filled}?${text}` : filled;
}
