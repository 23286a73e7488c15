export { TariffsRoute } from "./routes/TariffsRoute";
export { TariffEditorRoute } from "./routes/TariffEditorRoute";
export {
  useTariffs,
  useTariff,
  useAssignTariff,
  tariffsQueryKey,
  tariffQueryKey,
} from "./api/tariffs";
export type { TariffDraft, TariffSummary, TariffRead } from "./lib/types";
