import { App, Form, Input } from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import { useEndAssignment } from "../api/tenants";
import { siteInstant } from "../lib/instants";
import type { TenantMeter } from "../types";

/** "Move out": end a tenant's assignment of a meter at an instant (exclusive). */
export function EndAssignmentModal({
  assignment,
  timeZone,
  onClose,
}: {
  assignment: TenantMeter;
  timeZone: string;
  onClose: () => void;
}) {
  const { message } = App.useApp();
  const end = useEndAssignment();
  const submit = async (values: { end: string }) => {
    const instant = siteInstant(values.end, timeZone);
    if (!instant) return;
    await end.mutateAsync({ id: assignment.id, end: instant });
    void message.success(`${assignment.meter_name}: moved out`);
    onClose();
  };
  return (
    <FormModal<{ end: string }>
      title={`Move out of ${assignment.meter_name}`}
      okText="Move out"
      onSubmit={submit}
      onClose={onClose}
      fields={["end"]}
      intro={<p>The tenant&apos;s bill meters this meter up to this instant ({timeZone}).</p>}
      testIds={{
        form: "end-assignment-form",
        submit: "end-assignment-submit",
        error: "end-assignment-error",
      }}
    >
      <Form.Item name="end" label="Moved out at" rules={[{ required: true, message: "When?" }]}>
        <Input data-testid="end-assignment-end" type="datetime-local" />
      </Form.Item>
    </FormModal>
  );
}
