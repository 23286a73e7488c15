export { BrandingProvider } from "./components/BrandingProvider";
export { BrandMark } from "./components/BrandMark";
export { BrandSupport } from "./components/BrandSupport";
export { BrandingRoute } from "./routes/BrandingRoute";
export { useBrand } from "./lib/context";
export { brandingKeys, isBrandingQueryKey } from "./api/keys";
export {
  brandingQueryOptions,
  getBranding,
  useBranding,
  useUpdateBranding,
  useResetBranding,
  useUploadBrandAsset,
  useRemoveBrandAsset,
} from "./api/branding";
export { brandPalette } from "./lib/theme";
export type { BrandPalette } from "./lib/theme";
export { defaultBranding } from "./lib/defaults";
export type { Branding, BrandingUpdate, BrandTheme, BrandAssetKind } from "./lib/types";
