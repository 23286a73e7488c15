import { Alert, App, Form, Input, Modal, Select, Typography } from "antd";
import { useState } from "react";
import { useSites } from "@/features/sites/api/sites";
import { applyServerErrors } from "@/lib/form-errors";
import { useAcceptGateway } from "../api/pending";
import type { PendingGateway } from "../types";

type AcceptValues = { site_id: number; name: string; model?: string };
const FIELDS = ["site_id", "name", "model"] as const;

type AcceptGatewayModalProps = {
  gateway: PendingGateway;
  /** Preselect this site (when accepting from a site's page). */
  siteId?: number;
  onClose: () => void;
};

/** Accept a pending gateway into a site: it becomes a device whose serial is the gateway id. */
export function AcceptGatewayModal({ gateway, siteId, onClose }: AcceptGatewayModalProps) {
  const [form] = Form.useForm<AcceptValues>();
  const sites = useSites();
  const accept = useAcceptGateway();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);
  const onlySite = sites.data?.length === 1 ? sites.data[0]?.id : undefined;

  const onFinish = async (values: AcceptValues) => {
    setProblem(null);
    try {
      const device = await accept.mutateAsync({
        gatewayId: gateway.gateway_id,
        site_id: values.site_id,
        name: values.name.trim(),
        model: values.model?.trim() ? values.model.trim() : null,
      });
      const site = sites.data?.find((s) => s.id === device.site_id);
      void message.success(`${device.name} is now a device of ${site?.name ?? "the site"}`);
      onClose();
    } catch (error) {
      setProblem(applyServerErrors(form, error, FIELDS));
    }
  };

  return (
    <Modal
      open
      title={`Accept ${gateway.gateway_id}`}
      okText="Accept"
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={accept.isPending}
      okButtonProps={{ "data-testid": "accept-gateway-submit", disabled: sites.data?.length === 0 }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">
        The gateway becomes a device of the site, with serial{" "}
        <Typography.Text code>{gateway.gateway_id}</Typography.Text>. Its readings are stored from
        its next message on; what it sent before stays out.
      </Typography.Paragraph>
      {sites.data?.length === 0 && (
        <Alert
          type="info"
          showIcon
          title="Create a site first: a gateway is accepted into a site."
          style={{ marginBottom: 16 }}
        />
      )}
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{
          site_id: siteId ?? onlySite,
          name: gateway.model ? `${gateway.model} ${gateway.gateway_id}` : gateway.gateway_id,
          model: gateway.model ?? "",
        }}
        onFinish={(values) => void onFinish(values)}
        data-testid="accept-gateway-form"
      >
        {problem && (
          <Alert
            data-testid="accept-gateway-error"
            type="error"
            showIcon
            title={problem}
            style={{ marginBottom: 16 }}
          />
        )}
        <Form.Item
          label="Site"
          name="site_id"
          rules={[{ required: true, message: "Choose the site it meters" }]}
        >
          <Select
            data-testid="accept-gateway-site"
            placeholder="Choose a site"
            loading={sites.isPending}
            options={(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
        <Form.Item
          label="Device name"
          name="name"
          rules={[
            { required: true, whitespace: true, message: "Enter the device's name" },
            { max: 200, message: "At most 200 characters" },
          ]}
        >
          <Input data-testid="accept-gateway-name" autoComplete="off" />
        </Form.Item>
        <Form.Item label="Model" name="model" rules={[{ max: 100, message: "At most 100 characters" }]}>
          <Input data-testid="accept-gateway-model" autoComplete="off" placeholder="optional" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
