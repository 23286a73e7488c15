import { Form, Radio } from "antd";
import { roleLabels } from "@/features/auth";
import { TenantPicker } from "@/features/tenants";

/**
 * Viewer (read only) or admin (everything, including users); with `withTenant`, also a
 * tenant user (its tenant's portal only), who then needs its tenant.
 */
export function RoleField({ withTenant = false }: { withTenant?: boolean }) {
  return (
    <>
      <Form.Item
        label="Role"
        name="role"
        rules={[{ required: true, message: "Choose a role" }]}
        extra={
          withTenant
            ? "Viewers can look; admins can also change settings and manage users; a tenant sees only its own meters and bills."
            : "Viewers can look; admins can also change settings and manage users."
        }
      >
        <Radio.Group
          data-testid="user-form-role"
          optionType="button"
          options={[
            { value: "viewer", label: roleLabels.viewer },
            { value: "admin", label: roleLabels.admin },
            ...(withTenant ? [{ value: "tenant", label: roleLabels.tenant }] : []),
          ]}
        />
      </Form.Item>
      {withTenant && (
        <Form.Item noStyle dependencies={["role"]}>
          {({ getFieldValue }) =>
            getFieldValue("role") === "tenant" && (
              <Form.Item
                label="Tenant"
                name="tenant_id"
                rules={[{ required: true, message: "Choose the tenant" }]}
              >
                <TenantPicker data-testid="user-form-tenant" />
              </Form.Item>
            )
          }
        </Form.Item>
      )}
    </>
  );
}
