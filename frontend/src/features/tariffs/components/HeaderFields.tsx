import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import {
  AutoComplete,
  Button,
  Col,
  DatePicker,
  Flex,
  Input,
  Row,
  Select,
  Switch,
  Typography,
} from "antd";
import dayjs from "dayjs";
import { useMemo } from "react";
import { timeZoneNames } from "@/lib/timezones";
import { COMMON_CURRENCIES } from "../lib/currencies";
import { DAY_LABELS, DAYS } from "../lib/types";
import type { Day, HolidayOverrideDraft, TariffDraft } from "../lib/types";
import { Field, fieldId, ProblemText } from "./problems";

type HeaderFieldsProps = {
  draft: TariffDraft;
  onChange: (draft: TariffDraft) => void;
};

/** Name, currency, time zone and public holidays. */
export function HeaderFields({ draft, onChange }: HeaderFieldsProps) {
  const zones = useMemo(() => timeZoneNames().map((z) => ({ value: z, label: z })), []);
  const holidays = draft.public_holidays;
  const setOverrides = (overrides: HolidayOverrideDraft[]) =>
    holidays && onChange({ ...draft, public_holidays: { ...holidays, overrides } });

  return (
    <>
      <Row gutter={16}>
        <Col xs={24} md={10}>
          <Field label="Name" at="name">
            <Input
              data-testid="tariff-name"
              id={fieldId("name")}
              placeholder="e.g. Megaflex urban"
              value={draft.name}
              onChange={(e) => onChange({ ...draft, name: e.target.value })}
            />
          </Field>
        </Col>
        <Col xs={12} md={4}>
          <Field label="Currency" at="currency">
            <AutoComplete
              data-testid="tariff-currency"
              id={fieldId("currency")}
              value={draft.currency}
              options={COMMON_CURRENCIES.map((c) => ({ value: c }))}
              onChange={(value: string) =>
                onChange({ ...draft, currency: value.toUpperCase().slice(0, 3) })
              }
              placeholder="ZAR"
            />
          </Field>
        </Col>
        <Col xs={12} md={10}>
          <Field label="Time zone" at="timezone" tooltip="Windows and dates are on this wall clock">
            <Select
              data-testid="tariff-timezone"
              id={fieldId("timezone")}
              value={draft.timezone}
              options={zones}
              showSearch={{ optionFilterProp: "label" }}
              onChange={(timezone: string) => onChange({ ...draft, timezone })}
            />
          </Field>
        </Col>
      </Row>
      <Flex wrap gap={16} align="flex-start">
        <Field label="Public holidays" at="public_holidays">
          <Flex gap={8} align="center" style={{ height: 32 }}>
            <Switch
              data-testid="tariff-holidays"
              id={fieldId("public_holidays")}
              checked={holidays !== null}
              onChange={(on) =>
                onChange({
                  ...draft,
                  public_holidays: on ? { calendar: "ZA", treat_as: "sun", overrides: [] } : null,
                })
              }
            />
            <Typography.Text type="secondary">
              {holidays ? "billed like a weekend day" : "billed as ordinary days"}
            </Typography.Text>
          </Flex>
        </Field>
        {holidays && (
          <>
            <Field label="Calendar" at="public_holidays.calendar" tooltip="A country code, e.g. ZA">
              <Input
                data-testid="tariff-holiday-calendar"
                id={fieldId("public_holidays.calendar")}
                value={holidays.calendar}
                maxLength={10}
                onChange={(e) =>
                  onChange({
                    ...draft,
                    public_holidays: { ...holidays, calendar: e.target.value.toUpperCase() },
                  })
                }
                style={{ width: 90 }}
              />
            </Field>
            <Field label="Bill holidays as" at="public_holidays.treat_as">
              <Select
                data-testid="tariff-holiday-treat-as"
                id={fieldId("public_holidays.treat_as")}
                value={holidays.treat_as}
                onChange={(treat_as: "sat" | "sun") =>
                  onChange({ ...draft, public_holidays: { ...holidays, treat_as } })
                }
                options={[
                  { value: "sat", label: "Saturday" },
                  { value: "sun", label: "Sunday" },
                ]}
                style={{ width: 130 }}
              />
            </Field>
            <Field label="Exceptions" at="public_holidays.overrides">
              <Flex vertical gap={4}>
                {holidays.overrides.map((o, k) => (
                  <div key={k}>
                    <Flex gap={6} align="center">
                      <DatePicker
                        data-testid={`holiday-override-${k}-date`}
                        aria-label="Date"
                        format="YYYY-MM-DD"
                        allowClear={false}
                        value={o.date ? dayjs(o.date) : null}
                        onChange={(d) =>
                          d &&
                          setOverrides(
                            holidays.overrides.map((x, j) =>
                              j === k ? { ...x, date: d.format("YYYY-MM-DD") } : x,
                            ),
                          )
                        }
                      />
                      <Select
                        data-testid={`holiday-override-${k}-treat-as`}
                        aria-label="Bill this date as"
                        value={o.treat_as ?? ""}
                        onChange={(value: string) =>
                          setOverrides(
                            holidays.overrides.map((x, j) =>
                              j === k ? { ...x, treat_as: value ? (value as Day) : null } : x,
                            ),
                          )
                        }
                        options={[
                          { value: "", label: "an ordinary day" },
                          ...DAYS.map((d) => ({ value: d, label: `a ${DAY_LABELS[d]}` })),
                        ]}
                        style={{ width: 150 }}
                      />
                      <Button
                        type="text"
                        aria-label="Remove exception"
                        icon={<DeleteOutlined />}
                        onClick={() => setOverrides(holidays.overrides.filter((_, j) => j !== k))}
                      />
                    </Flex>
                    <ProblemText at={`public_holidays.overrides.${k}`} />
                  </div>
                ))}
                <Button
                  data-testid="holiday-override-add"
                  size="small"
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() =>
                    setOverrides([
                      ...holidays.overrides,
                      { date: dayjs().format("YYYY-MM-DD"), treat_as: null },
                    ])
                  }
                >
                  Date billed differently
                </Button>
              </Flex>
            </Field>
          </>
        )}
      </Flex>
    </>
  );
}
