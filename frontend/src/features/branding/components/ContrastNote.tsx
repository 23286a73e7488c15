import { Alert, Typography } from "antd";
import {
  contrastRatio,
  formatRatio,
  isHexColor,
  MIN_TEXT_CONTRAST,
  whiteTextTooFaint,
} from "../lib/contrast";

/**
 * White text sits on the primary colour (buttons, the header). Below WCAG AA
 * (4.5:1) it warns; the admin may still save.
 */
export function ContrastNote({ primary }: { primary: string | undefined }) {
  if (!isHexColor(primary)) return null;
  const ratio = formatRatio(contrastRatio("#ffffff", primary));
  if (whiteTextTooFaint(primary)) {
    return (
      <Alert
        data-testid="contrast-warning"
        type="warning"
        showIcon
        title={`White text on ${primary} is hard to read (contrast ${ratio})`}
        description={`Buttons and the header show white text on the primary colour. WCAG AA asks for at least ${MIN_TEXT_CONTRAST}:1; choose a darker colour.`}
        style={{ marginBottom: 16 }}
      />
    );
  }
  return (
    <Typography.Paragraph type="secondary" data-testid="contrast-ok" style={{ marginTop: -8 }}>
      White text on the primary colour: contrast {ratio} (meets WCAG AA).
    </Typography.Paragraph>
  );
}
