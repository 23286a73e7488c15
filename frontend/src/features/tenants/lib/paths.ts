/** The tenants feature's URLs. */

export const TENANTS_PATH = "/tenants";

/** One tenant's bill of a month: "/tenants/3/bill?month=2026-06". */
export function tenantBillPath(tenantId: number, month: string): string {
  return `${TENANTS_PATH}/${tenantId}/bill?month=${month}`;
}

/**
 * The pages a tenant user may open: the portal's home and its bill pages. Anything else in
 * the app is for the site's staff (and the API refuses it anyway).
 */
export function portalAllows(pathname: string): boolean {
  if (pathname === "/" || pathname === "") return true;
  return /^\/tenants\/\d+\/bill\/?$/.test(pathname);
}
