export { useMe, meQueryKey, meQueryOptions, getMe, isMeQueryKey } from "./api/get-me";
export { useLogin } from "./api/login";
export { useLogout, useLogoutEverywhere } from "./api/logout";
export { RequireAuth, FullPageSpinner } from "./components/RequireAuth";
export { RequireRole, Forbidden } from "./components/RequireRole";
export { UserMenu } from "./components/UserMenu";
export { LoginRoute } from "./routes/LoginRoute";
export { hasRole, roleLabels } from "./lib/roles";
export { LOGIN_PATH, loginPath, safeNextPath } from "./lib/paths";
