import { useQueryClient } from "@tanstack/react-query";
import type { QueryKey } from "@tanstack/react-query";
import { ConfigProvider } from "antd";
import { useEffect, useMemo, useReducer, type ReactNode } from "react";
import { brand } from "@/config/brand";
import { useBranding } from "../api/branding";
import { isBrandingQueryKey } from "../api/keys";
import { BrandContext } from "../lib/context";
import { defaultBranding } from "../lib/defaults";
import { storeBranding } from "../lib/storage";
import { brandThemeConfig } from "../lib/theme";

/** Point the page's `<link rel="icon">` at `href` (creating the link if index.html had none). */
function setFavicon(href: string) {
  let link = document.head.querySelector<HTMLLinkElement>('link[rel~="icon"]');
  if (!link) {
    link = document.createElement("link");
    link.rel = "icon";
    document.head.append(link);
  }
  if (link.getAttribute("href") !== href) link.setAttribute("href", href);
}

/**
 * The login page and the login itself empty the query cache (nothing of one
 * session may reach the next), the brand included. This provider outlives
 * both, so it re-reads the brand when its query is dropped; otherwise it
 * would keep watching the dropped query and miss later changes.
 */
function useFollowBrandingQueryRemoval() {
  const queryClient = useQueryClient();
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(
    () =>
      queryClient.getQueryCache().subscribe((event) => {
        if (event.type === "removed" && isBrandingQueryKey(event.query.queryKey as QueryKey))
          rerender();
      }),
    [queryClient],
  );
}

/**
 * Applies the portal's brand (GET /api/branding) everywhere: antd theme
 * tokens (primary colour, dark algorithm), the document title, the favicon,
 * and `useBrand()` for the components that show the name, logo or accent.
 * A saved change lands in the query cache and shows at once, on every page.
 */
export function BrandingProvider({ children }: { children: ReactNode }) {
  useFollowBrandingQueryRemoval();
  const { data, isPlaceholderData } = useBranding();
  const branding = data ?? defaultBranding;
  const { product_name, favicon_url, primary_color, theme } = branding;

  useEffect(() => {
    if (data && !isPlaceholderData) storeBranding(data);
  }, [data, isPlaceholderData]);

  useEffect(() => {
    document.title = product_name;
  }, [product_name]);

  useEffect(() => {
    setFavicon(favicon_url ?? brand.faviconUrl);
  }, [favicon_url]);

  const themeConfig = useMemo(
    () => brandThemeConfig({ primary_color, theme }),
    [primary_color, theme],
  );

  return (
    <BrandContext.Provider value={branding}>
      <ConfigProvider theme={themeConfig}>{children}</ConfigProvider>
    </BrandContext.Provider>
  );
}
