import { App, Form, Input, Select, TreeSelect } from "antd";
import { useMemo } from "react";
import { FormModal } from "@/components/form-modal/FormModal";
import { useCreateDevice, useSiteDevices, useUpdateDevice } from "../api/devices";
import { useSites } from "../api/sites";
import { parentOptions, ROLE_OPTIONS } from "../lib/tree";
import type { Device, DeviceRole } from "../types";

type DeviceValues = {
  name: string;
  serial: string;
  model?: string;
  site_id: number;
  role: DeviceRole;
  parent_id?: number | null;
};

const FIELDS = ["name", "serial", "model", "site_id", "role", "parent_id"] as const;
export const SERIAL_PATTERN = /^[A-Za-z0-9._:-]+$/;

type DeviceFormModalProps = {
  siteId: number;
  /** Edit this device; without it, add a new one to the site. */
  device?: Device;
  onClose: () => void;
};

/**
 * Add a device to a site, or edit one: name, serial, model, its place in the
 * site's metering tree (parent and role), and which site it belongs to.
 */
export function DeviceFormModal({ siteId, device, onClose }: DeviceFormModalProps) {
  const createDevice = useCreateDevice();
  const updateDevice = useUpdateDevice();
  const sites = useSites();
  const siteDevices = useSiteDevices(siteId);
  const { message } = App.useApp();
  const editing = device !== undefined;
  const parents = useMemo(
    () => parentOptions(siteDevices.data ?? [], device?.id),
    [siteDevices.data, device?.id],
  );

  const onSubmit = async (values: DeviceValues) => {
    const body = {
      name: values.name.trim(),
      serial: values.serial.trim(),
      model: values.model?.trim() ? values.model.trim() : null,
      role: values.role,
    };
    const moving = device !== undefined && values.site_id !== device.site_id;
    // Moving to another site clears the parent (the server does it); a supply point is a root.
    const parent_id = values.role === "supply" ? null : (values.parent_id ?? null);
    const saved = device
      ? await updateDevice.mutateAsync({
          id: device.id,
          ...body,
          ...(moving ? { site_id: values.site_id } : { parent_id }),
        })
      : await createDevice.mutateAsync({ siteId, ...body, parent_id });
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
              role: device.role,
              parent_id: device.parent_id ?? null,
            }
          : { site_id: siteId, role: "submeter", parent_id: null }
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
      <Form.Item
        label="Role"
        name="role"
        extra="A supply point is on the utility's supply: site totals and bills count supply points only."
      >
        <Select data-testid="device-form-role" options={ROLE_OPTIONS} />
      </Form.Item>
      <Form.Item
        noStyle
        shouldUpdate={(before: DeviceValues, after: DeviceValues) =>
          before.role !== after.role || before.site_id !== after.site_id
        }
      >
        {({ getFieldValue }) => {
          const role = getFieldValue("role") as DeviceRole;
          const moving = device !== undefined && getFieldValue("site_id") !== device.site_id;
          return (
            <Form.Item
              label="Parent meter"
              name="parent_id"
              extra={
                role === "supply"
                  ? "A supply point is a top-level meter."
                  : moving
                    ? "Moving the device to another site makes it a top-level meter there."
                    : "The meter directly upstream of this one; none for a top-level meter."
              }
            >
              <TreeSelect
                data-testid="device-form-parent"
                allowClear
                treeDefaultExpandAll
                placeholder="None (top level)"
                disabled={role === "supply" || moving}
                loading={siteDevices.isPending}
                treeData={parents}
                showSearch
                treeNodeFilterProp="title"
              />
            </Form.Item>
          );
        }}
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
