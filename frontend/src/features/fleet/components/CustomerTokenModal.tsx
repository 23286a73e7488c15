import { CheckOutlined, CopyOutlined } from "@ant-design/icons";
import { Alert, App, Button, Flex, Modal, Typography } from "antd";
import { useState } from "react";
import { copyText } from "../lib/clipboard";
import type { CustomerWithToken } from "../types";

type CustomerTokenModalProps = {
  customer: CustomerWithToken;
  /** "created": a new customer; "rotated": a new token for an existing one. */
  reason: "created" | "rotated";
  onClose: () => void;
};

/** A customer's push token, shown this once, with a copy button. */
export function CustomerTokenModal({ customer, reason, onClose }: CustomerTokenModalProps) {
  const { message } = App.useApp();
  const [copied, setCopied] = useState(false);

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
      <Flex vertical gap={16}>
        <Alert
          type="warning"
          showIcon
          title="Copy this token now: it will not be shown again."
          description={
            reason === "rotated"
              ? "The old token stopped working: the customer stack's pushes fail until it has " +
                "this one."
              : "The admin stack keeps only a hash of it. If it is lost, rotate the token."
          }
        />
        <Flex gap={8} align="stretch">
          <Typography.Text
            code
            data-testid="customer-token"
            style={{
              flex: 1,
              padding: "6px 8px",
              fontSize: 13,
              wordBreak: "break-all",
              userSelect: "all",
            }}
          >
            {customer.token}
          </Typography.Text>
          <Button
            data-testid="copy-customer-token"
            icon={copied ? <CheckOutlined /> : <CopyOutlined />}
            onClick={() =>
              void copyText(customer.token).then((ok) => {
                setCopied(ok);
                if (ok) void message.success("Token copied to the clipboard");
                else void message.warning("Could not copy: select the token and copy it by hand");
              })
            }
          >
            {copied ? "Copied" : "Copy"}
          </Button>
        </Flex>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          On the customer&apos;s stack, set{" "}
          <Typography.Text code>PORTAL_FLEET__CUSTOMER_TOKEN</Typography.Text> to this token
          (with{" "}
          <Typography.Text code>PORTAL_RUN_MODE=client</Typography.Text>,{" "}
          <Typography.Text code>PORTAL_FLEET__ENABLED=true</Typography.Text> and{" "}
          <Typography.Text code>PORTAL_FLEET__ADMIN_URL</Typography.Text> pointing here) and restart
          it.
        </Typography.Paragraph>
      </Flex>
    </Modal>
  );
}
