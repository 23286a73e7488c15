export { TariffsRoute } from "./routes/TariffsRoute";
export { TariffEditorRoute } from "./routes/TariffEditorRoute";
export { useTariffs, useTariff, useAssignTariff } from "./api/tariffs";
export { tariffKeys } from "./api/keys";
export type { TariffDraft, TariffSummary, TariffRead } from "./lib/types";
