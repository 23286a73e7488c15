import { App, Form, Input } from "antd";
import type { Role } from "@/api/types";
import { FormModal } from "@/components/form-modal/FormModal";
import { EMAIL_PATTERN } from "@/config/auth";
import { useCreateUser } from "../api/mutations";
import { PasswordFields } from "./PasswordFields";
import { RoleField } from "./RoleField";

type CreateUserValues = {
  email: string;
  name: string;
  role: Role;
  tenant_id?: number | null;
  password: string;
  confirm: string;
};

const FIELDS = ["email", "name", "role", "tenant_id", "password"] as const;

/** Mounted while open (the parent renders it conditionally), so every opening starts blank. */
export function CreateUserModal({ onClose }: { onClose: () => void }) {
  const createUser = useCreateUser();
  const { message } = App.useApp();

  const onSubmit = async ({ email, name, role, tenant_id, password }: CreateUserValues) => {
    const user = await createUser.mutateAsync({
      email: email.trim(),
      name: name.trim(),
      role,
      ...(role === "tenant" ? { tenant_id } : {}),
      password,
    });
    void message.success(`Created ${user.email}`);
    onClose();
  };

  return (
    <FormModal<CreateUserValues>
      title="Create user"
      okText="Create"
      onSubmit={onSubmit}
      onClose={onClose}
      fields={FIELDS}
      initialValues={{ role: "viewer" }}
      testIds={{
        modal: "create-user-modal",
        form: "create-user-form",
        submit: "create-user-submit",
        error: "create-user-error",
      }}
    >
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
      <RoleField withTenant />
      <PasswordFields />
    </FormModal>
  );
}
