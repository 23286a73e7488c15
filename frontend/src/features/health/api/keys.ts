/** The health feature's query keys: the one place they are spelled. */
export const healthKeys = {
  /** GET /api/health */
  all: ["health"] as const,
};
