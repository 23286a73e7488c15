import type { Schemas } from "@/api/types";

export type Branding = Schemas["BrandingRead"];
export type BrandingUpdate = Schemas["BrandingUpdate"];
export type BrandTheme = Branding["theme"];
export type BrandAssetKind = "logo" | "favicon";
