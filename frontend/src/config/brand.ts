/**
 * The default white-label brand: what the portal shows until (or unless)
 * an admin sets its own in Settings → Branding (GET /api/branding). Matches
 * the server's defaults, so the first paint does not flash another brand.
 *
 * Components read the live brand with `useBrand()` (features/branding);
 * these constants are the fallback when the API cannot be asked.
 */
export const brand = {
  productName: "Power Portal",
  primaryColor: "#1677ff",
  secondaryColor: "#13c2c2",
  theme: "light",
  tagline: "Energy you can see, costs you can trust.",
  /** Served from frontend/public; used when no favicon was uploaded. */
  faviconUrl: "/favicon.svg",
} as const;
