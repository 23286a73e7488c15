import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Button, Flex, Form, Input, Select, Typography } from "antd";
import { useMemo } from "react";
import { FormModal } from "@/components/form-modal/FormModal";
import { useCreateVirtualMeter, useUpdateVirtualMeter } from "../api/virtual-meters";
import { formulaPreview, toApiTerms, toFormTerms } from "../lib/terms";
import type { FormTerm } from "../lib/terms";
import type { MeterChoice, VirtualMeter } from "../types";

type Values = { name: string; terms: FormTerm[] };

const FIELDS = ["name"] as const;

/** "= Incomer − Building A", as the terms are picked. */
function FormulaPreview({ names }: { names: ReadonlyMap<string, string> }) {
  const form = Form.useFormInstance<Values>();
  const terms = Form.useWatch("terms", form);
  const preview = formulaPreview(terms ?? [], names);
  return preview ? (
    <Typography.Paragraph style={{ marginTop: 12 }} data-testid="virtual-meter-preview">
      = {preview}
    </Typography.Paragraph>
  ) : null;
}

type VirtualMeterFormModalProps = {
  siteId: number;
  /** The site's devices, to add and subtract. */
  devices: MeterChoice[];
  /** The site's virtual meters (a virtual meter may use others, never itself). */
  meters: VirtualMeter[];
  /** Edit this one; without it, create a new one. */
  meter?: VirtualMeter;
  onClose: () => void;
};

/** Create or edit a virtual meter: a name, and meters added (+) or subtracted (−). */
export function VirtualMeterFormModal({
  siteId,
  devices,
  meters,
  meter,
  onClose,
}: VirtualMeterFormModalProps) {
  const { message } = App.useApp();
  const create = useCreateVirtualMeter(siteId);
  const update = useUpdateVirtualMeter();

  const options = useMemo(
    () => [
      {
        label: "Devices",
        options: devices.map((d) => ({ value: `device:${d.id}`, label: d.name })),
      },
      ...(meters.some((m) => m.id !== meter?.id)
        ? [
            {
              label: "Virtual meters",
              options: meters
                .filter((m) => m.id !== meter?.id)
                .map((m) => ({ value: `meter:${m.id}`, label: m.name })),
            },
          ]
        : []),
    ],
    [devices, meters, meter],
  );
  const names = useMemo(
    () => new Map(options.flatMap((group) => group.options.map((o) => [o.value, o.label]))),
    [options],
  );

  const onSubmit = async (values: Values) => {
    const body = { name: values.name.trim(), terms: toApiTerms(values.terms ?? []) };
    const saved = meter
      ? await update.mutateAsync({ id: meter.id, ...body })
      : await create.mutateAsync(body);
    void message.success(meter ? `Saved ${saved.name}` : `Created ${saved.name}`);
    onClose();
  };

  return (
    <FormModal<Values>
      title={meter ? `Edit ${meter.name}` : "New virtual meter"}
      okText={meter ? "Save" : "Create"}
      onSubmit={onSubmit}
      onClose={onClose}
      fields={FIELDS}
      initialValues={
        meter
          ? { name: meter.name, terms: toFormTerms(meter.terms) }
          : { terms: [{ sign: 1 }, { sign: -1 }] }
      }
      intro={
        <Typography.Paragraph type="secondary">
          A named sum or difference of meters, e.g. “Building B = Incomer − Building A”. It is
          worked out from the meters’ readings whenever it is shown.
        </Typography.Paragraph>
      }
      testIds={{
        form: "virtual-meter-form",
        submit: "virtual-meter-form-submit",
        error: "virtual-meter-form-error",
      }}
    >
      <Form.Item
        label="Name"
        name="name"
        rules={[
          { required: true, whitespace: true, message: "Enter the virtual meter's name" },
          { max: 200, message: "At most 200 characters" },
        ]}
      >
        <Input data-testid="virtual-meter-name" autoComplete="off" placeholder="Building B" />
      </Form.Item>
      <Form.List
        name="terms"
        rules={[
          {
            validator: async (_, terms: FormTerm[] | undefined) => {
              if (!terms || terms.length === 0) throw new Error("Add at least one meter");
              return Promise.resolve();
            },
          },
        ]}
      >
        {(fields, { add, remove }, { errors }) => (
          <>
            <Typography.Text strong>Meters</Typography.Text>
            {fields.map((field, index) => (
              <Flex key={field.key} gap={8} align="flex-start" style={{ marginTop: 8 }}>
                <Form.Item name={[field.name, "sign"]} noStyle>
                  <Select
                    data-testid={`virtual-meter-term-${index}-sign`}
                    aria-label={`Sign of meter ${index + 1}`}
                    style={{ width: 64 }}
                    options={[
                      { value: 1, label: "+" },
                      { value: -1, label: "−" },
                    ]}
                  />
                </Form.Item>
                <Form.Item
                  name={[field.name, "target"]}
                  rules={[{ required: true, message: "Pick a meter" }]}
                  style={{ flex: 1, marginBottom: 0 }}
                >
                  <Select
                    data-testid={`virtual-meter-term-${index}-meter`}
                    aria-label={`Meter ${index + 1}`}
                    placeholder="Pick a meter"
                    options={options}
                    showSearch={{ optionFilterProp: "label" }}
                  />
                </Form.Item>
                <Button
                  icon={<DeleteOutlined />}
                  aria-label={`Remove meter ${index + 1}`}
                  data-testid={`virtual-meter-term-${index}-remove`}
                  onClick={() => remove(field.name)}
                />
              </Flex>
            ))}
            <Form.ErrorList errors={errors} />
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              style={{ marginTop: 8 }}
              data-testid="virtual-meter-add-term"
              onClick={() => add({ sign: 1 })}
            >
              Add a meter
            </Button>
          </>
        )}
      </Form.List>
      <FormulaPreview names={names} />
    </FormModal>
  );
}
