import { App, Form, Input, Select } from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import { useSiteDevices } from "@/features/sites";
import { useVirtualMeters } from "@/features/virtual-meters";
import { useAssignMeter } from "../api/tenants";
import { siteInstant } from "../lib/instants";
import { meterKey, parseMeterKey } from "../lib/meters";
import type { Tenant } from "../types";

type Values = { meter: string; start: string; end?: string };

/** Give a tenant a meter (a device or a virtual meter of its site) from an instant. */
export function AssignMeterModal({
  tenant,
  timeZone,
  onClose,
}: {
  tenant: Tenant;
  timeZone: string;
  onClose: () => void;
}) {
  const { message } = App.useApp();
  const devices = useSiteDevices(tenant.site_id);
  const meters = useVirtualMeters(tenant.site_id);
  const assign = useAssignMeter(tenant.id);

  const options = [
    {
      label: "Meters",
      options: (devices.data ?? []).map((d) => ({
        value: meterKey({ kind: "device", id: d.id }),
        label: d.name,
      })),
    },
    {
      label: "Virtual meters",
      options: (meters.data ?? []).map((m) => ({
        value: meterKey({ kind: "virtual_meter", id: m.id }),
        label: m.name,
      })),
    },
  ].filter((group) => group.options.length > 0);

  const submit = async (values: Values) => {
    const ref = parseMeterKey(values.meter);
    const start = siteInstant(values.start, timeZone);
    const end = values.end ? siteInstant(values.end, timeZone) : null;
    if (!ref || !start) return;
    await assign.mutateAsync({
      device_id: ref.kind === "device" ? ref.id : null,
      virtual_meter_id: ref.kind === "virtual_meter" ? ref.id : null,
      start,
      end,
    });
    void message.success(`Meter assigned to ${tenant.name}`);
    onClose();
  };

  return (
    <FormModal<Values>
      title={`Assign a meter to ${tenant.name}`}
      okText="Assign"
      onSubmit={submit}
      onClose={onClose}
      fields={["meter", "device_id", "virtual_meter_id", "start", "end"]}
      intro={
        <p>
          Times are the site&apos;s clock ({timeZone}). To move a meter from another tenant, end its
          assignment there first (&ldquo;Move out&rdquo;) at the same instant.
        </p>
      }
      testIds={{
        form: "assign-meter-form",
        submit: "assign-meter-submit",
        error: "assign-meter-error",
      }}
    >
      <Form.Item name="meter" label="Meter" rules={[{ required: true, message: "Choose a meter" }]}>
        <Select
          data-testid="assign-meter-meter"
          placeholder="A meter or virtual meter of the site"
          loading={devices.isPending || meters.isPending}
          options={options}
          showSearch={{ optionFilterProp: "label" }}
        />
      </Form.Item>
      <Form.Item
        name="start"
        label="From (move in)"
        rules={[{ required: true, message: "When the tenant starts on this meter" }]}
      >
        <Input data-testid="assign-meter-start" type="datetime-local" />
      </Form.Item>
      <Form.Item name="end" label="Until (move out; empty: still there)">
        <Input data-testid="assign-meter-end" type="datetime-local" />
      </Form.Item>
    </FormModal>
  );
}
