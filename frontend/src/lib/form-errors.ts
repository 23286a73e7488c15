import type { FormInstance } from "antd";
import { errorMessage, fieldProblems } from "@/api/errors";

/**
 * Show a failed request's errors on a form: 422 field problems go next to
 * the matching field (`Form.setFields`); everything else — problems for
 * fields the form does not have, 409s, 403s, network failures — comes back
 * as one sentence for an alert. Returns `null` when every problem landed on
 * a field.
 */
export function applyServerErrors<Values>(
  form: FormInstance<Values>,
  error: unknown,
  fieldNames: readonly string[],
): string | null {
  const problems = fieldProblems(error);
  if (problems.length === 0) return errorMessage(error);
  const onFields = problems.filter((p) => fieldNames.includes(p.field));
  const elsewhere = problems.filter((p) => !fieldNames.includes(p.field));
  const byField = new Map<string, string[]>();
  for (const p of onFields) byField.set(p.field, [...(byField.get(p.field) ?? []), p.message]);
  form.setFields([...byField].map(([name, errors]) => ({ name: name as never, errors })));
  if (elsewhere.length === 0) return null;
  return elsewhere.map((p) => `${p.field}: ${p.message}`).join("; ");
}
