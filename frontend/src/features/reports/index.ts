export { ReportsRoute } from "./routes/ReportsRoute";
export { reportKeys } from "./api/keys";
export { REPORTS_PATH } from "./lib/paths";
export type { Run, Schedule, SiteReport } from "./types";
