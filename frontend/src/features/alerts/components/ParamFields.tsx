import { Col, Form, InputNumber, Row, Select } from "antd";
import { KINDS } from "../lib/kinds";
import type { ParamField } from "../lib/kinds";
import type { RuleKind } from "../types";
import { WindowsField } from "./WindowsField";

function NumberParam({ field }: { field: Extract<ParamField, { type: "number" }> }) {
  return (
    <Form.Item
      name={field.name}
      label={field.label}
      extra={field.help}
      rules={[
        ...(field.required
          ? [{ required: true, message: `Give the ${field.label.toLowerCase()}` }]
          : []),
        ...(field.integer ? [{ type: "integer" as const, message: "A whole number" }] : []),
      ]}
    >
      <InputNumber
        data-testid={`rule-param-${field.name}`}
        min={field.min}
        max={field.max}
        step={field.step}
        precision={field.integer ? 0 : undefined}
        suffix={field.suffix}
        style={{ width: "100%" }}
      />
    </Form.Item>
  );
}

/** The fields of the kind's parameters (offline: minutes; demand above: unit, threshold…). */
export function ParamFields({ kind }: { kind: RuleKind }) {
  const fields = KINDS[kind].params;
  const windows = fields.filter((f) => f.type === "windows");
  const others = fields.filter((f) => f.type !== "windows");
  return (
    <>
      {windows.map((field) => (
        <WindowsField
          key={field.name}
          name={field.name}
          label={field.label}
          help={field.help}
          required
          addText="Add working hours"
          testId={`rule-param-${field.name}`}
        />
      ))}
      <Row gutter={12}>
        {others.map((field) => (
          <Col key={field.name} xs={24} sm={others.length >= 3 ? 8 : 12}>
            {field.type === "select" ? (
              <Form.Item name={field.name} label={field.label} extra={field.help}>
                <Select data-testid={`rule-param-${field.name}`} options={[...field.options]} />
              </Form.Item>
            ) : field.type === "number" ? (
              <NumberParam field={field} />
            ) : null}
          </Col>
        ))}
      </Row>
    </>
  );
}
