import { Alert, App, Button, Card, Checkbox, Form, Radio, Select, Skeleton, Switch } from "antd";
import { useState } from "react";
import { LoadFailed } from "@/components/resource-page/ResourcePage";
import { useSites } from "@/features/sites";
import { applyServerErrors } from "@/lib/form-errors";
import { usePreferences, useSavePreferences } from "../api/notifications";
import { preferencesForm, preferencesWrite } from "../lib/notifications";
import type { PreferencesFormValues } from "../lib/notifications";
import { SEVERITIES, SEVERITY_LABELS } from "../lib/severity";
import type { Preferences } from "../types";

const FIELDS = ["email", "severities", "site_ids"];

function PreferencesForm({ preferences }: { preferences: Preferences }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<PreferencesFormValues>();
  const save = useSavePreferences();
  const sites = useSites();
  const [problem, setProblem] = useState<string | null>(null);
  const email = Form.useWatch("email", form) ?? preferences.email;
  const which = Form.useWatch("sites", form);

  const onFinish = async (values: PreferencesFormValues) => {
    setProblem(null);
    try {
      const saved = await save.mutateAsync(preferencesWrite(values));
      form.setFieldsValue(preferencesForm(saved));
      void message.success("Your notification preferences are saved");
    } catch (error) {
      setProblem(applyServerErrors(form, error, FIELDS));
    }
  };

  return (
    <Form<PreferencesFormValues>
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={preferencesForm(preferences)}
      onFinish={(values) => void onFinish(values)}
      data-testid="preferences-form"
    >
      {problem && (
        <Alert
          data-testid="preferences-error"
          type="error"
          showIcon
          title={problem}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form.Item
        name="email"
        label="E-mail me when an alert fires or resolves"
        valuePropName="checked"
      >
        <Switch data-testid="preferences-email" />
      </Form.Item>
      <Form.Item
        name="severities"
        label="Of these severities"
        // a validator, not `required`: antd would put aria-required on the checkboxes' <div>,
        // which ARIA does not allow there (axe: aria-allowed-attr)
        rules={[
          {
            validator: (_, value: unknown[] | undefined) =>
              email && (value ?? []).length === 0
                ? Promise.reject(new Error("Pick at least one"))
                : Promise.resolve(),
          },
        ]}
      >
        <Checkbox.Group
          data-testid="preferences-severities"
          disabled={!email}
          options={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
        />
      </Form.Item>
      <Form.Item name="sites" label="For">
        <Radio.Group
          data-testid="preferences-sites"
          disabled={!email}
          options={[
            { value: "all", label: <span data-testid="preferences-sites-all">Every site</span> },
            {
              value: "chosen",
              label: <span data-testid="preferences-sites-chosen">These sites</span>,
            },
          ]}
        />
      </Form.Item>
      {which === "chosen" && (
        <Form.Item
          name="site_ids"
          rules={[{ required: true, type: "array", min: 1, message: "Pick at least one site" }]}
        >
          <Select
            mode="multiple"
            data-testid="preferences-site-ids"
            aria-label="Sites"
            placeholder="Sites"
            disabled={!email}
            loading={sites.isPending}
            showSearch={{ optionFilterProp: "label" }}
            options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
      )}
      <Button
        type="primary"
        htmlType="submit"
        loading={save.isPending}
        data-testid="preferences-save"
      >
        Save
      </Button>
    </Form>
  );
}

/** "My notifications": every admin and viewer chooses what they are e-mailed about. */
export function PreferencesCard() {
  const preferences = usePreferences();
  return (
    <Card size="small" title="My notifications" data-testid="preferences-card">
      {preferences.isError ? (
        <LoadFailed error={preferences.error} title="Your preferences could not be loaded" />
      ) : preferences.data ? (
        <PreferencesForm preferences={preferences.data} />
      ) : (
        <Skeleton active />
      )}
    </Card>
  );
}
