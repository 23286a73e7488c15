import { Form, Radio } from "antd";
import { roleLabels } from "@/features/auth";

/** Viewer (read only) or admin (everything, including users). */
export function RoleField() {
  return (
    <Form.Item
      label="Role"
      name="role"
      rules={[{ required: true, message: "Choose a role" }]}
      extra="Viewers can look; admins can also change settings and manage users."
    >
      <Radio.Group
        data-testid="user-form-role"
        optionType="button"
        options={[
          { value: "viewer", label: roleLabels.viewer },
          { value: "admin", label: roleLabels.admin },
        ]}
      />
    </Form.Item>
  );
}
