import { Alert, Typography } from "antd";
import { formatRatio, isHexColor, MIN_TEXT_CONTRAST, WHITE } from "@/lib/contrast";
import { brandPalette, type BrandPalette } from "../lib/theme";
import type { BrandTheme } from "../lib/types";

function textName(text: string): string {
  return text === WHITE ? "white" : "near-black";
}

function verdict(ratio: number): string {
  return ratio >= MIN_TEXT_CONTRAST ? "passes" : "fails";
}

type Measure = { key: string; label: string; ratio: number };

function measures({ header, button, link, linkRatio }: BrandPalette): Measure[] {
  return [
    {
      key: "header",
      label: `Header: ${textName(header.text)} text on ${header.background}`,
      ratio: header.ratio,
    },
    {
      key: "button",
      label: `Primary buttons: ${textName(button.text)} text on ${button.background}`,
      ratio: button.ratio,
    },
    { key: "link", label: `Links: ${link} on the page`, ratio: linkRatio },
  ];
}

/** What the theme changed to keep every text at 4.5:1, in words; empty when nothing. */
export function contrastChanges(palette: BrandPalette): string[] {
  const { primary, header, button, link, linkRatio } = palette;
  const changes: string[] = [];
  if (header.background !== primary)
    changes.push(
      `The header uses ${header.background} instead of ${primary} so its white text reads at ${formatRatio(header.ratio)}.`,
    );
  if (button.background !== primary)
    changes.push(
      `Buttons use ${button.background} instead of ${primary} so ${textName(button.text)} text reads at ${formatRatio(button.ratio)}.`,
    );
  else if (button.text !== WHITE)
    changes.push(
      `Buttons keep ${primary} with near-black text (${formatRatio(button.ratio)}): white text would be too faint on it.`,
    );
  if (link !== primary)
    changes.push(
      `Links and selected items use ${link} instead of ${primary} so they read at ${formatRatio(linkRatio)} on the page.`,
    );
  return changes;
}

/**
 * The contrast of the text the theme puts on the primary colour (header,
 * buttons) and of the colour as link text, and what the theme changed to
 * reach WCAG AA (4.5:1). It explains; it never stops a save.
 */
export function ContrastNote({
  primary,
  mode = "light",
}: {
  primary: string | undefined;
  mode?: BrandTheme;
}) {
  if (!isHexColor(primary)) return null;
  const palette = brandPalette({ primary_color: primary, theme: mode });
  const changes = contrastChanges(palette);
  const table = (
    <ul data-testid="contrast-measures" style={{ margin: 0, paddingInlineStart: 20 }}>
      {measures(palette).map((m) => (
        <li key={m.key} data-testid={`contrast-${m.key}`} data-ratio={m.ratio}>
          {m.label}: {formatRatio(m.ratio)}, {verdict(m.ratio)} WCAG AA
        </li>
      ))}
    </ul>
  );
  if (changes.length > 0) {
    return (
      <Alert
        data-testid="contrast-warning"
        type="info"
        showIcon
        title={`The theme adjusted ${primary} so every text reads at ${MIN_TEXT_CONTRAST}:1 or more`}
        description={
          <>
            <ul
              data-testid="contrast-changes"
              style={{ margin: "0 0 8px", paddingInlineStart: 20 }}
            >
              {changes.map((change) => (
                <li key={change}>{change}</li>
              ))}
            </ul>
            {table}
          </>
        }
        style={{ marginBottom: 16 }}
      />
    );
  }
  return (
    <Typography.Paragraph type="secondary" data-testid="contrast-ok" style={{ marginTop: -8 }}>
      Used as it is: every text on and in the primary colour meets WCAG AA.
      {table}
    </Typography.Paragraph>
  );
}
