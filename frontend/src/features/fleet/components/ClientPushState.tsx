import { useRunMode } from "../api/run-mode";
import { PushStateCard } from "./PushStateCard";

/**
 * The "Fleet push" card on a client stack, nothing elsewhere: drop it into any page
 * (e.g. Settings → App config) without checking the run mode there.
 */
export function ClientPushState() {
  return useRunMode() === "client" ? <PushStateCard /> : null;
}
