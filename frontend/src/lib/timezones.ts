/** IANA time zones: the names the browser knows, and the browser's own zone. */

/** The browser's list of IANA zone names (empty where `Intl.supportedValuesOf` is missing). */
export function supportedTimeZones(): string[] {
  return typeof Intl.supportedValuesOf === "function"
    ? [...Intl.supportedValuesOf("timeZone")]
    : [];
}

/** IANA time zone names for a picker: the browser's list, plus UTC (which it omits). */
export function timeZoneNames(): string[] {
  const names = supportedTimeZones();
  return names.includes("UTC") ? names : [...names, "UTC"];
}

/**
 * The browser's own zone, when it has an IANA name; otherwise `fallback`.
 * Each caller says what it wants when the browser cannot tell: the site form
 * leaves the field empty (`undefined`), a new tariff starts in "UTC".
 */
export function browserTimeZone(): string | undefined;
export function browserTimeZone(fallback: string): string;
export function browserTimeZone(fallback?: string): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || fallback;
  } catch {
    return fallback;
  }
}
