import { Alert, App, Form, Input, Modal, Select } from "antd";
import { useMemo, useState } from "react";
import { applyServerErrors } from "@/lib/form-errors";
import { useCreateSite, useUpdateSite } from "../api/sites";
import { browserTimeZone, timeZoneNames } from "../lib/timezones";
import type { Site } from "../types";

type SiteValues = {
  name: string;
  timezone: string;
  utility?: string;
  address?: string;
};

const FIELDS = ["name", "timezone", "utility", "address"] as const;

/** Empty optional text is "none" (null), not "". */
function optional(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

type SiteFormModalProps = {
  /** Edit this site; without it, create a new one. */
  site?: Site;
  onClose: () => void;
  onSaved?: (site: Site) => void;
};

/** Create or edit a site. Mounted while open, so every opening starts fresh. */
export function SiteFormModal({ site, onClose, onSaved }: SiteFormModalProps) {
  const [form] = Form.useForm<SiteValues>();
  const createSite = useCreateSite();
  const updateSite = useUpdateSite();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);
  const zones = useMemo(() => timeZoneNames().map((zone) => ({ value: zone, label: zone })), []);
  const editing = site !== undefined;
  const pending = createSite.isPending || updateSite.isPending;

  const initialValues: Partial<SiteValues> = site
    ? {
        name: site.name,
        timezone: site.timezone,
        utility: site.utility ?? "",
        address: site.address ?? "",
      }
    : { timezone: browserTimeZone() };

  const onFinish = async (values: SiteValues) => {
    setProblem(null);
    const body = {
      name: values.name.trim(),
      timezone: values.timezone,
      utility: optional(values.utility),
      address: optional(values.address),
    };
    try {
      const saved = site
        ? await updateSite.mutateAsync({ id: site.id, ...body })
        : await createSite.mutateAsync(body);
      void message.success(site ? `Saved ${saved.name}` : `Created ${saved.name}`);
      onSaved?.(saved);
      onClose();
    } catch (error) {
      setProblem(applyServerErrors(form, error, FIELDS));
    }
  };

  return (
    <Modal
      open
      title={editing ? `Edit ${site.name}` : "Create site"}
      okText={editing ? "Save" : "Create"}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={pending}
      okButtonProps={{ "data-testid": "site-form-submit" }}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={initialValues}
        onFinish={(values) => void onFinish(values)}
        data-testid="site-form"
      >
        {problem && (
          <Alert
            data-testid="site-form-error"
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
            { required: true, whitespace: true, message: "Enter the site's name" },
            { max: 200, message: "At most 200 characters" },
          ]}
        >
          <Input data-testid="site-form-name" autoComplete="off" placeholder="Head office" />
        </Form.Item>
        <Form.Item
          label="Time zone"
          name="timezone"
          extra="Days, months and the heat map follow this zone."
          rules={[{ required: true, message: "Choose the site's time zone" }]}
        >
          <Select
            data-testid="site-form-timezone"
            showSearch={{ optionFilterProp: "label" }}
            options={zones}
            placeholder="Africa/Johannesburg"
          />
        </Form.Item>
        <Form.Item
          label="Utility"
          name="utility"
          rules={[{ max: 500, message: "At most 500 characters" }]}
        >
          <Input data-testid="site-form-utility" autoComplete="off" placeholder="optional" />
        </Form.Item>
        <Form.Item
          label="Address"
          name="address"
          rules={[{ max: 500, message: "At most 500 characters" }]}
        >
          <Input.TextArea
            data-testid="site-form-address"
            autoSize={{ minRows: 2, maxRows: 4 }}
            placeholder="optional"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
