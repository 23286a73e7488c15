export { HealthCard } from "./components/HealthCard";
export { useHealth, healthQueryOptions, getHealth } from "./api/get-health";
export { healthKeys } from "./api/keys";
