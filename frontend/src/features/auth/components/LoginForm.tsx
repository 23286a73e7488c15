import { LockOutlined, MailOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input } from "antd";
import { errorMessage } from "@/api/errors";
import type { LoginRequest, User } from "@/api/types";
import { EMAIL_PATTERN } from "@/config/auth";
import { useLogin } from "../api/login";

type LoginFormProps = {
  onSuccess: (user: User) => void;
};

/** E-mail + password; shows the server's reason (wrong password, locked) above the fields. */
export function LoginForm({ onSuccess }: LoginFormProps) {
  const [form] = Form.useForm<LoginRequest>();
  const loginMutation = useLogin();

  const onFinish = (values: LoginRequest) => {
    loginMutation.mutate({ email: values.email.trim(), password: values.password }, { onSuccess });
  };

  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      onFinish={onFinish}
      data-testid="login-form"
      disabled={loginMutation.isPending}
    >
      {loginMutation.isError && (
        <Alert
          data-testid="login-error"
          type="error"
          showIcon
          title={errorMessage(loginMutation.error)}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form.Item
        label="E-mail"
        name="email"
        rules={[
          { required: true, whitespace: true, message: "Enter your e-mail address" },
          { pattern: EMAIL_PATTERN, message: "Enter an e-mail address like name@example.com" },
        ]}
      >
        <Input
          data-testid="login-email"
          prefix={<MailOutlined />}
          autoComplete="username"
          inputMode="email"
          autoFocus
        />
      </Form.Item>
      <Form.Item
        label="Password"
        name="password"
        rules={[{ required: true, message: "Enter your password" }]}
      >
        <Input.Password
          data-testid="login-password"
          prefix={<LockOutlined />}
          autoComplete="current-password"
        />
      </Form.Item>
      <Button
        data-testid="login-submit"
        type="primary"
        htmlType="submit"
        block
        loading={loginMutation.isPending}
      >
        Log in
      </Button>
    </Form>
  );
}
