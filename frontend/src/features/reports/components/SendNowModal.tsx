import { App, DatePicker, Form, Select, Typography } from "antd";
import dayjs from "dayjs";
import { FormModal } from "@/components/form-modal/FormModal";
import { useSendNow } from "../api/schedules";
import {
  currentMonth,
  formatPeriodLabel,
  formatWeek,
  lastMonth,
  lastWeek,
  recentWeeks,
} from "../lib/periods";
import type { Schedule } from "../types";

/** How many past weeks a weekly schedule offers to send. */
const WEEKS_OFFERED = 12;

type Values = { month?: string; week?: string };

/** A month as "YYYY-MM" (a form control): only months that have ended. */
function MonthField({
  value,
  onChange,
  id,
}: {
  value?: string;
  onChange?: (month: string) => void;
  id?: string;
}) {
  return (
    <DatePicker
      id={id}
      data-testid="send-month"
      picker="month"
      allowClear={false}
      style={{ width: "100%" }}
      value={value ? dayjs(`${value}-01`) : null}
      format="MMMM YYYY"
      disabledDate={(d) => d.format("YYYY-MM") >= currentMonth()}
      onChange={(d) => d && onChange?.(d.format("YYYY-MM"))}
    />
  );
}

/** "Send now": the documents of a past month (or week) to the schedule's recipients. */
export function SendNowModal({ schedule, onClose }: { schedule: Schedule; onClose: () => void }) {
  const { message } = App.useApp();
  const send = useSendNow();
  const monthly = schedule.cadence === "monthly";

  const submit = async (values: Values) => {
    const body = monthly ? { month: values.month } : { week: values.week };
    const run = await send.mutateAsync({ id: schedule.id, ...body });
    const count = run.deliveries.length;
    void message.success(
      `${schedule.name}: sending ${formatPeriodLabel(run.label)} to ${
        count === 1 ? "1 recipient" : `${count} recipients`
      }`,
    );
    onClose();
  };

  return (
    <FormModal<Values>
      title={`Send ${schedule.name} now`}
      okText="Send"
      onSubmit={submit}
      onClose={onClose}
      fields={["month", "week"]}
      initialValues={monthly ? { month: lastMonth() } : { week: lastWeek() }}
      intro={
        <Typography.Paragraph type="secondary">
          The documents of a {monthly ? "month" : "week"} that has ended, made now and mailed to{" "}
          {schedule.recipients.join(", ")}.
        </Typography.Paragraph>
      }
      testIds={{
        form: "send-form",
        submit: "send-submit",
        error: "send-error",
        modal: "send-modal",
      }}
    >
      {monthly ? (
        <Form.Item
          name="month"
          label="Month"
          rules={[{ required: true, message: "Pick the month" }]}
        >
          <MonthField />
        </Form.Item>
      ) : (
        <Form.Item name="week" label="Week" rules={[{ required: true, message: "Pick the week" }]}>
          <Select
            data-testid="send-week"
            options={recentWeeks(WEEKS_OFFERED).map((w) => ({ value: w, label: formatWeek(w) }))}
          />
        </Form.Item>
      )}
    </FormModal>
  );
}
