import { Col, Row, Typography } from "antd";
import { HealthCard } from "@/features/health";

export function DashboardRoute() {
  return (
    <>
      <Typography.Title level={2}>Dashboard</Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12} xl={8}>
          <HealthCard />
        </Col>
      </Row>
    </>
  );
}
