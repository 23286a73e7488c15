export { DashboardRoute } from "./routes/DashboardRoute";
export { dashboardKeys } from "./api/keys";
