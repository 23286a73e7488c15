import { parseBranding } from "./defaults";
import type { Branding } from "./types";

/**
 * The last brand the server sent, kept in localStorage so the next visit
 * paints the right name, colours and logo at once instead of flashing the
 * defaults while GET /api/branding is under way. The brand is public
 * (the login page shows it), so storing it leaks nothing.
 */
export const BRANDING_STORAGE_KEY = "power-portal.branding";

export function readStoredBranding(): Branding | undefined {
  try {
    const raw = window.localStorage.getItem(BRANDING_STORAGE_KEY);
    return raw ? parseBranding(JSON.parse(raw)) : undefined;
  } catch {
    return undefined; // storage disabled, or not JSON
  }
}

export function storeBranding(branding: Branding): void {
  try {
    window.localStorage.setItem(BRANDING_STORAGE_KEY, JSON.stringify(branding));
  } catch {
    // storage full or disabled: the next visit just starts from the defaults
  }
}
