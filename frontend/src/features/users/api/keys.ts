/** The users feature's query keys: the one place they are spelled. */
export const userKeys = {
  /** GET /api/users */
  all: ["users"] as const,
};
