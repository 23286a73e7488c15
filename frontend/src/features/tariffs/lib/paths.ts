/** Where the tariff pages live in the app. */
export const RATES_PATH = "/settings/rates";
