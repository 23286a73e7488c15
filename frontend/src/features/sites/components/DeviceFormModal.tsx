import { App, Form, Input, Select } from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import { useCreateDevice, useUpdateDevice } from "../api/devices";
import { useSites } from "../api/sites";
import type { Device } from "../types";

type DeviceValues = {
  name: string;
  serial: string;
  model?: string;
  site_id: number;
};

const FIELDS = ["name", "serial", "model", "site_id"] as const;
export const SERIAL_PATTERN = /^[A-Za-z0-9._:-]+$/;

type DeviceFormModalProps = {
  siteId: number;
  /** Edit this device; without it, add a new one to the site. */
  device?: Device;
  onClose: () => void;
};

/** Add a device to a site, or edit one (name, serial, model, and which site it belongs to). */
export function DeviceFormModal({ siteId, device, onClose }: DeviceFormModalProps) {
  const createDevice = useCreateDevice();
  const updateDevice = useUpdateDevice();
  const sites = useSites();
  const { message } = App.useApp();
  const editing = device !== undefined;

  const onSubmit = async (values: DeviceValues) => {
    const body = {
      name: values.name.trim(),
      serial: values.serial.trim(),
      model: values.model?.trim() ? values.model.trim() : null,
    };
    const saved = device
      ? await updateDevice.mutateAsync({
          id: device.id,
          ...body,
          ...(values.site_id !== device.site_id ? { site_id: values.site_id } : {}),
        })
      : await createDevice.mutateAsync({ siteId, ...body });
    void message.success(device ? `Saved ${saved.name}` : `Added ${saved.name}`);
    onClose();
  };

  return (
    <FormModal<DeviceValues>
      title={editing ? `Edit ${device.name}` : "Add device"}
      okText={editing ? "Save" : "Add"}
      onSubmit={onSubmit}
      onClose={onClose}
      fields={FIELDS}
      initialValues={
        device
          ? {
              name: device.name,
              serial: device.serial,
              model: device.model ?? "",
              site_id: device.site_id,
            }
          : { site_id: siteId }
      }
      testIds={{ form: "device-form", submit: "device-form-submit", error: "device-form-error" }}
    >
      <Form.Item
        label="Name"
        name="name"
        rules={[
          { required: true, whitespace: true, message: "Enter the device's name" },
          { max: 200, message: "At most 200 characters" },
        ]}
      >
        <Input data-testid="device-form-name" autoComplete="off" placeholder="Main incomer" />
      </Form.Item>
      <Form.Item
        label="Serial number"
        name="serial"
        extra="Letters, digits and . _ : - only; unique across all sites."
        rules={[
          { required: true, whitespace: true, message: "Enter the meter's serial number" },
          { max: 100, message: "At most 100 characters" },
          { pattern: SERIAL_PATTERN, message: "Use letters, digits and . _ : - only" },
        ]}
      >
        <Input data-testid="device-form-serial" autoComplete="off" placeholder="ACV-000123" />
      </Form.Item>
      <Form.Item
        label="Model"
        name="model"
        rules={[{ max: 100, message: "At most 100 characters" }]}
      >
        <Input
          data-testid="device-form-model"
          autoComplete="off"
          placeholder="optional, e.g. Acuvim II"
        />
      </Form.Item>
      {editing && (
        <Form.Item
          label="Site"
          name="site_id"
          extra="Move the device (and its history) to another site."
        >
          <Select
            data-testid="device-form-site"
            loading={sites.isPending}
            options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
      )}
    </FormModal>
  );
}
