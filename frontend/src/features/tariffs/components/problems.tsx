import { Form, Typography } from "antd";
import { createContext, useContext } from "react";
import type { CSSProperties, ReactNode } from "react";
import { ProblemIndex } from "../lib/problems";

const ProblemsContext = createContext<ProblemIndex>(ProblemIndex.empty);

export const ProblemsProvider = ProblemsContext.Provider;

/** The editor's current validation problems (live, or from the last save). */
export function useProblems(): ProblemIndex {
  return useContext(ProblemsContext);
}

/**
 * The id of the input a labelled `Field` at `at` labels: give it to the input
 * (`id={fieldId(at)}`) so that the label names it and a click on it focuses it.
 */
export function fieldId(at: string): string {
  return `tariff-${at.replaceAll(".", "-")}`;
}

function testIdOf(at: string): string {
  return `problem-${at.replaceAll(".", "-")}`;
}

/** Messages in red, for a row or a section (fields use `Field`). */
export function ProblemText({ at, style }: { at: string; style?: CSSProperties }) {
  const messages = useProblems().at(at);
  if (messages.length === 0) return null;
  return (
    <div data-testid={testIdOf(at)} data-problem-at={at} style={style}>
      {messages.map((m) => (
        <Typography.Text key={m} type="danger" style={{ display: "block", fontSize: 13 }}>
          {m}
        </Typography.Text>
      ))}
    </div>
  );
}

type FieldProps = {
  label?: ReactNode;
  /** The problem path this field shows: "versions.0.vat_percent". */
  at: string;
  children: ReactNode;
  style?: CSSProperties;
  tooltip?: ReactNode;
  extra?: ReactNode;
};

/**
 * A labelled input that shows the server's problems for its path underneath, in red.
 * The label is for the element whose id is `fieldId(at)`.
 */
export function Field({ label, at, children, style, tooltip, extra }: FieldProps) {
  const messages = useProblems().at(at);
  return (
    <Form.Item
      label={label}
      htmlFor={label ? fieldId(at) : undefined}
      tooltip={tooltip}
      extra={extra}
      style={{ marginBottom: 12, ...style }}
      validateStatus={messages.length ? "error" : undefined}
      help={
        messages.length ? (
          <div data-testid={testIdOf(at)} data-problem-at={at}>
            {messages.map((m) => (
              <div key={m}>{m}</div>
            ))}
          </div>
        ) : undefined
      }
    >
      {children}
    </Form.Item>
  );
}
