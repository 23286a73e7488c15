import { SendOutlined } from "@ant-design/icons";
import {
  Alert,
  App,
  Button,
  Checkbox,
  Col,
  Flex,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { FormModal } from "@/components/form-modal/FormModal";
import { applyServerErrors } from "@/lib/form-errors";
import { useSaveSmtp, useSmtpTest } from "../api/notifications";
import { SECURITY_LABELS, SMTP_SOURCE_LABELS, smtpForm, smtpWrite } from "../lib/notifications";
import type { SmtpFormValues } from "../lib/notifications";
import type { ChannelTestResult, SmtpSecurity, SmtpSettings } from "../types";
import { TestResultAlert } from "./TestResultAlert";

const FIELDS = [
  "host",
  "port",
  "security",
  "username",
  "password",
  "clear_password",
  "from_address",
  "from_name",
];

/** "Send a test": to whom, then the server's answer (the dialog stays open to show it). */
function SmtpTestModal({ onClose }: { onClose: () => void }) {
  const test = useSmtpTest();
  const [result, setResult] = useState<ChannelTestResult | null>(null);
  return (
    <FormModal<{ to: string }>
      title="Send a test e-mail"
      okText="Send"
      onSubmit={async ({ to }) => {
        setResult(null);
        setResult(await test.mutateAsync(to.trim()));
      }}
      onClose={onClose}
      fields={["to"]}
      intro={
        result ? (
          <TestResultAlert result={result} testId="smtp-test-result" />
        ) : (
          <Typography.Paragraph type="secondary">
            Sends a test message with the saved settings: save your changes first.
          </Typography.Paragraph>
        )
      }
      testIds={{
        form: "smtp-test-form",
        submit: "smtp-test-submit",
        error: "smtp-test-error",
        modal: "smtp-test-modal",
      }}
    >
      <Form.Item
        name="to"
        label="Send it to"
        rules={[{ required: true, type: "email", message: "An e-mail address" }]}
      >
        <Input data-testid="smtp-test-to" type="email" placeholder="me@example.com" />
      </Form.Item>
    </FormModal>
  );
}

/** The SMTP server the alert e-mails go through (admin); the password is write-only. */
export function SmtpCard({ smtp }: { smtp: SmtpSettings }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<SmtpFormValues>();
  const save = useSaveSmtp();
  const [problem, setProblem] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const clearing = Form.useWatch("clear_password", form) ?? false;

  const onFinish = async (values: SmtpFormValues) => {
    setProblem(null);
    try {
      const saved = await save.mutateAsync(smtpWrite(values));
      form.setFieldsValue(smtpForm(saved));
      void message.success("SMTP settings saved");
    } catch (error) {
      setProblem(applyServerErrors(form, error, FIELDS));
    }
  };

  return (
    <>
      <Flex gap={8} align="center" wrap style={{ marginBottom: 12 }}>
        <Typography.Text type="secondary">Settings in use:</Typography.Text>
        <Tag
          data-testid="smtp-source"
          data-source={smtp.source}
          color={smtp.source === "none" ? "default" : smtp.source === "app" ? "green" : "blue"}
        >
          {SMTP_SOURCE_LABELS[smtp.source]}
        </Tag>
      </Flex>
      <Form<SmtpFormValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={smtpForm(smtp)}
        onFinish={(values) => void onFinish(values)}
        data-testid="smtp-form"
      >
        {problem && (
          <Alert
            data-testid="smtp-error"
            type="error"
            showIcon
            title={problem}
            style={{ marginBottom: 16 }}
          />
        )}
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item name="host" label="Host" rules={[{ required: true, whitespace: true }]}>
              <Input data-testid="smtp-host" placeholder="smtp.example.com" maxLength={255} />
            </Form.Item>
          </Col>
          <Col xs={8} md={4}>
            <Form.Item name="port" label="Port" rules={[{ required: true }]}>
              <InputNumber
                data-testid="smtp-port"
                min={1}
                max={65535}
                precision={0}
                style={{ width: "100%" }}
              />
            </Form.Item>
          </Col>
          <Col xs={16} md={8}>
            <Form.Item name="security" label="Security">
              <Select
                data-testid="smtp-security"
                options={(Object.keys(SECURITY_LABELS) as SmtpSecurity[]).map((s) => ({
                  value: s,
                  label: SECURITY_LABELS[s],
                }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item name="username" label="Username" extra="Empty: no authentication.">
              <Input data-testid="smtp-username" autoComplete="off" maxLength={320} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="password"
              label="Password"
              extra={
                <span data-testid="smtp-password-state">
                  {smtp.password_set
                    ? "A password is set: type a new one to replace it, or leave this empty to keep it."
                    : "No password is set."}
                </span>
              }
            >
              <Input.Password
                data-testid="smtp-password"
                autoComplete="new-password"
                disabled={clearing}
                placeholder={smtp.password_set ? "•••••••• (unchanged)" : ""}
                maxLength={500}
              />
            </Form.Item>
            {smtp.password_set && (
              <Form.Item name="clear_password" valuePropName="checked" style={{ marginTop: -8 }}>
                <Checkbox data-testid="smtp-clear-password">Clear the stored password</Checkbox>
              </Form.Item>
            )}
          </Col>
        </Row>
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item
              name="from_address"
              label="From address"
              rules={[{ required: true, type: "email", message: "An e-mail address" }]}
            >
              <Input data-testid="smtp-from-address" placeholder="alerts@example.com" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="from_name" label="From name">
              <Input data-testid="smtp-from-name" placeholder="Power Portal" maxLength={200} />
            </Form.Item>
          </Col>
        </Row>
        <Flex gap={8}>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="smtp-save">
            Save
          </Button>
          <Button
            icon={<SendOutlined />}
            data-testid="smtp-test"
            disabled={smtp.source === "none"}
            onClick={() => setTesting(true)}
          >
            Send a test
          </Button>
        </Flex>
      </Form>
      {testing && <SmtpTestModal onClose={() => setTesting(false)} />}
    </>
  );
}
