import { Button, Form, Input, Modal, Typography } from "antd";
import { useState } from "react";
import { FormModal } from "@/components/form-modal/FormModal";
import { ShownOnceSecret } from "@/components/secrets/ShownOnceSecret";
import { useIssueToken } from "../api/devices";
import type { Device, DeviceTokenIssued } from "../types";
import { useReturnFocus } from "@/components/a11y/return-focus";

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
  useReturnFocus();
  const issueToken = useIssueToken(device.id);
  const [issued, setIssued] = useState<DeviceTokenIssued | null>(null);

  const onSubmit = async ({ label }: { label?: string }) => {
    setIssued(await issueToken.mutateAsync(label?.trim() ? label.trim() : null));
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
    <FormModal<{ label?: string }>
      title={`Issue a token for ${device.name}`}
      okText="Issue token"
      onSubmit={onSubmit}
      onClose={onClose}
      fields={["label"]}
      testIds={{ form: "issue-token-form", submit: "issue-token-submit" }}
    >
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
    </FormModal>
  );
}
