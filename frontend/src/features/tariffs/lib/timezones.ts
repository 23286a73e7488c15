/** IANA time zone names: the browser's list (plus UTC, which it omits). */
export function timeZoneNames(): string[] {
  const names = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return names.includes("UTC") ? [...names] : [...names, "UTC"];
}

/** The browser's own zone, when it has an IANA name. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export const COMMON_CURRENCIES = ["ZAR", "USD", "EUR", "GBP", "NAD", "BWP", "KES", "NGN", "AUD", "CAD", "INR"];
