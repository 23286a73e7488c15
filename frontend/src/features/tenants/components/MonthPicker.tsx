import { DatePicker } from "antd";
import dayjs from "dayjs";
import { monthOf } from "../lib/months";

/** A month (YYYY-MM), up to the current one. */
export function MonthPicker({
  value,
  onChange,
  testId,
}: {
  value: string;
  onChange: (month: string) => void;
  testId: string;
}) {
  return (
    <DatePicker
      data-testid={testId}
      aria-label="Month"
      picker="month"
      allowClear={false}
      value={dayjs(`${value}-01`)}
      format="MMMM YYYY"
      disabledDate={(d) => d.format("YYYY-MM") > monthOf()}
      onChange={(d) => d && onChange(d.format("YYYY-MM"))}
    />
  );
}
