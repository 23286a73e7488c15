import { Alert, Button, Form, Input, Modal, Typography } from "antd";
import { useState } from "react";
import { ShownOnceSecret } from "@/components/secrets/ShownOnceSecret";
import { applyServerErrors } from "@/lib/form-errors";
import { useIssueToken } from "../api/devices";
import type { Device, DeviceTokenIssued } from "../types";

/** The issued token, shown once with a copy button. */
function IssuedToken({ issued }: { issued: DeviceTokenIssued }) {
  return (
    <ShownOnceSecret
      secret={issued.token}
      secretTestId="issued-token"
      copyTestId="copy-token"
      warningTestId="issued-token-warning"
      description="The portal stores only a hash of it. If it is lost, issue a new token and revoke this one."
    >
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        The meter sends readings with{" "}
        <Typography.Text code>POST /api/ingest/measurements</Typography.Text> and the header{" "}
        <Typography.Text code>Authorization: Bearer &lt;token&gt;</Typography.Text>.
      </Typography.Paragraph>
    </ShownOnceSecret>
  );
}

type IssueTokenModalProps = { device: Device; onClose: () => void };

/** Ask for an optional label, issue the token, then show it once. */
export function IssueTokenModal({ device, onClose }: IssueTokenModalProps) {
  const [form] = Form.useForm<{ label?: string }>();
  const issueToken = useIssueToken(device.id);
  const [issued, setIssued] = useState<DeviceTokenIssued | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const onFinish = async ({ label }: { label?: string }) => {
    setProblem(null);
    try {
      setIssued(await issueToken.mutateAsync(label?.trim() ? label.trim() : null));
    } catch (error) {
      setProblem(applyServerErrors(form, error, ["label"]));
    }
  };

  if (issued) {
    return (
      <Modal
        open
        title={`Token for ${device.name}`}
        onCancel={onClose}
        maskClosable={false}
        data-testid="issued-token-modal"
        footer={
          <Button type="primary" data-testid="issued-token-done" onClick={onClose}>
            Done
          </Button>
        }
      >
        <IssuedToken issued={issued} />
      </Modal>
    );
  }

  return (
    <Modal
      open
      title={`Issue a token for ${device.name}`}
      okText="Issue token"
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={issueToken.isPending}
      okButtonProps={{ "data-testid": "issue-token-submit" }}
    >
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(values) => void onFinish(values)}
        data-testid="issue-token-form"
      >
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} />}
        <Typography.Paragraph type="secondary">
          A token lets this meter (or its gateway) send readings to the portal. It is shown once.
        </Typography.Paragraph>
        <Form.Item
          label="Label"
          name="label"
          rules={[{ max: 100, message: "At most 100 characters" }]}
        >
          <Input
            data-testid="issue-token-label"
            autoComplete="off"
            placeholder="optional, e.g. gateway in DB room"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
