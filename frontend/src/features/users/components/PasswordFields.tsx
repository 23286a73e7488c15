import { Form, Input } from "antd";
import { MIN_PASSWORD_LENGTH } from "@/config/auth";

/** New password + confirmation, with the server's minimum length checked up front. */
export function PasswordFields({ label = "Password" }: { label?: string }) {
  return (
    <>
      <Form.Item
        label={label}
        name="password"
        rules={[
          { required: true, message: "Enter a password" },
          {
            min: MIN_PASSWORD_LENGTH,
            message: `At least ${MIN_PASSWORD_LENGTH} characters`,
          },
        ]}
        hasFeedback
      >
        <Input.Password data-testid="user-form-password" autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        label="Confirm password"
        name="confirm"
        dependencies={["password"]}
        hasFeedback
        rules={[
          { required: true, message: "Repeat the password" },
          ({ getFieldValue }) => ({
            validator(_, value) {
              if (!value || getFieldValue("password") === value) return Promise.resolve();
              return Promise.reject(new Error("The passwords do not match"));
            },
          }),
        ]}
      >
        <Input.Password data-testid="user-form-confirm" autoComplete="new-password" />
      </Form.Item>
    </>
  );
}
