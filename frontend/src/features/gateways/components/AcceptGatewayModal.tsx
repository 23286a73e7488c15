import { Alert, App, Form, Input, Select, Typography } from "antd";
import { FormModal } from "@/components/form-modal/FormModal";
import { useAcceptGateway } from "../api/pending";
import type { RefreshOthers } from "../api/pending";
import type { PendingGateway, SiteChoice } from "../types";

type AcceptValues = { site_id: number; name: string; model?: string };
const FIELDS = ["site_id", "name", "model"] as const;

type AcceptGatewayModalProps = {
  gateway: PendingGateway;
  /** The sites it can be accepted into (`data` undefined while they load). */
  sites: { data?: readonly SiteChoice[]; isPending: boolean };
  /** Refresh the sites and devices once it is accepted. */
  refreshOthers: RefreshOthers;
  /** Preselect this site (when accepting from a site's page). */
  siteId?: number;
  onClose: () => void;
};

/** Accept a pending gateway into a site: it becomes a device whose serial is the gateway id. */
export function AcceptGatewayModal({
  gateway,
  sites,
  refreshOthers,
  siteId,
  onClose,
}: AcceptGatewayModalProps) {
  const accept = useAcceptGateway(refreshOthers);
  const { message } = App.useApp();
  const onlySite = sites.data?.length === 1 ? sites.data[0]?.id : undefined;

  const onSubmit = async (values: AcceptValues) => {
    const device = await accept.mutateAsync({
      gatewayId: gateway.gateway_id,
      site_id: values.site_id,
      name: values.name.trim(),
      model: values.model?.trim() ? values.model.trim() : null,
      // A new gateway joins as a plain sub-meter at the top; the site page places it in the tree.
      role: "submeter",
    });
    const site = sites.data?.find((s) => s.id === device.site_id);
    void message.success(`${device.name} is now a device of ${site?.name ?? "the site"}`);
    onClose();
  };

  return (
    <FormModal<AcceptValues>
      title={`Accept ${gateway.gateway_id}`}
      okText="Accept"
      onSubmit={onSubmit}
      onClose={onClose}
      fields={FIELDS}
      okDisabled={sites.data?.length === 0}
      intro={
        <>
          <Typography.Paragraph type="secondary">
            The gateway becomes a device of the site, with serial{" "}
            <Typography.Text code>{gateway.gateway_id}</Typography.Text>. Its readings are stored
            from its next message on; what it sent before stays out.
          </Typography.Paragraph>
          {sites.data?.length === 0 && (
            <Alert
              type="info"
              showIcon
              title="Create a site first: a gateway is accepted into a site."
              style={{ marginBottom: 16 }}
            />
          )}
        </>
      }
      initialValues={{
        site_id: siteId ?? onlySite,
        name: gateway.model ? `${gateway.model} ${gateway.gateway_id}` : gateway.gateway_id,
        model: gateway.model ?? "",
      }}
      testIds={{
        form: "accept-gateway-form",
        submit: "accept-gateway-submit",
        error: "accept-gateway-error",
      }}
    >
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
      <Form.Item
        label="Model"
        name="model"
        rules={[{ max: 100, message: "At most 100 characters" }]}
      >
        <Input data-testid="accept-gateway-model" autoComplete="off" placeholder="optional" />
      </Form.Item>
    </FormModal>
  );
}
