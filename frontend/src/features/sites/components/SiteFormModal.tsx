import { App, Form, Input, InputNumber, Select } from "antd";
import { useMemo } from "react";
import { FormModal } from "@/components/form-modal/FormModal";
import { browserTimeZone, timeZoneNames } from "@/lib/timezones";
import { useCreateSite, useUpdateSite } from "../api/sites";
import type { Site } from "../types";

type SiteValues = {
  name: string;
  timezone: string;
  utility?: string;
  address?: string;
  discrepancy_percent: number;
};

const FIELDS = ["name", "timezone", "utility", "address", "discrepancy_percent"] as const;
/** The API's default share for a metering discrepancy. */
const DEFAULT_DISCREPANCY_PERCENT = 5;

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
  const createSite = useCreateSite();
  const updateSite = useUpdateSite();
  const { message } = App.useApp();
  const zones = useMemo(() => timeZoneNames().map((zone) => ({ value: zone, label: zone })), []);
  const editing = site !== undefined;

  const initialValues: Partial<SiteValues> = site
    ? {
        name: site.name,
        timezone: site.timezone,
        utility: site.utility ?? "",
        address: site.address ?? "",
        discrepancy_percent: site.discrepancy_percent,
      }
    : // The browser's zone; none (the user picks one) when the browser cannot tell.
      { timezone: browserTimeZone(), discrepancy_percent: DEFAULT_DISCREPANCY_PERCENT };

  const onSubmit = async (values: SiteValues) => {
    const body = {
      name: values.name.trim(),
      timezone: values.timezone,
      utility: optional(values.utility),
      address: optional(values.address),
      discrepancy_percent: values.discrepancy_percent ?? DEFAULT_DISCREPANCY_PERCENT,
    };
    const saved = site
      ? await updateSite.mutateAsync({ id: site.id, ...body })
      : await createSite.mutateAsync(body);
    void message.success(site ? `Saved ${saved.name}` : `Created ${saved.name}`);
    onSaved?.(saved);
    onClose();
  };

  return (
    <FormModal<SiteValues>
      title={editing ? `Edit ${site.name}` : "Create site"}
      okText={editing ? "Save" : "Create"}
      onSubmit={onSubmit}
      onClose={onClose}
      fields={FIELDS}
      initialValues={initialValues}
      testIds={{ form: "site-form", submit: "site-form-submit", error: "site-form-error" }}
    >
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
      <Form.Item
        label="Metering discrepancy threshold"
        name="discrepancy_percent"
        extra="Warn on a day when a meter's sub-meters add up to more than it measured by over this share."
        rules={[{ required: true, message: "Enter a share in percent" }]}
      >
        <InputNumber
          data-testid="site-form-discrepancy"
          min={0.1}
          max={1000}
          step={1}
          suffix="%"
          style={{ width: 140 }}
        />
      </Form.Item>
    </FormModal>
  );
}
