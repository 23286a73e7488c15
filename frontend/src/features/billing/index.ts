export { BillsRoute } from "./routes/BillsRoute";
export { MonthCostCard } from "./components/MonthCostCard";
export { DailyCostChart } from "./components/DailyCostChart";
export { BillTable } from "./components/BillTable";
export { BillLetterhead } from "./components/BillLetterhead";
export { BillUnavailable } from "./components/BillUnavailable";
export { useBill, billCsvUrl, useMonthCost, useDailyCosts } from "./api/billing";
export { billingKeys } from "./api/keys";
export {
  billUnavailable,
  formatAmount,
  formatMoney,
  formatBillPeriod,
  lastFullMonth,
  monthSpan,
} from "./lib/format";
export type { Bill, BillLine, DailyCosts, MonthCost } from "./lib/types";
