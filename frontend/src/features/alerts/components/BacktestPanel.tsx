import { ExperimentOutlined } from "@ant-design/icons";
import { Alert, Button, Flex, Form, Typography } from "antd";
import { useMemo, useState } from "react";
import { ChartCard } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import { applyServerErrors } from "@/lib/form-errors";
import { useBacktest } from "../api/rules";
import { BACKTEST_DAYS, backtestCsv, backtestOption, backtestSentence } from "../lib/backtest";
import { flattenRuleErrors, ruleWriteFromForm, subjectKindOf } from "../lib/rule-form";
import type { RuleFormValues } from "../lib/rule-form";
import type { AlertRule, BacktestResult } from "../types";

type Props = {
  /** The saved rule being edited: its subject (which the form does not show then). */
  rule?: AlertRule;
  /** The fields a 422 may name (as the form's). */
  fields: readonly string[];
};

/**
 * Inside the rule form: "Backtest" runs the form's rule (not saved) over the last 30 days
 * and shows how often it would have fired, with the series it watches, the threshold and
 * clear lines, and the episodes shaded.
 */
export function BacktestPanel({ rule, fields }: Props) {
  const form = Form.useFormInstance<RuleFormValues>();
  const backtest = useBacktest();
  const [result, setResult] = useState<BacktestResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const option = useMemo(() => (result ? backtestOption(result) : null), [result]);
  const csv = useMemo(() => (result ? backtestCsv(result) : null), [result]);

  const run = async () => {
    setProblem(null);
    try {
      await form.validateFields();
    } catch {
      return; // the fields say what is missing
    }
    const values = form.getFieldsValue(true) as RuleFormValues;
    const body = ruleWriteFromForm(
      rule
        ? {
            ...values,
            subject_kind: subjectKindOf(rule),
            site_id: rule.site_id,
            device_id: rule.device_id,
            virtual_meter_id: rule.virtual_meter_id,
            kind: rule.kind,
          }
        : values,
    );
    try {
      setResult(await backtest.mutateAsync({ rule: body, days: BACKTEST_DAYS }));
    } catch (error) {
      setResult(null);
      setProblem(applyServerErrors(form, flattenRuleErrors(error), fields));
    }
  };

  return (
    <Flex vertical gap={12} style={{ marginBottom: 16 }}>
      <Flex align="center" gap={12} wrap>
        <Button
          icon={<ExperimentOutlined />}
          data-testid="rule-backtest"
          loading={backtest.isPending}
          onClick={() => void run()}
        >
          Backtest
        </Button>
        <Typography.Text type="secondary">
          Run this rule over the last {BACKTEST_DAYS} days of readings before saving it.
        </Typography.Text>
      </Flex>
      {problem && <Alert data-testid="backtest-error" type="error" showIcon title={problem} />}
      {result && (
        <>
          <Alert
            data-testid="backtest-summary"
            data-fired={result.fired}
            type={result.fired > 0 ? "warning" : "success"}
            showIcon
            title={backtestSentence(result.fired)}
          />
          <ChartCard
            title="What the rule watches"
            subtitle={result.series.unit ?? undefined}
            testId="backtest-chart"
            exportId="backtest"
            state={result.series.times.length > 0 ? "ready" : "empty"}
            emptyText="No readings in the last 30 days for this subject"
            points={result.series.times.length}
            option={option}
            height={240}
            csv={csv}
            csvFileName={csvFileName("backtest", form.getFieldValue("name") as string)}
          />
        </>
      )}
    </Flex>
  );
}
