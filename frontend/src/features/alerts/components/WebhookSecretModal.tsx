import { Button, Modal, Typography } from "antd";
import { ShownOnceSecret } from "@/components/secrets/ShownOnceSecret";
import type { WebhookCreated } from "../types";
import { useReturnFocus } from "@/components/a11y/return-focus";

type Props = {
  webhook: WebhookCreated;
  /** "created": a new webhook; "rotated": a new secret for an existing one. */
  reason: "created" | "rotated";
  onClose: () => void;
};

/** A webhook's signing secret, shown this once, with a copy button. */
export function WebhookSecretModal({ webhook, reason, onClose }: Props) {
  useReturnFocus();
  return (
    <Modal
      open
      title={
        reason === "created" ? `Webhook ${webhook.name} added` : `New secret for ${webhook.name}`
      }
      onCancel={onClose}
      mask={{ closable: false }}
      data-testid="webhook-secret-modal"
      footer={
        <Button type="primary" data-testid="webhook-secret-done" onClick={onClose}>
          Done
        </Button>
      }
    >
      <ShownOnceSecret
        noun="secret"
        secret={webhook.secret}
        secretTestId="webhook-secret"
        copyTestId="copy-webhook-secret"
        warningTestId="webhook-secret-warning"
        description={
          reason === "rotated"
            ? "The old secret stopped working: the receiver must check signatures with this one."
            : "The portal stores it encrypted and never shows it again. If it is lost, rotate it."
        }
      >
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          Each delivery carries <Typography.Text code>X-Portal-Signature: sha256=…</Typography.Text>
          , the HMAC-SHA256 with this secret of{" "}
          <Typography.Text code>{"{X-Portal-Timestamp}.{body}"}</Typography.Text>: the receiver
          should check it, and refuse a timestamp more than 5 minutes off.
        </Typography.Paragraph>
      </ShownOnceSecret>
    </Modal>
  );
}
