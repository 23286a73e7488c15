import { CheckOutlined, CopyOutlined } from "@ant-design/icons";
import { Alert, App, Button, Flex, Typography } from "antd";
import type { ReactNode } from "react";
import { useState } from "react";
import { copyText } from "@/lib/clipboard";

type ShownOnceSecretProps = {
  /** The token itself: the server never shows it again. */
  secret: string;
  /** Why it matters that it is copied now (under the warning). */
  description: ReactNode;
  secretTestId: string;
  copyTestId: string;
  warningTestId?: string;
  /** What the secret is called in the warning and the messages ("token" unless told). */
  noun?: string;
  /** How to use it (below the token). */
  children?: ReactNode;
};

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A secret shown this once: a warning, the value, a copy button, and how to use it. */
export function ShownOnceSecret({
  secret,
  description,
  secretTestId,
  copyTestId,
  warningTestId,
  noun = "token",
  children,
}: ShownOnceSecretProps) {
  const { message } = App.useApp();
  const [copied, setCopied] = useState(false);
  return (
    <Flex vertical gap={16}>
      <Alert
        type="warning"
        showIcon
        data-testid={warningTestId}
        title={`Copy this ${noun} now: it will not be shown again.`}
        description={description}
      />
      <Flex gap={8} align="stretch">
        <Typography.Text
          code
          data-testid={secretTestId}
          style={{
            flex: 1,
            padding: "6px 8px",
            fontSize: 13,
            wordBreak: "break-all",
            userSelect: "all",
          }}
        >
          {secret}
        </Typography.Text>
        <Button
          data-testid={copyTestId}
          icon={copied ? <CheckOutlined /> : <CopyOutlined />}
          onClick={() =>
            void copyText(secret).then((ok) => {
              setCopied(ok);
              if (ok) void message.success(`${capitalised(noun)} copied to the clipboard`);
              else void message.warning(`Could not copy: select the ${noun} and copy it by hand`);
            })
          }
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </Flex>
      {children}
    </Flex>
  );
}
