import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  DeleteOutlined,
  PlusOutlined,
  ThunderboltOutlined,
} from "@ant-design/icons";
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Divider,
  Empty,
  Flex,
  Form,
  Input,
  InputNumber,
  Row,
  Tooltip,
  Typography,
} from "antd";
import type { FormInstance } from "antd";
import { useState } from "react";
import { errorMessage } from "@/api/errors";
import { useUpdateGrafanaSettings } from "../api/grafana-settings";
import {
  fieldPathProblems,
  toFormDashboard,
  toFormValues,
  toUpdate,
  type GrafanaFormValues,
} from "../lib/form";
import type { GrafanaSettings } from "../lib/types";
import { isSameOrigin, normaliseBaseUrl } from "../lib/url";

const UID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
const SLUG_PATTERN = /^[a-z0-9-]{0,100}$/;
export const DEFAULT_BASE_URL = "/grafana";

type GrafanaSettingsFormProps = {
  form: FormInstance<GrafanaFormValues>;
  settings: GrafanaSettings;
};

function CrossOriginNote({ form }: { form: FormInstance<GrafanaFormValues> }) {
  const value = Form.useWatch("base_url", form);
  const base = normaliseBaseUrl(value);
  if (!base || isSameOrigin(base)) return null;
  return (
    <Alert
      data-testid="grafana-cross-origin"
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title="Grafana on another site"
      description={
        <>
          The browser shows it in the portal only when Grafana allows embedding and the
          portal&apos;s Content-Security-Policy allows that site: set the same URL as{" "}
          <Typography.Text code>PORTAL_GRAFANA_URL</Typography.Text> and restart the portal.
          Grafana&apos;s login cookie must also work inside a frame, which browsers restrict across
          sites. Serving Grafana on this site under{" "}
          <Typography.Text code>{DEFAULT_BASE_URL}</Typography.Text> avoids all of this.
        </>
      }
    />
  );
}

/** Base URL and the dashboard list (add, remove, reorder); saved with PUT /api/grafana/settings. */
export function GrafanaSettingsForm({ form, settings }: GrafanaSettingsFormProps) {
  const update = useUpdateGrafanaSettings();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);

  const onFinish = async (values: GrafanaFormValues) => {
    setProblem(null);
    try {
      const saved = await update.mutateAsync(toUpdate(values));
      form.setFieldsValue(toFormValues(saved));
      void message.success("Grafana settings saved");
    } catch (error) {
      const problems = fieldPathProblems(error);
      if (problems.length === 0) {
        setProblem(errorMessage(error));
        return;
      }
      const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
      for (const p of problems) {
        const key = JSON.stringify(p.name);
        const entry = byField.get(key) ?? { name: p.name, errors: [] };
        entry.errors.push(p.message);
        byField.set(key, entry);
      }
      // problems about the list itself (a uid listed twice) have no field of their own
      const onList = [...byField.values()].filter(
        (f) => f.name.length === 1 && f.name[0] === "dashboards",
      );
      form.setFields(
        [...byField.values()]
          .filter((f) => !onList.includes(f))
          .map((f) => ({ name: f.name as never, errors: f.errors })),
      );
      if (onList.length) setProblem(onList.flatMap((f) => f.errors).join("; "));
    }
  };

  const useProvisioned = () => {
    const current = form.getFieldValue("base_url") as string | undefined;
    form.setFieldsValue({
      base_url: current?.trim() ? current : DEFAULT_BASE_URL,
      dashboards: settings.provisioned.map(toFormDashboard),
    });
  };

  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={toFormValues(settings)}
      onFinish={(values) => void onFinish(values)}
      data-testid="grafana-form"
    >
      {problem && (
        <Alert
          data-testid="grafana-error"
          type="error"
          showIcon
          title={problem}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form.Item
        label="Base URL"
        name="base_url"
        extra={
          <>
            Where Grafana is served: a path on this site such as{" "}
            <Typography.Text code>{DEFAULT_BASE_URL}</Typography.Text> (recommended), or a full
            http(s) URL. Empty: the Dashboards page explains how to set Grafana up.
          </>
        }
        rules={[
          { max: 500, message: "At most 500 characters" },
          {
            validator: (_, value?: string) =>
              value?.trim() && normaliseBaseUrl(value) === null
                ? Promise.reject(
                    new Error(
                      "Enter a path on this site like /grafana, or an http(s) URL like " +
                        "https://grafana.example.com",
                    ),
                  )
                : Promise.resolve(),
          },
        ]}
      >
        <Input data-testid="grafana-base-url" placeholder={DEFAULT_BASE_URL} autoComplete="off" />
      </Form.Item>
      <CrossOriginNote form={form} />

      <Typography.Title level={5}>Dashboards</Typography.Title>
      <Typography.Paragraph type="secondary">
        Shown on the Dashboards page in this order. The uid is the part after{" "}
        <Typography.Text code>/d/</Typography.Text> in the dashboard&apos;s Grafana URL.
      </Typography.Paragraph>
      <Form.List name="dashboards">
        {(fields, { add, remove, move }) => (
          <Flex vertical gap={12}>
            {fields.length === 0 && (
              <Empty
                data-testid="grafana-no-dashboards"
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description="No dashboards yet: add one, or use the provisioned dashboards."
              />
            )}
            {fields.map((field, index) => (
              <Card
                key={field.key}
                size="small"
                data-testid={`grafana-dashboard-${index}`}
                title={`Dashboard ${index + 1}`}
                extra={
                  <Flex gap={4}>
                    <Tooltip title="Move up">
                      <Button
                        data-testid={`grafana-dashboard-up-${index}`}
                        aria-label="Move up"
                        size="small"
                        icon={<ArrowUpOutlined />}
                        disabled={index === 0}
                        onClick={() => move(index, index - 1)}
                      />
                    </Tooltip>
                    <Tooltip title="Move down">
                      <Button
                        data-testid={`grafana-dashboard-down-${index}`}
                        aria-label="Move down"
                        size="small"
                        icon={<ArrowDownOutlined />}
                        disabled={index === fields.length - 1}
                        onClick={() => move(index, index + 1)}
                      />
                    </Tooltip>
                    <Tooltip title="Remove">
                      <Button
                        data-testid={`grafana-dashboard-remove-${index}`}
                        aria-label="Remove"
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        onClick={() => remove(index)}
                      />
                    </Tooltip>
                  </Flex>
                }
              >
                <Row gutter={12}>
                  <Col xs={24} md={8}>
                    <Form.Item
                      label="Title"
                      name={[field.name, "title"]}
                      rules={[
                        { required: true, whitespace: true, message: "Enter a title" },
                        { max: 100, message: "At most 100 characters" },
                      ]}
                    >
                      <Input data-testid={`grafana-dashboard-title-${index}`} autoComplete="off" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={6}>
                    <Form.Item
                      label="uid"
                      name={[field.name, "uid"]}
                      rules={[
                        { required: true, message: "Enter the dashboard's uid" },
                        {
                          pattern: UID_PATTERN,
                          message: "1 to 40 letters, digits, '-' or '_'",
                        },
                      ]}
                    >
                      <Input data-testid={`grafana-dashboard-uid-${index}`} autoComplete="off" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={6}>
                    <Form.Item
                      label="Slug"
                      name={[field.name, "slug"]}
                      rules={[
                        { pattern: SLUG_PATTERN, message: "Lower-case letters, digits, '-'" },
                      ]}
                    >
                      <Input
                        data-testid={`grafana-dashboard-slug-${index}`}
                        placeholder="from the title"
                        autoComplete="off"
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={4}>
                    <Form.Item label="Height (px)" name={[field.name, "height"]}>
                      <InputNumber
                        data-testid={`grafana-dashboard-height-${index}`}
                        min={200}
                        max={5000}
                        placeholder="fit"
                        style={{ width: "100%" }}
                      />
                    </Form.Item>
                  </Col>
                </Row>
              </Card>
            ))}
            <Flex gap={8} wrap>
              <Button
                data-testid="grafana-dashboard-add"
                icon={<PlusOutlined />}
                onClick={() => add({ title: "", uid: "", slug: "", height: null })}
              >
                Add dashboard
              </Button>
              <Button
                data-testid="grafana-use-provisioned"
                icon={<ThunderboltOutlined />}
                onClick={useProvisioned}
              >
                Use the provisioned dashboards
              </Button>
            </Flex>
          </Flex>
        )}
      </Form.List>
      <Divider style={{ marginBlock: 16 }} />
      <Button
        data-testid="grafana-save"
        type="primary"
        htmlType="submit"
        loading={update.isPending}
      >
        Save Grafana settings
      </Button>
    </Form>
  );
}
