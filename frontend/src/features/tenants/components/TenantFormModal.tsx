import { App, Col, Form, Input, InputNumber, Radio, Row, Select } from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import { useTariffs } from "@/features/tariffs";
import { useCreateTenant, useUpdateTenant } from "../api/tenants";
import {
  APPORTION_LABELS,
  formFromTenant,
  RULE_KIND_LABELS,
  tenantWriteFromForm,
} from "../lib/rule";
import type { TenantFormValues } from "../lib/rule";
import type { Apportion, RuleKind, Tenant } from "../types";

/** The fields a 422 may name: the rule's are `rule.<field>`, shown on the flat form fields. */
const FIELDS = [
  "name",
  "reference",
  "contact_email",
  "kind",
  "tariff_id",
  "apportion",
  "fixed_share_percent",
  "markup_percent",
  "markup_cap",
  "admin_fee",
] as const;

/** A 422 on `rule.tariff_id` (or loc ["body","rule","tariff_id"]) lands on `tariff_id`. */
function flattenRuleErrors(error: unknown): unknown {
  if (!error || typeof error !== "object" || !("body" in error)) return error;
  const body = error.body;
  if (!body || typeof body !== "object" || !("detail" in body) || !Array.isArray(body.detail))
    return error;
  for (const item of body.detail as { loc?: unknown[] }[]) {
    if (!Array.isArray(item.loc)) continue;
    if (item.loc[0] === "body" && item.loc[1] === "rule" && typeof item.loc[2] === "string")
      item.loc = ["body", item.loc[2]];
    else if (
      item.loc[0] === "body" &&
      typeof item.loc[1] === "string" &&
      item.loc[1].startsWith("rule.")
    )
      item.loc = ["body", item.loc[1].slice(5)];
  }
  return error;
}

type Props = { siteId: number; tenant?: Tenant; onClose: () => void };

/** Create or edit a tenant and its recharge rule. */
export function TenantFormModal({ siteId, tenant, onClose }: Props) {
  const { message } = App.useApp();
  const create = useCreateTenant(siteId);
  const update = useUpdateTenant();
  const tariffs = useTariffs();

  const submit = async (values: TenantFormValues) => {
    const body = tenantWriteFromForm(values);
    try {
      if (tenant) await update.mutateAsync({ id: tenant.id, ...body });
      else await create.mutateAsync(body);
    } catch (error) {
      throw flattenRuleErrors(error);
    }
    void message.success(tenant ? `${body.name} saved` : `${body.name} added`);
    onClose();
  };

  return (
    <FormModal<TenantFormValues>
      title={tenant ? `Edit ${tenant.name}` : "Add a tenant"}
      okText={tenant ? "Save" : "Add tenant"}
      onSubmit={submit}
      onClose={onClose}
      fields={FIELDS}
      initialValues={formFromTenant(tenant)}
      testIds={{ form: "tenant-form", submit: "tenant-form-submit", error: "tenant-form-error" }}
    >
      <Form.Item name="name" label="Name" rules={[{ required: true, whitespace: true }]}>
        <Input data-testid="tenant-name" maxLength={200} />
      </Form.Item>
      <Row gutter={12}>
        <Col span={10}>
          <Form.Item name="reference" label="Reference">
            <Input data-testid="tenant-reference" maxLength={100} placeholder="T-001" />
          </Form.Item>
        </Col>
        <Col span={14}>
          <Form.Item name="contact_email" label="Accounts e-mail">
            <Input data-testid="tenant-email" type="email" />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="kind" label="Recharge rule">
        <Radio.Group
          data-testid="tenant-rule-kind"
          options={(Object.keys(RULE_KIND_LABELS) as RuleKind[]).map((k) => ({
            value: k,
            label: <span data-testid={`tenant-rule-kind-${k}`}>{RULE_KIND_LABELS[k]}</span>,
          }))}
        />
      </Form.Item>
      <Form.Item noStyle dependencies={["kind", "apportion"]}>
        {({ getFieldValue }) => {
          const kind = getFieldValue("kind") as RuleKind;
          const apportion = getFieldValue("apportion") as Apportion | null;
          if (kind === "own_tariff")
            return (
              <Form.Item
                name="tariff_id"
                label="Tariff"
                rules={[{ required: true, message: "Choose the tenant's tariff" }]}
              >
                <Select
                  data-testid="tenant-tariff"
                  placeholder="Tariff"
                  loading={tariffs.isPending}
                  options={(tariffs.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
                />
              </Form.Item>
            );
          return (
            <>
              <Form.Item name="apportion" label="The site's fixed and demand charges are shared by">
                <Select
                  data-testid="tenant-apportion"
                  options={(Object.keys(APPORTION_LABELS) as Apportion[]).map((a) => ({
                    value: a,
                    label: APPORTION_LABELS[a],
                  }))}
                />
              </Form.Item>
              {apportion === "fixed_shares" && (
                <Form.Item
                  name="fixed_share_percent"
                  label="Share (%)"
                  rules={[{ required: true, message: "Give the tenant's share" }]}
                >
                  <InputNumber
                    data-testid="tenant-share"
                    min={0}
                    max={100}
                    style={{ width: 160 }}
                  />
                </Form.Item>
              )}
            </>
          );
        }}
      </Form.Item>
      <Row gutter={12}>
        <Col span={8}>
          <Form.Item name="markup_percent" label="Mark-up (%)">
            <InputNumber data-testid="tenant-markup" min={0} style={{ width: "100%" }} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="markup_cap" label="Mark-up cap" tooltip="Empty: no cap">
            <InputNumber data-testid="tenant-markup-cap" min={0} style={{ width: "100%" }} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="admin_fee" label="Admin fee per bill">
            <InputNumber data-testid="tenant-admin-fee" min={0} style={{ width: "100%" }} />
          </Form.Item>
        </Col>
      </Row>
    </FormModal>
  );
}
