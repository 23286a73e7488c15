import { formatDateTimeIn } from "@/components/data-display/format";
import type { Customer } from "../types";

/** Which token the customer's latest push came with, in words. */
export function lastTokenUsed(customer: Pick<Customer, "last_token_used">): string {
  if (customer.last_token_used === "previous") return "the old token (replaced by a rotation)";
  if (customer.last_token_used === "current") return "the current token";
  return "none yet";
}

type OldToken = Pick<
  Customer,
  "previous_token_expires_at" | "previous_token_accepted" | "previous_token_last_used_at"
>;

/** The token the last rotation replaced: accepted until when (the server decides), or refused
 * since when, and its last use. */
export function oldTokenState(customer: OldToken): string {
  const until = customer.previous_token_expires_at;
  if (until == null) return "—";
  const state = customer.previous_token_accepted ? "accepted until" : "refused since";
  return `${state} ${formatDateTimeIn(until)}; last used ${formatDateTimeIn(
    customer.previous_token_last_used_at,
  )}`;
}
