import { createContext, useContext } from "react";
import { defaultBranding } from "./defaults";
import type { Branding } from "./types";

export const BrandContext = createContext<Branding>(defaultBranding);

/**
 * The live brand (name, colours incl. the secondary accent, logo, support
 * contacts). Outside `BrandingProvider` it is the default brand.
 */
export function useBrand(): Branding {
  return useContext(BrandContext);
}
