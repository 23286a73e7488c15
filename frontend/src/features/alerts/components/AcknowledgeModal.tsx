import { App, Form, Input, Typography } from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import { useAcknowledgeAlert } from "../api/alerts";
import type { Alert } from "../types";

type Values = { note?: string };

/**
 * Acknowledge a firing alert, with an optional note: it stays firing until it resolves but
 * leaves the badge and sends nothing more. A 409 (it resolved meanwhile, or someone else
 * acknowledged it) shows the server's sentence.
 */
export function AcknowledgeModal({ alert, onClose }: { alert: Alert; onClose: () => void }) {
  const { message } = App.useApp();
  const acknowledge = useAcknowledgeAlert();

  const submit = async (values: Values) => {
    const note = values.note?.trim() || null;
    await acknowledge.mutateAsync({ id: alert.id, note });
    void message.success(`${alert.rule_name} acknowledged`);
    onClose();
  };

  return (
    <FormModal<Values>
      title={`Acknowledge ${alert.rule_name}`}
      okText="Acknowledge"
      onSubmit={submit}
      onClose={onClose}
      fields={["note"]}
      intro={
        <Typography.Paragraph type="secondary">
          {alert.subject.name}: {alert.message}. It stays firing until it resolves, without further
          notifications, and leaves the badge.
        </Typography.Paragraph>
      }
      testIds={{
        form: "acknowledge-form",
        submit: "acknowledge-submit",
        error: "acknowledge-error",
        modal: "acknowledge-modal",
      }}
    >
      <Form.Item name="note" label="Note (optional)">
        <Input.TextArea
          data-testid="acknowledge-note"
          rows={3}
          maxLength={1000}
          placeholder="Who is on it, what was done"
        />
      </Form.Item>
    </FormModal>
  );
}
