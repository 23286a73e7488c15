import { errorMessage, fieldProblems } from "@/api/errors";

/**
 * The sentence to show for a refused change outside a form (a drop on the
 * tree, a role picked in place): the API's own words, without the field name.
 */
export function refusal(error: unknown): string {
  const problems = fieldProblems(error);
  return problems.length > 0 ? problems.map((p) => p.message).join("; ") : errorMessage(error);
}
