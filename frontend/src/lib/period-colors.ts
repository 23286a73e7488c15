/** Colours of tariff periods (peak, standard, …): the week grid, its palette, the cost charts. */

const KNOWN: Record<string, string> = {
  peak: "#e5484d",
  standard: "#f5a524",
  "off-peak": "#30a46c",
  offpeak: "#30a46c",
  "off peak": "#30a46c",
};

const OTHERS = ["#3e63dd", "#8e4ec6", "#12a594", "#d6409f", "#978365", "#0090ff", "#ad7f58"];

/** A stable colour per period name: the usual TOU names get their usual colours. */
export function periodColor(name: string, names: readonly string[] = []): string {
  const known = KNOWN[name.trim().toLowerCase()];
  if (known) return known;
  const unknown = names.filter((n) => !KNOWN[n.trim().toLowerCase()]);
  const index = unknown.indexOf(name);
  if (index >= 0) return OTHERS[index % OTHERS.length]!;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return OTHERS[hash % OTHERS.length]!;
}
