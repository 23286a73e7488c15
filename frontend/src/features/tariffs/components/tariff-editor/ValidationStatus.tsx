import { CheckCircleFilled, CloseCircleFilled, LoadingOutlined } from "@ant-design/icons";
import { Tag } from "antd";
import { problemCount } from "./editor-state";
import type { ValidationState } from "./editor-state";

/** The live validation badge: checking, valid, n problems, or not checked (the check failed). */
export function ValidationStatus({ state, count }: { state: ValidationState; count: number }) {
  const content = {
    checking: { icon: <LoadingOutlined />, color: "processing", text: "Checking…" },
    valid: { icon: <CheckCircleFilled />, color: "success", text: "Valid" },
    invalid: { icon: <CloseCircleFilled />, color: "error", text: problemCount(count) },
    unknown: { icon: null, color: "default", text: "Not checked" },
  }[state];
  return (
    <Tag
      data-testid="tariff-validation"
      data-state={state}
      icon={content.icon}
      color={content.color}
      style={{ marginInlineEnd: 0 }}
    >
      {content.text}
    </Tag>
  );
}
