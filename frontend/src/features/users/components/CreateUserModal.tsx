import { Alert, App, Form, Input, Modal } from "antd";
import { useState } from "react";
import type { Role } from "@/api/types";
import { EMAIL_PATTERN } from "@/config/auth";
import { applyServerErrors } from "@/lib/form-errors";
import { useCreateUser } from "../api/mutations";
import { PasswordFields } from "./PasswordFields";
import { RoleField } from "./RoleField";

type CreateUserValues = {
  email: string;
  name: string;
  role: Role;
  password: string;
  confirm: string;
};

const FIELDS = ["email", "name", "role", "password"] as const;

/** Mounted while open (the parent renders it conditionally), so every opening starts blank. */
export function CreateUserModal({ onClose }: { onClose: () => void }) {
  const [form] = Form.useForm<CreateUserValues>();
  const createUser = useCreateUser();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);

  const onFinish = async ({ email, name, role, password }: CreateUserValues) => {
    setProblem(null);
    try {
      const user = await createUser.mutateAsync({
        email: email.trim(),
        name: name.trim(),
        role,
        password,
      });
      void message.success(`Created ${user.email}`);
      onClose();
    } catch (error) {
      setProblem(applyServerErrors(form, error, FIELDS));
    }
  };

  return (
    <Modal
      open
      title="Create user"
      okText="Create"
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={createUser.isPending}
      okButtonProps={{ "data-testid": "create-user-submit" }}
      data-testid="create-user-modal"
    >
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ role: "viewer" }}
        onFinish={(values) => void onFinish(values)}
        data-testid="create-user-form"
      >
        {problem && (
          <Alert
            data-testid="create-user-error"
            type="error"
            showIcon
            title={problem}
            style={{ marginBottom: 16 }}
          />
        )}
        <Form.Item
          label="E-mail"
          name="email"
          rules={[
            { required: true, whitespace: true, message: "Enter an e-mail address" },
            { pattern: EMAIL_PATTERN, message: "Enter an e-mail address like name@example.com" },
          ]}
        >
          <Input data-testid="user-form-email" autoComplete="off" inputMode="email" />
        </Form.Item>
        <Form.Item
          label="Name"
          name="name"
          rules={[
            { required: true, whitespace: true, message: "Enter the user's name" },
            { max: 200, message: "At most 200 characters" },
          ]}
        >
          <Input data-testid="user-form-name" autoComplete="off" />
        </Form.Item>
        <RoleField />
        <PasswordFields />
      </Form>
    </Modal>
  );
}
