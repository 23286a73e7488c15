import { App, Typography } from "antd";
import type { User } from "@/api/types";
import { FormModal } from "@/components/form-modal/FormModal";
import { useResetUserPassword } from "../api/mutations";
import { PasswordFields } from "./PasswordFields";

type ResetPasswordValues = { password: string; confirm: string };

export function ResetPasswordModal({ user, onClose }: { user: User; onClose: () => void }) {
  const resetPassword = useResetUserPassword();
  const { message } = App.useApp();

  const onSubmit = async ({ password }: ResetPasswordValues) => {
    await resetPassword.mutateAsync({ id: user.id, password });
    void message.success(`New password set for ${user.email}`);
    onClose();
  };

  return (
    <FormModal<ResetPasswordValues>
      title={`Reset password of ${user.email}`}
      okText="Set password"
      onSubmit={onSubmit}
      onClose={onClose}
      fields={["password"]}
      intro={
        <Typography.Paragraph type="secondary">
          Their sessions end: they log in again with the new password. This also clears a lockout.
        </Typography.Paragraph>
      }
      testIds={{
        form: "reset-password-form",
        submit: "reset-password-submit",
        error: "reset-password-error",
      }}
    >
      <PasswordFields label="New password" />
    </FormModal>
  );
}
