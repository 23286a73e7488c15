import { brand } from "@/config/brand";
import { isHexColor } from "@/lib/contrast";
import type { Branding } from "./types";

/** The brand before GET /api/branding answers, or when it cannot. */
export const defaultBranding: Branding = {
  product_name: brand.productName,
  primary_color: brand.primaryColor,
  secondary_color: brand.secondaryColor,
  theme: brand.theme,
  tagline: brand.tagline,
  support_email: null,
  support_url: null,
  logo_url: null,
  favicon_url: null,
};

function optionalString(value: unknown): string | null {
  return typeof value === "string" && value ? value : null;
}

/** Only same-origin paths (the server's asset URLs) may become an img src or favicon. */
function sameOriginPath(value: unknown): string | null {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//")
    ? value
    : null;
}

/**
 * A `Branding` from untrusted JSON (a stored copy), or `undefined` when it
 * does not look like one. Bad colours fall back to the defaults.
 */
export function parseBranding(raw: unknown): Branding | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const value = raw as Record<string, unknown>;
  if (typeof value.product_name !== "string" || !value.product_name) return undefined;
  return {
    product_name: value.product_name,
    primary_color: isHexColor(value.primary_color)
      ? value.primary_color
      : defaultBranding.primary_color,
    secondary_color: isHexColor(value.secondary_color)
      ? value.secondary_color
      : defaultBranding.secondary_color,
    theme: value.theme === "dark" ? "dark" : "light",
    tagline: optionalString(value.tagline),
    support_email: optionalString(value.support_email),
    support_url: optionalString(value.support_url),
    logo_url: sameOriginPath(value.logo_url),
    favicon_url: sameOriginPath(value.favicon_url),
  };
}

/** A link target for the support URL: only http(s), whatever the data says. */
export function safeHttpUrl(value: string | null | undefined): string | null {
  return value && /^https?:\/\//i.test(value) ? value : null;
}
