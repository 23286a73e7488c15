import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Form, Input, Select, Typography } from "antd";
import type { ReactNode } from "react";
import { DAY_LABELS, DAYS, isClock, isEndClock, windowsProblem } from "../lib/windows";
import type { WindowRow } from "../lib/windows";

type Props = {
  /** The form field (a list of windows): "quiet_hours", "schedule". */
  name: string;
  label: ReactNode;
  help?: ReactNode;
  /** At least one window (working hours); quiet hours may be none. */
  required?: boolean;
  addText: string;
  testId: string;
};

/** Weekly windows: days, start and end ("HH:MM"; the end may be 24:00), checked as the API does. */
export function WindowsField({ name, label, help, required, addText, testId }: Props) {
  return (
    <Form.List
      name={name}
      rules={[
        {
          validator: async (_, rows: WindowRow[] | undefined) => {
            if (required && (!rows || rows.length === 0))
              throw new Error("Add at least one window");
            const problem = windowsProblem(rows);
            if (problem) throw new Error(problem);
            return Promise.resolve();
          },
        },
      ]}
    >
      {(fields, { add, remove }, { errors }) => (
        <Form.Item label={label} extra={help} data-testid={testId} style={{ marginBottom: 16 }}>
          <Flex vertical gap={8}>
            {fields.length === 0 && (
              <Typography.Text type="secondary" data-testid={`${testId}-none`}>
                None
              </Typography.Text>
            )}
            {fields.map((field, index) => (
              <Flex key={field.key} gap={8} align="flex-start" data-testid={`${testId}-${index}`}>
                <Form.Item
                  name={[field.name, "days"]}
                  rules={[{ required: true, message: "Pick the days" }]}
                  style={{ marginBottom: 0, flex: 1, minWidth: 200 }}
                >
                  <Select
                    mode="multiple"
                    aria-label="Days"
                    placeholder="Days"
                    data-testid={`${testId}-${index}-days`}
                    options={DAYS.map((d) => ({ value: d, label: DAY_LABELS[d] }))}
                  />
                </Form.Item>
                <Form.Item
                  name={[field.name, "start"]}
                  rules={[
                    {
                      validator: async (_, value: string | undefined) =>
                        isClock(value) ? Promise.resolve() : Promise.reject(new Error("HH:MM")),
                    },
                  ]}
                  style={{ marginBottom: 0, width: 90 }}
                >
                  <Input
                    aria-label="Start"
                    placeholder="07:00"
                    maxLength={5}
                    data-testid={`${testId}-${index}-start`}
                  />
                </Form.Item>
                <Typography.Text style={{ lineHeight: "32px" }}>to</Typography.Text>
                <Form.Item
                  name={[field.name, "end"]}
                  rules={[
                    {
                      validator: async (_, value: string | undefined) =>
                        isEndClock(value)
                          ? Promise.resolve()
                          : Promise.reject(new Error("HH:MM, up to 24:00")),
                    },
                  ]}
                  style={{ marginBottom: 0, width: 90 }}
                >
                  <Input
                    aria-label="End"
                    placeholder="18:00"
                    maxLength={5}
                    data-testid={`${testId}-${index}-end`}
                  />
                </Form.Item>
                <Button
                  icon={<DeleteOutlined />}
                  aria-label="Remove the window"
                  data-testid={`${testId}-${index}-remove`}
                  onClick={() => remove(field.name)}
                />
              </Flex>
            ))}
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              data-testid={`${testId}-add`}
              onClick={() => add({ days: [], start: "", end: "24:00" } satisfies WindowRow)}
              style={{ alignSelf: "flex-start" }}
            >
              {addText}
            </Button>
            <Form.ErrorList errors={errors} />
          </Flex>
        </Form.Item>
      )}
    </Form.List>
  );
}
