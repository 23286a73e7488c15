import { useHealth } from "@/features/health";
import type { RunMode } from "../types";

/** The stack's run mode from GET /api/health (undefined while unknown). */
export function useRunMode(): RunMode | undefined {
  return useHealth().data?.run_mode;
}
