export { VirtualMetersCard } from "./components/VirtualMetersCard";
export { useVirtualMeters } from "./api/virtual-meters";
export { virtualMeterKeys } from "./api/keys";
export type { VirtualMeter } from "./types";
