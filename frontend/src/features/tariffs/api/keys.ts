import type { TariffDraft } from "../lib/types";

/** The tariffs feature's query keys: the one place they are spelled. */
export const tariffKeys = {
  /** GET /api/tariffs; a change refreshes the list and every tariff under it. */
  all: ["tariffs"] as const,
  /** GET /api/tariffs/{id} */
  detail: (tariffId: number) => [...tariffKeys.all, tariffId] as const,
  /**
   * POST /api/tariffs/validate for one draft. Outside `all` on purpose: saving a
   * tariff must not re-run the editor's validation.
   */
  validation: (draft: TariffDraft) => ["tariff-validation", draft] as const,
};
