import {
  ApiOutlined,
  CheckCircleOutlined,
  CloudServerOutlined,
  DatabaseOutlined,
} from "@ant-design/icons";
import { Card, Col, Row, Skeleton, Typography } from "antd";
import type { ReactNode } from "react";
import { formatNumber } from "@/components/data-display/format";
import type { Customer } from "../types";

type KpiProps = {
  testId: string;
  label: string;
  icon: ReactNode;
  value: number | undefined;
  footnote: ReactNode;
  loading: boolean;
};

function Kpi({ testId, label, icon, value, footnote, loading }: KpiProps) {
  return (
    <Card size="small" data-testid={testId} style={{ height: "100%" }}>
      <Typography.Text type="secondary" style={{ display: "flex", gap: 6, alignItems: "center" }}>
        {icon}
        {label}
      </Typography.Text>
      {loading ? (
        <Skeleton.Input active size="small" style={{ marginTop: 10, width: 100 }} />
      ) : (
        <div
          data-testid={`${testId}-value`}
          style={{
            fontSize: 26,
            fontWeight: 600,
            lineHeight: 1.3,
            fontVariantNumeric: "tabular-nums",
          }}
        >
          {formatNumber(value)}
        </div>
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {loading ? " " : footnote}
      </Typography.Text>
    </Card>
  );
}

/** Customers, active ones, devices and rows received in the last 24 h, across the fleet. */
export function FleetKpis({ customers }: { customers: Customer[] | undefined }) {
  const loading = customers === undefined;
  const list = customers ?? [];
  const active = list.filter((c) => c.active).length;
  const sites = list.reduce((n, c) => n + (c.site_count ?? 0), 0);
  const devices = list.reduce((n, c) => n + (c.device_count ?? 0), 0);
  const rows = list.reduce((n, c) => n + (c.rows_last_24h ?? 0), 0);
  const pushing = list.filter((c) => (c.rows_last_24h ?? 0) > 0).length;
  return (
    <Row gutter={[16, 16]} style={{ marginBottom: 16 }} data-testid="fleet-kpis">
      <Col xs={24} sm={12} xl={6}>
        <Kpi
          testId="kpi-customers"
          label="Customers"
          icon={<CloudServerOutlined />}
          value={list.length}
          footnote={`${formatNumber(sites)} site${sites === 1 ? "" : "s"}`}
          loading={loading}
        />
      </Col>
      <Col xs={24} sm={12} xl={6}>
        <Kpi
          testId="kpi-active"
          label="Active"
          icon={<CheckCircleOutlined />}
          value={active}
          footnote={list.length > active ? `${list.length - active} deactivated` : "all active"}
          loading={loading}
        />
      </Col>
      <Col xs={24} sm={12} xl={6}>
        <Kpi
          testId="kpi-devices"
          label="Devices"
          icon={<ApiOutlined />}
          value={devices}
          footnote="across every customer"
          loading={loading}
        />
      </Col>
      <Col xs={24} sm={12} xl={6}>
        <Kpi
          testId="kpi-rows-24h"
          label="Rows in the last 24 h"
          icon={<DatabaseOutlined />}
          value={rows}
          footnote={`from ${pushing} customer${pushing === 1 ? "" : "s"}`}
          loading={loading}
        />
      </Col>
    </Row>
  );
}
