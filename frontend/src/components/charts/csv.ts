/** CSV for the charts' "Export CSV" buttons: RFC 4180, built from the data the chart shows. */

export type CsvValue = string | number | null | undefined;

export type CsvTable = {
  header: readonly string[];
  rows: readonly (readonly CsvValue[])[];
};

/** One cell: numbers as plain decimals (no thousands separators), empty for no data. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  // Quote when needed; a leading =,+,-,@ (or tab, CR) is neutralised so spreadsheets don't run it.
  const text = /^[=+\-@\t\r]/.test(value) && Number.isNaN(Number(value)) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: a header row, then one line per row, CRLF line ends. */
export function buildCsv({ header, rows }: CsvTable): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** A file name from parts: lower case, safe characters only. */
export function csvFileName(...parts: string[]): string {
  const slug = parts
    .map((p) =>
      p
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, "-")
        .replace(/^-+|-+$/g, ""),
    )
    .filter(Boolean)
    .join("_");
  return `${slug || "export"}.csv`;
}

/** Offer `content` as a download (a Blob URL on a temporary link). */
export function downloadCsv(fileName: string, content: string): void {
  const blob = new Blob([content], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoke later: Chromium reads the blob after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
