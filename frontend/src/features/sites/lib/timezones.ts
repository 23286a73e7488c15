/** IANA time zone names for the site form: the browser's list (plus UTC, which it omits). */
export function timeZoneNames(): string[] {
  const names =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return names.includes("UTC") ? [...names] : [...names, "UTC"];
}

/** The browser's own zone, when it has an IANA name. */
export function browserTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}
