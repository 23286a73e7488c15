import { ColorPicker, Input, Space } from "antd";
import { isHexColor } from "@/lib/contrast";

type ColorFieldProps = {
  /** `#rrggbb` (possibly half-typed); set by Form.Item. */
  value?: string;
  onChange?: (value: string) => void;
  /** Set by Form.Item, so the label points at the text input. */
  id?: string;
  testId: string;
};

/** A colour as a picker and as editable hex text, both bound to one form field. */
export function ColorField({ value, onChange, id, testId }: ColorFieldProps) {
  return (
    <Space.Compact>
      <ColorPicker
        data-testid={`${testId}-picker`}
        value={isHexColor(value) ? value : undefined}
        disabledAlpha
        format="hex"
        onChange={(color) => onChange?.(color.toHexString())}
      />
      <Input
        id={id}
        data-testid={`${testId}-input`}
        value={value}
        onChange={(event) => onChange?.(event.target.value.trim())}
        maxLength={7}
        spellCheck={false}
        autoComplete="off"
        style={{ width: 110, fontFamily: "monospace" }}
      />
    </Space.Compact>
  );
}
