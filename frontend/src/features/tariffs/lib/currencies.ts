/** Currencies offered first in the tariff's currency field (any ISO 4217 code may be typed). */
export const COMMON_CURRENCIES = [
  "ZAR",
  "USD",
  "EUR",
  "GBP",
  "NAD",
  "BWP",
  "KES",
  "NGN",
  "AUD",
  "CAD",
  "INR",
];
