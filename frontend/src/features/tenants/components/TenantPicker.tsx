import { useQueries } from "@tanstack/react-query";
import { Select } from "antd";
import { apiClient, unwrap } from "@/api/client";
import { useSites } from "@/features/sites";
import { tenantKeys } from "../api/keys";
import type { Tenant } from "../types";

type Props = {
  value?: number | null;
  onChange?: (tenantId: number) => void;
  id?: string;
  "data-testid"?: string;
};

/** Pick a tenant of any site (grouped by site): for a tenant user's account (a form control). */
export function TenantPicker({ value, onChange, id, "data-testid": testId }: Props) {
  const sites = useSites();
  const tenants = useQueries({
    queries: (sites.data ?? []).map((site) => ({
      queryKey: tenantKeys.ofSite(site.id),
      queryFn: async ({ signal }: { signal: AbortSignal }): Promise<Tenant[]> =>
        unwrap(
          await apiClient.GET("/api/sites/{site_id}/tenants", {
            params: { path: { site_id: site.id } },
            signal,
          }),
        ),
    })),
  });
  const options = (sites.data ?? [])
    .map((site, i) => ({
      label: site.name,
      options: (tenants[i]?.data ?? []).map((t) => ({ value: t.id, label: t.name })),
    }))
    .filter((group) => group.options.length > 0);
  return (
    <Select<number>
      id={id}
      data-testid={testId}
      value={value ?? undefined}
      onChange={(tenantId) => onChange?.(tenantId)}
      placeholder="The tenant this account belongs to"
      loading={sites.isPending || tenants.some((t) => t.isPending)}
      options={options}
      showSearch={{ optionFilterProp: "label" }}
      notFoundContent="No tenants yet: add them on the Tenants page"
    />
  );
}
