import { CheckOutlined } from "@ant-design/icons";
import { Breadcrumb, Button, Card, Descriptions, Flex, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { formatDateTimeIn } from "@/components/data-display/format";
import { ResourceNotFound, ResourcePage } from "@/components/resource-page/ResourcePage";
import { useSites } from "@/features/sites";
import { useAlert } from "../api/alerts";
import { AcknowledgeModal } from "../components/AcknowledgeModal";
import { AlertTimeline } from "../components/AlertTimeline";
import { SeverityTag } from "../components/SeverityTag";
import { ALERTS_PATH, alertStateLabel, valueVsThreshold } from "../lib/alerts";
import { KINDS } from "../lib/kinds";
import type { AlertDetail } from "../types";

const STATE_COLORS: Record<string, string> = {
  Firing: "red",
  Acknowledged: "gold",
  Resolved: "green",
};

/** /alerts/:alertId: one alert, what it is about, and its timeline. */
export function AlertDetailRoute() {
  const alertId = Number(useParams().alertId);
  const alert = useAlert(alertId);

  return (
    <ResourcePage
      query={alert}
      header={
        <Breadcrumb
          style={{ marginBottom: 8 }}
          items={[
            { title: <Link to={ALERTS_PATH}>Alerts</Link> },
            { title: alert.data ? `${alert.data.rule_name}: ${alert.data.subject.name}` : "…" },
          ]}
        />
      }
      failure={(error) => (
        <ResourceNotFound
          error={error}
          testId="alert-not-found"
          notFound={{ title: "Alert not found", detail: "There is no alert with this number." }}
          errorTitle="The alert could not be loaded"
          back={<Link to={ALERTS_PATH}>Back to the alerts</Link>}
        />
      )}
    >
      {(loaded) => <AlertDetails alert={loaded} />}
    </ResourcePage>
  );
}

function AlertDetails({ alert }: { alert: AlertDetail }) {
  const sites = useSites();
  const [acknowledging, setAcknowledging] = useState(false);
  const state = alertStateLabel(alert);
  const site = sites.data?.find((s) => s.id === alert.site_id);
  const canAcknowledge = alert.state === "firing" && !alert.acknowledged;

  return (
    <Flex vertical gap={16} data-testid="alert-detail">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Flex align="center" gap={8} wrap>
          <Typography.Title level={2} style={{ margin: 0 }}>
            {alert.rule_name}
          </Typography.Title>
          <SeverityTag severity={alert.severity} />
          <Tag color={STATE_COLORS[state]} data-testid="alert-state" data-state={state}>
            {state}
          </Tag>
        </Flex>
        {canAcknowledge && (
          <Button
            type="primary"
            icon={<CheckOutlined />}
            data-testid={`acknowledge-${alert.id}`}
            onClick={() => setAcknowledging(true)}
          >
            Acknowledge
          </Button>
        )}
      </Flex>
      <Card size="small">
        <Typography.Paragraph data-testid="alert-message" style={{ fontSize: 16 }}>
          {alert.message}
        </Typography.Paragraph>
        <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
          <Descriptions.Item label="Subject">
            <span data-testid="alert-subject">{alert.subject.name}</span>
          </Descriptions.Item>
          <Descriptions.Item label="Site">
            {site ? (
              <Link to={`/sites/${site.id}`}>{site.name}</Link>
            ) : alert.site_id ? (
              `#${alert.site_id}`
            ) : (
              "—"
            )}
          </Descriptions.Item>
          <Descriptions.Item label="Kind">{KINDS[alert.kind].label}</Descriptions.Item>
          <Descriptions.Item label="Value">
            <span data-testid="alert-value">{valueVsThreshold(alert)}</span>
          </Descriptions.Item>
          <Descriptions.Item label="Started">
            {formatDateTimeIn(alert.started_at)}
          </Descriptions.Item>
          <Descriptions.Item label="Fired">{formatDateTimeIn(alert.fired_at)}</Descriptions.Item>
          <Descriptions.Item label="Resolved">
            {alert.resolved_at ? formatDateTimeIn(alert.resolved_at) : "not yet"}
          </Descriptions.Item>
          <Descriptions.Item label="Acknowledged">
            {alert.acknowledged ? (
              <span data-testid="alert-acknowledged">
                by {alert.acknowledged.by_name}, {formatDateTimeIn(alert.acknowledged.at)}
                {alert.acknowledged.note && <>: {alert.acknowledged.note}</>}
              </span>
            ) : (
              "no"
            )}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" title="Timeline">
        <AlertTimeline events={alert.events} unit={alert.unit} />
      </Card>
      {acknowledging && <AcknowledgeModal alert={alert} onClose={() => setAcknowledging(false)} />}
    </Flex>
  );
}
