import { App, Checkbox, Form, Input, Switch } from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import { useCreateWebhook, useUpdateWebhook } from "../api/notifications";
import { SEVERITIES, SEVERITY_LABELS, sortSeverities } from "../lib/severity";
import type { Severity, Webhook, WebhookCreated } from "../types";

type Values = { name: string; url: string; severities: Severity[]; enabled: boolean };

type Props = {
  webhook?: Webhook;
  onClose: () => void;
  /** A new webhook's secret, to show once. */
  onCreated: (created: WebhookCreated) => void;
};

/** Add or edit a webhook: its URL and the severities it is sent. */
export function WebhookFormModal({ webhook, onClose, onCreated }: Props) {
  const { message } = App.useApp();
  const create = useCreateWebhook();
  const update = useUpdateWebhook();

  const submit = async (values: Values) => {
    const body = {
      name: values.name.trim(),
      url: values.url.trim(),
      severities: sortSeverities(values.severities),
      enabled: values.enabled,
    };
    if (webhook) {
      await update.mutateAsync({ id: webhook.id, ...body });
      void message.success(`${body.name} saved`);
      onClose();
    } else {
      onCreated(await create.mutateAsync(body));
    }
  };

  return (
    <FormModal<Values>
      title={webhook ? `Edit ${webhook.name}` : "Add a webhook"}
      okText={webhook ? "Save" : "Add webhook"}
      onSubmit={submit}
      onClose={onClose}
      fields={["name", "url", "severities", "enabled"]}
      initialValues={
        webhook
          ? { ...webhook, severities: [...webhook.severities] }
          : { name: "", url: "", severities: [...SEVERITIES], enabled: true }
      }
      testIds={{
        form: "webhook-form",
        submit: "webhook-form-submit",
        error: "webhook-form-error",
        modal: "webhook-form-modal",
      }}
    >
      <Form.Item name="name" label="Name" rules={[{ required: true, whitespace: true }]}>
        <Input data-testid="webhook-name" maxLength={200} placeholder="Ops chat" />
      </Form.Item>
      <Form.Item
        name="url"
        label="URL"
        extra="Addresses inside the network (loopback, private, link-local) are refused."
        rules={[
          { required: true, whitespace: true },
          { type: "url", message: "A URL" },
        ]}
      >
        <Input
          data-testid="webhook-url"
          placeholder="https://hooks.example.com/portal"
          maxLength={2000}
        />
      </Form.Item>
      <Form.Item
        name="severities"
        label="Severities"
        rules={[{ required: true, type: "array", min: 1, message: "Pick at least one" }]}
      >
        <Checkbox.Group
          data-testid="webhook-severities"
          options={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
        />
      </Form.Item>
      <Form.Item name="enabled" label="Enabled" valuePropName="checked">
        <Switch data-testid="webhook-enabled" />
      </Form.Item>
    </FormModal>
  );
}
