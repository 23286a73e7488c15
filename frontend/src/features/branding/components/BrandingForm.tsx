import { Alert, App, Button, Col, Divider, Flex, Form, Input, Popconfirm, Radio, Row } from "antd";
import type { FormInstance } from "antd";
import { useState } from "react";
import { EMAIL_PATTERN } from "@/config/auth";
import { applyServerErrors } from "@/lib/form-errors";
import { testId } from "@/lib/test-id";
import { useResetBranding, useUpdateBranding } from "../api/branding";
import { BRANDING_FIELDS, toFormValues, toUpdate, type BrandingFormValues } from "../lib/form";
import type { Branding } from "../lib/types";
import { ColorField } from "./ColorField";
import { ContrastNote } from "./ContrastNote";

const COLOR_RULES = [
  { required: true, message: "Choose a colour" },
  { pattern: /^#[0-9a-fA-F]{6}$/, message: "Enter a colour like #1677ff" },
];

type BrandingFormProps = {
  form: FormInstance<BrandingFormValues>;
  branding: Branding;
};

/** Name, colours, default theme, tagline and support contacts; saved with PUT /api/branding. */
export function BrandingForm({ form, branding }: BrandingFormProps) {
  const update = useUpdateBranding();
  const reset = useResetBranding();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);
  const primary = Form.useWatch("primary_color", form);
  const mode = Form.useWatch("theme", form);

  const onFinish = async (values: BrandingFormValues) => {
    setProblem(null);
    try {
      const saved = await update.mutateAsync(toUpdate(values));
      form.setFieldsValue(toFormValues(saved));
      void message.success("Branding saved");
    } catch (error) {
      setProblem(applyServerErrors(form, error, BRANDING_FIELDS));
    }
  };

  const onReset = async () => {
    setProblem(null);
    try {
      const defaults = await reset.mutateAsync();
      form.resetFields();
      form.setFieldsValue(toFormValues(defaults));
      void message.success("Branding reset to the defaults");
    } catch (error) {
      setProblem(applyServerErrors(form, error, []));
    }
  };

  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={toFormValues(branding)}
      onFinish={(values) => void onFinish(values)}
      data-testid="branding-form"
    >
      {problem && (
        <Alert
          data-testid="branding-error"
          type="error"
          showIcon
          title={problem}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form.Item
        label="Product name"
        name="product_name"
        extra="Shown in the header, on the login page and as the browser tab title."
        rules={[
          { required: true, whitespace: true, message: "Enter the product name" },
          { max: 80, message: "At most 80 characters" },
        ]}
      >
        <Input data-testid="branding-product-name" autoComplete="off" />
      </Form.Item>
      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item
            label="Primary colour"
            name="primary_color"
            rules={COLOR_RULES}
            extra="Buttons, links and the header."
          >
            <ColorField testId="branding-primary" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item
            label="Secondary colour"
            name="secondary_color"
            rules={COLOR_RULES}
            extra="Accents, such as the line under the header."
          >
            <ColorField testId="branding-secondary" />
          </Form.Item>
        </Col>
      </Row>
      <ContrastNote primary={primary} mode={mode} />
      <Form.Item label="Default theme" name="theme">
        <Radio.Group
          data-testid="branding-theme"
          optionType="button"
          options={[
            { label: "Light", value: "light" },
            { label: "Dark", value: "dark" },
          ]}
        />
      </Form.Item>
      <Form.Item
        label="Tagline"
        name="tagline"
        extra="Shown under the product name on the login page."
        rules={[{ max: 200, message: "At most 200 characters" }]}
      >
        <Input data-testid="branding-tagline" autoComplete="off" />
      </Form.Item>
      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item
            label="Support e-mail"
            name="support_email"
            rules={[
              {
                pattern: EMAIL_PATTERN,
                message: "Enter an e-mail address like support@example.com",
              },
              { max: 320, message: "At most 320 characters" },
            ]}
          >
            <Input data-testid="branding-support-email" autoComplete="off" inputMode="email" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item
            label="Support URL"
            name="support_url"
            rules={[
              {
                pattern: /^https?:\/\/[^\s<>"']+$/,
                message: "Enter an http(s) URL like https://example.com/support",
              },
              { max: 500, message: "At most 500 characters" },
            ]}
          >
            <Input data-testid="branding-support-url" autoComplete="off" inputMode="url" />
          </Form.Item>
        </Col>
      </Row>
      <Divider style={{ marginBlock: 8 }} />
      <Flex justify="space-between" gap={8} wrap>
        <Button
          data-testid="branding-save"
          type="primary"
          htmlType="submit"
          loading={update.isPending}
        >
          Save branding
        </Button>
        <Popconfirm
          title="Reset the branding to the defaults?"
          description="The name, colours, texts, logo and favicon go back to the defaults."
          okText="Reset"
          okButtonProps={{ danger: true, ...testId("branding-reset-confirm") }}
          onConfirm={() => void onReset()}
        >
          <Button data-testid="branding-reset" danger loading={reset.isPending}>
            Reset to defaults
          </Button>
        </Popconfirm>
      </Flex>
    </Form>
  );
}
