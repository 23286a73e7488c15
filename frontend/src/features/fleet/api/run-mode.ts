import { useHealth } from "@/features/health";
import type { RunMode } from "../types";

/** The stack's run mode from GET /api/health (undefined while unknown). */
export function useRunMode(): RunMode | undefined {
  // GET /api/health tells the run mode to a signed-in caller only (absent when signed out).
  return useHealth().data?.run_mode ?? undefined;
}
