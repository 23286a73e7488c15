import { Alert, App, Form, Input, Modal } from "antd";
import { useState } from "react";
import type { Role, User } from "@/api/types";
import { applyServerErrors } from "@/lib/form-errors";
import { useUpdateUser } from "../api/mutations";
import { RoleField } from "./RoleField";

type EditUserValues = { name: string; role: Role };

const FIELDS = ["name", "role"] as const;

export function EditUserModal({ user, onClose }: { user: User; onClose: () => void }) {
  const [form] = Form.useForm<EditUserValues>();
  const updateUser = useUpdateUser();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);

  const onFinish = async ({ name, role }: EditUserValues) => {
    setProblem(null);
    try {
      await updateUser.mutateAsync({ id: user.id, name: name.trim(), role });
      void message.success(`Saved ${user.email}`);
      onClose();
    } catch (error) {
      setProblem(applyServerErrors(form, error, FIELDS));
    }
  };

  return (
    <Modal
      open
      title={`Edit ${user.email}`}
      okText="Save"
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={updateUser.isPending}
      okButtonProps={{ "data-testid": "edit-user-submit" }}
    >
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ name: user.name, role: user.role }}
        onFinish={(values) => void onFinish(values)}
        data-testid="edit-user-form"
      >
        {problem && (
          <Alert
            data-testid="edit-user-error"
            type="error"
            showIcon
            title={problem}
            style={{ marginBottom: 16 }}
          />
        )}
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
      </Form>
    </Modal>
  );
}
