/** The app-config feature's query keys: the one place they are spelled. */
export const appConfigKeys = {
  /** GET /api/config */
  all: ["app-config"] as const,
};
