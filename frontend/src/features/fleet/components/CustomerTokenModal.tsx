import { Button, Modal, Typography } from "antd";
import { ShownOnceSecret } from "@/components/secrets/ShownOnceSecret";
import type { CustomerWithToken } from "../types";
import { useReturnFocus } from "@/components/a11y/return-focus";

type CustomerTokenModalProps = {
  customer: CustomerWithToken;
  /** "created": a new customer; "rotated": a new token for an existing one. */
  reason: "created" | "rotated";
  onClose: () => void;
};

/** A customer's push token, shown this once, with a copy button. */
export function CustomerTokenModal({ customer, reason, onClose }: CustomerTokenModalProps) {
  useReturnFocus();
  return (
    <Modal
      open
      title={
        reason === "created" ? `Customer ${customer.code} added` : `New token for ${customer.code}`
      }
      onCancel={onClose}
      maskClosable={false}
      data-testid="customer-token-modal"
      footer={
        <Button type="primary" data-testid="customer-token-done" onClick={onClose}>
          Done
        </Button>
      }
    >
      <ShownOnceSecret
        secret={customer.token}
        secretTestId="customer-token"
        copyTestId="copy-customer-token"
        description={
          reason === "rotated"
            ? "The old token keeps working for the grace period (24 h unless configured), so " +
              "the customer stack keeps pushing until it is restarted with this one."
            : "The admin stack keeps only a hash of it. If it is lost, rotate the token."
        }
      >
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          On the customer&apos;s stack, set{" "}
          <Typography.Text code>PORTAL_FLEET__CUSTOMER_TOKEN</Typography.Text> to this token (with{" "}
          <Typography.Text code>PORTAL_RUN_MODE=client</Typography.Text>,{" "}
          <Typography.Text code>PORTAL_FLEET__ENABLED=true</Typography.Text> and{" "}
          <Typography.Text code>PORTAL_FLEET__ADMIN_URL</Typography.Text> pointing here) and restart
          it.
        </Typography.Paragraph>
      </ShownOnceSecret>
    </Modal>
  );
}
