import { App, Form, Input } from "antd";
import type { Role, User } from "@/api/types";
import { FormModal } from "@/components/form-modal/FormModal";
import { useUpdateUser } from "../api/mutations";
import { RoleField } from "./RoleField";

type EditUserValues = { name: string; role: Role };

const FIELDS = ["name", "role"] as const;

export function EditUserModal({ user, onClose }: { user: User; onClose: () => void }) {
  const updateUser = useUpdateUser();
  const { message } = App.useApp();

  const onSubmit = async ({ name, role }: EditUserValues) => {
    await updateUser.mutateAsync({ id: user.id, name: name.trim(), role });
    void message.success(`Saved ${user.email}`);
    onClose();
  };

  return (
    <FormModal<EditUserValues>
      title={`Edit ${user.email}`}
      okText="Save"
      onSubmit={onSubmit}
      onClose={onClose}
      fields={FIELDS}
      initialValues={{ name: user.name, role: user.role }}
      testIds={{ form: "edit-user-form", submit: "edit-user-submit", error: "edit-user-error" }}
    >
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
    </FormModal>
  );
}
