import {
  App,
  Col,
  Divider,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Switch,
  Typography,
} from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import { useSiteDevices, useSites } from "@/features/sites";
import { useVirtualMeters } from "@/features/virtual-meters";
import { useCreateAlertRule, useUpdateAlertRule } from "../api/rules";
import { KINDS, RULE_KINDS } from "../lib/kinds";
import {
  flattenRuleErrors,
  formFromRule,
  RULE_FIELDS,
  ruleUpdateFromForm,
  ruleWriteFromForm,
  SUBJECT_LABELS,
} from "../lib/rule-form";
import type { RuleFormValues, SubjectKind } from "../lib/rule-form";
import { SEVERITIES, SEVERITY_LABELS } from "../lib/severity";
import type { AlertRule, RuleKind } from "../types";
import { BacktestPanel } from "./BacktestPanel";
import { ParamFields } from "./ParamFields";
import { WindowsField } from "./WindowsField";

/** On an edit the subject and the kind stay: a 422 about them goes in the alert. */
const EDIT_FIELDS = RULE_FIELDS.filter(
  (f) => f !== "site_id" && f !== "device_id" && f !== "virtual_meter_id",
);

type Props = {
  rule?: AlertRule;
  /** How the table names the rule's subject (shown read-only on an edit). */
  subjectName?: string;
  onClose: () => void;
};

/** The subject: a site, or one of its devices or virtual meters. */
function SubjectFields() {
  const form = Form.useFormInstance<RuleFormValues>();
  const subjectKind = Form.useWatch("subject_kind", form) ?? "site";
  const siteId = Form.useWatch("site_id", form) ?? undefined;
  const sites = useSites();
  const devices = useSiteDevices(subjectKind === "device" ? siteId : undefined);
  const meters = useVirtualMeters(subjectKind === "virtual_meter" ? siteId : undefined);

  return (
    <>
      <Form.Item name="subject_kind" label="Watches">
        <Radio.Group
          data-testid="rule-subject-kind"
          optionType="button"
          options={(Object.keys(SUBJECT_LABELS) as SubjectKind[]).map((k) => ({
            value: k,
            label: <span data-testid={`rule-subject-kind-${k}`}>{SUBJECT_LABELS[k]}</span>,
          }))}
          onChange={() => form.setFieldsValue({ device_id: null, virtual_meter_id: null })}
        />
      </Form.Item>
      <Row gutter={12}>
        <Col xs={24} sm={subjectKind === "site" ? 24 : 12}>
          <Form.Item
            name="site_id"
            label="Site"
            rules={[{ required: true, message: "Pick the site" }]}
          >
            <Select
              data-testid="rule-site"
              placeholder="Site"
              loading={sites.isPending}
              showSearch={{ optionFilterProp: "label" }}
              options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              onChange={() => form.setFieldsValue({ device_id: null, virtual_meter_id: null })}
            />
          </Form.Item>
        </Col>
        {subjectKind === "device" && (
          <Col xs={24} sm={12}>
            <Form.Item
              name="device_id"
              label="Device"
              rules={[{ required: true, message: "Pick the device" }]}
            >
              <Select
                data-testid="rule-device"
                placeholder={siteId ? "Device" : "Pick the site first"}
                disabled={!siteId}
                loading={devices.isFetching}
                showSearch={{ optionFilterProp: "label" }}
                options={(devices.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
              />
            </Form.Item>
          </Col>
        )}
        {subjectKind === "virtual_meter" && (
          <Col xs={24} sm={12}>
            <Form.Item
              name="virtual_meter_id"
              label="Virtual meter"
              rules={[{ required: true, message: "Pick the virtual meter" }]}
            >
              <Select
                data-testid="rule-virtual-meter"
                placeholder={siteId ? "Virtual meter" : "Pick the site first"}
                disabled={!siteId}
                loading={meters.isFetching}
                showSearch={{ optionFilterProp: "label" }}
                options={(meters.data ?? []).map((m) => ({ value: m.id, label: m.name }))}
              />
            </Form.Item>
          </Col>
        )}
      </Row>
    </>
  );
}

/** The kind, with a line about each, and its parameters below. */
function KindFields({ editing }: { editing: boolean }) {
  const form = Form.useFormInstance<RuleFormValues>();
  const kind: RuleKind = Form.useWatch("kind", form) ?? "demand_above";
  const subjectKind = Form.useWatch("subject_kind", form) ?? "site";
  return (
    <>
      <Form.Item
        name="kind"
        label="Kind"
        extra={KINDS[kind].explanation}
        rules={[{ required: true }]}
      >
        <Select
          data-testid="rule-kind"
          disabled={editing}
          optionLabelProp="title"
          options={RULE_KINDS.map((k) => ({
            value: k,
            title: KINDS[k].label,
            disabled: subjectKind === "virtual_meter" && !KINDS[k].virtualMeter,
            label: (
              <div data-testid={`rule-kind-${k}`}>
                <div>{KINDS[k].label}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: "normal" }}>
                  {KINDS[k].explanation}
                </Typography.Text>
              </div>
            ),
          }))}
        />
      </Form.Item>
      <ParamFields kind={kind} />
      {KINDS[kind].quietHours ? (
        <WindowsField
          name="quiet_hours"
          label="Quiet hours (optional)"
          help="Weekly windows in the site's local time during which the rule neither fires nor notifies."
          addText="Add quiet hours"
          testId="rule-quiet-hours"
        />
      ) : (
        <Typography.Paragraph type="secondary" data-testid="rule-no-quiet-hours">
          {KINDS[kind].label} rules have no quiet hours.
        </Typography.Paragraph>
      )}
    </>
  );
}

/** Create or edit an alert rule; "Backtest" tries it on the last 30 days before saving. */
export function RuleFormModal({ rule, subjectName, onClose }: Props) {
  const { message } = App.useApp();
  const create = useCreateAlertRule();
  const update = useUpdateAlertRule();
  const fields = rule ? EDIT_FIELDS : RULE_FIELDS;

  const submit = async (values: RuleFormValues) => {
    try {
      if (rule)
        await update.mutateAsync({
          id: rule.id,
          ...ruleUpdateFromForm({ ...values, kind: rule.kind }),
        });
      else await create.mutateAsync(ruleWriteFromForm(values));
    } catch (error) {
      throw flattenRuleErrors(error);
    }
    void message.success(rule ? `${values.name} saved` : `${values.name} added`);
    onClose();
  };

  return (
    <FormModal<RuleFormValues>
      title={rule ? `Edit ${rule.name}` : "New alert rule"}
      okText={rule ? "Save" : "Add rule"}
      onSubmit={submit}
      onClose={onClose}
      fields={fields}
      width={760}
      initialValues={formFromRule(rule)}
      testIds={{
        form: "rule-form",
        submit: "rule-form-submit",
        error: "rule-form-error",
        modal: "rule-form-modal",
      }}
    >
      <Form.Item name="name" label="Name" rules={[{ required: true, whitespace: true }]}>
        <Input data-testid="rule-name" maxLength={200} placeholder="Main incomer demand" />
      </Form.Item>
      {rule ? (
        <Typography.Paragraph data-testid="rule-subject">
          Watches <strong>{subjectName ?? "its subject"}</strong> (the subject and the kind of a
          rule stay: make a new rule for another).
        </Typography.Paragraph>
      ) : (
        <SubjectFields />
      )}
      <KindFields editing={Boolean(rule)} />
      <Row gutter={12}>
        <Col xs={24} sm={10}>
          <Form.Item name="severity" label="Severity">
            <Select
              data-testid="rule-severity"
              options={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
            />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item
            name="for_minutes"
            label="Holds for"
            tooltip="The condition must hold this long before the alert fires."
          >
            <InputNumber
              data-testid="rule-for-minutes"
              min={0}
              max={1440}
              precision={0}
              suffix="min"
              style={{ width: "100%" }}
            />
          </Form.Item>
        </Col>
        <Col xs={12} sm={6}>
          <Form.Item name="enabled" label="Enabled" valuePropName="checked">
            <Switch data-testid="rule-enabled" />
          </Form.Item>
        </Col>
      </Row>
      <Divider style={{ margin: "8px 0 16px" }} />
      <BacktestPanel rule={rule} fields={fields} />
    </FormModal>
  );
}
