import { ApiError } from "./client";

/** One field problem from a 422 answer: `{loc: ["body", "email"], msg, type}`. */
export type FieldProblem = { field: string; message: string };

function detailOf(error: unknown): unknown {
  if (!(error instanceof ApiError)) return undefined;
  const body = error.body;
  if (body && typeof body === "object" && "detail" in body) {
    return body.detail;
  }
  return undefined;
}

/** Pydantic prefixes custom validator messages; the user does not need that. */
function cleanMessage(msg: string): string {
  return msg.replace(/^Value error, /, "");
}

/**
 * The field problems of a 422 answer, for `Form.setFields`. Only problems
 * located in the request body (`loc[0] === "body"`) name a form field.
 */
export function fieldProblems(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError) || error.status !== 422) return [];
  const detail = detailOf(error);
  if (!Array.isArray(detail)) return [];
  const problems: FieldProblem[] = [];
  for (const item of detail) {
    if (!item || typeof item !== "object") continue;
    const { loc, msg } = item as { loc?: unknown; msg?: unknown };
    if (!Array.isArray(loc) || typeof msg !== "string") continue;
    if (loc[0] === "body" && typeof loc[1] === "string") {
      problems.push({ field: loc[1], message: cleanMessage(msg) });
    }
  }
  return problems;
}

/** A sentence for the user describing why a request failed. */
export function errorMessage(
  error: unknown,
  fallback = "Something went wrong. Please try again.",
): string {
  const detail = detailOf(error);
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail)) {
    const messages = fieldProblems(error).map((p) => `${p.field}: ${p.message}`);
    if (messages.length) return messages.join("; ");
  }
  if (error instanceof ApiError) {
    if (error.status === 403) return "You are not allowed to do this.";
    if (error.status >= 500) return "The portal had a problem handling this request.";
    return fallback;
  }
  if (error instanceof TypeError) return "The portal API is unreachable. Check your connection.";
  return fallback;
}
