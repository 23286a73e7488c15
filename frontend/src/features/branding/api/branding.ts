import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiClient, unwrap } from "@/api/client";
import { readStoredBranding } from "../lib/storage";
import { brandingKeys } from "./keys";
import type { BrandAssetKind, Branding, BrandingUpdate } from "../lib/types";

/** GET /api/branding (public: the login page needs it too). */
export async function getBranding(signal?: AbortSignal): Promise<Branding> {
  return unwrap(await apiClient.GET("/api/branding", { signal }));
}

export const brandingQueryOptions = () =>
  queryOptions<Branding>({
    queryKey: brandingKeys.all,
    queryFn: ({ signal }) => getBranding(signal),
    // Changes made here update the cache directly; another admin's change shows on reload.
    staleTime: 5 * 60_000,
    // Until the server answers, the brand of the last visit (see lib/storage).
    placeholderData: (): Branding | undefined => readStoredBranding(),
  });

/** The portal's brand as the server has it (`data` is a stored copy while loading). */
export function useBranding() {
  return useQuery(brandingQueryOptions());
}

/**
 * Every branding change answers with the new brand: put it in the cache, and every page
 * shows it.
 */
function useSetBranding() {
  const queryClient = useQueryClient();
  return (branding: Branding) => queryClient.setQueryData(brandingKeys.all, branding);
}

/** PUT /api/branding (admin). */
export function useUpdateBranding() {
  const setBranding = useSetBranding();
  return useMutation({
    mutationFn: async (body: BrandingUpdate): Promise<Branding> =>
      unwrap(await apiClient.PUT("/api/branding", { body })),
    onSuccess: setBranding,
  });
}

/** DELETE /api/branding (admin): back to the defaults, logo and favicon removed. */
export function useResetBranding() {
  const setBranding = useSetBranding();
  return useMutation({
    mutationFn: async (): Promise<Branding> => unwrap(await apiClient.DELETE("/api/branding")),
    onSuccess: setBranding,
  });
}

/**
 * The OpenAPI document types a binary multipart part as `string`; at run
 * time the part is the browser's `File`, sent as `multipart/form-data`
 * (openapi-fetch leaves the Content-Type to the browser for a FormData
 * body, and the client's CSRF and session middleware apply as usual).
 */
type MultipartFile = { file: string };

function asFormData(body: MultipartFile): FormData {
  const form = new FormData();
  form.append("file", body.file as unknown as Blob);
  return form;
}

/** POST /api/branding/logo|favicon (admin), multipart field `file`. */
export async function uploadBrandAsset(kind: BrandAssetKind, file: File): Promise<Branding> {
  const body = { file } as unknown as MultipartFile;
  const options = { body, bodySerializer: asFormData };
  return unwrap(
    kind === "logo"
      ? await apiClient.POST("/api/branding/logo", options)
      : await apiClient.POST("/api/branding/favicon", options),
  );
}

export function useUploadBrandAsset(kind: BrandAssetKind) {
  const setBranding = useSetBranding();
  return useMutation({
    mutationFn: (file: File) => uploadBrandAsset(kind, file),
    onSuccess: setBranding,
  });
}

/** DELETE /api/branding/logo|favicon (admin). */
export function useRemoveBrandAsset(kind: BrandAssetKind) {
  const setBranding = useSetBranding();
  return useMutation({
    mutationFn: async (): Promise<Branding> =>
      unwrap(
        kind === "logo"
          ? await apiClient.DELETE("/api/branding/logo")
          : await apiClient.DELETE("/api/branding/favicon"),
      ),
    onSuccess: setBranding,
  });
}
