/**
 * A virtual meter's terms between the form and the API. The form picks each
 * term's meter from one list of devices and virtual meters, so a choice is a
 * string: `device:<id>` or `meter:<id>`; the API wants `device_id` xor `meter_id`.
 */

export type Sign = 1 | -1;

/** A term as the API reads and writes it. */
export type ApiTerm = { sign: number; device_id?: number | null; meter_id?: number | null };

/** A term as the form holds it (the choice is empty until picked). */
export type FormTerm = { sign: Sign; target?: string };

export function targetOf(term: ApiTerm): string | undefined {
  if (term.device_id != null) return `device:${term.device_id}`;
  if (term.meter_id != null) return `meter:${term.meter_id}`;
  return undefined;
}

export function toFormTerms(terms: readonly ApiTerm[]): FormTerm[] {
  return terms.map((t) => ({ sign: t.sign < 0 ? -1 : 1, target: targetOf(t) }));
}

/** The API's terms; a term without a valid choice is left out (the form requires one). */
export function toApiTerms(
  terms: readonly FormTerm[],
): { sign: Sign; device_id?: number; meter_id?: number }[] {
  const out: { sign: Sign; device_id?: number; meter_id?: number }[] = [];
  for (const term of terms) {
    const match = /^(device|meter):(\d+)$/.exec(term.target ?? "");
    if (!match) continue;
    const id = Number(match[2]);
    out.push(
      match[1] === "device"
        ? { sign: term.sign, device_id: id }
        : { sign: term.sign, meter_id: id },
    );
  }
  return out;
}

/** "Incomer − Building A − Chillers": the formula as the terms are picked (before saving). */
export function formulaPreview(
  terms: readonly FormTerm[],
  names: ReadonlyMap<string, string>,
): string {
  const parts = terms
    .filter((t) => t.target && names.has(t.target))
    .map((t, i) => {
      const name = names.get(t.target!)!;
      if (i === 0) return t.sign < 0 ? `−${name}` : name;
      return `${t.sign < 0 ? "−" : "+"} ${name}`;
    });
  return parts.join(" ");
}
