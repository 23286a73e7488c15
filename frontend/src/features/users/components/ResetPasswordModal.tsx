import { Alert, App, Form, Modal, Typography } from "antd";
import { useState } from "react";
import type { User } from "@/api/types";
import { applyServerErrors } from "@/lib/form-errors";
import { useResetUserPassword } from "../api/mutations";
import { PasswordFields } from "./PasswordFields";

type ResetPasswordValues = { password: string; confirm: string };

export function ResetPasswordModal({ user, onClose }: { user: User; onClose: () => void }) {
  const [form] = Form.useForm<ResetPasswordValues>();
  const resetPassword = useResetUserPassword();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);

  const onFinish = async ({ password }: ResetPasswordValues) => {
    setProblem(null);
    try {
      await resetPassword.mutateAsync({ id: user.id, password });
      void message.success(`New password set for ${user.email}`);
      onClose();
    } catch (error) {
      setProblem(applyServerErrors(form, error, ["password"]));
    }
  };

  return (
    <Modal
      open
      title={`Reset password of ${user.email}`}
      okText="Set password"
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={resetPassword.isPending}
      okButtonProps={{ "data-testid": "reset-password-submit" }}
    >
      <Typography.Paragraph type="secondary">
        Their sessions end: they log in again with the new password. This also clears a lockout.
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(values) => void onFinish(values)}
        data-testid="reset-password-form"
      >
        {problem && (
          <Alert
            data-testid="reset-password-error"
            type="error"
            showIcon
            title={problem}
            style={{ marginBottom: 16 }}
          />
        )}
        <PasswordFields label="New password" />
      </Form>
    </Modal>
  );
}
