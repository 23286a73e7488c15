import type { BrandTheme, Branding, BrandingUpdate } from "./types";

/** The branding form's fields; optional texts are "" when unset. */
export type BrandingFormValues = {
  product_name: string;
  primary_color: string;
  secondary_color: string;
  theme: BrandTheme;
  tagline: string;
  support_email: string;
  support_url: string;
};

export const BRANDING_FIELDS = [
  "product_name",
  "primary_color",
  "secondary_color",
  "theme",
  "tagline",
  "support_email",
  "support_url",
] as const;

export function toFormValues(branding: Branding): BrandingFormValues {
  return {
    product_name: branding.product_name,
    primary_color: branding.primary_color,
    secondary_color: branding.secondary_color,
    theme: branding.theme,
    tagline: branding.tagline ?? "",
    support_email: branding.support_email ?? "",
    support_url: branding.support_url ?? "",
  };
}

function orNull(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed ? trimmed : null;
}

export function toUpdate(values: BrandingFormValues): BrandingUpdate {
  return {
    product_name: values.product_name.trim(),
    primary_color: values.primary_color.trim().toLowerCase(),
    secondary_color: values.secondary_color.trim().toLowerCase(),
    theme: values.theme,
    tagline: orNull(values.tagline),
    support_email: orNull(values.support_email),
    support_url: orNull(values.support_url),
  };
}
