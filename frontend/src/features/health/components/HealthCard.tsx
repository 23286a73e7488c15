import type { ReactNode } from "react";
import { Alert, Button, Card, Descriptions, Spin, Tag } from "antd";
import type { DescriptionsProps } from "antd";
import { useHealth } from "../api/get-health";

function statusColor(status: string): string {
  const s = status.toLowerCase();
  if (s === "ok" || s === "healthy") return "green";
  if (s === "degraded") return "orange";
  return "red";
}

export function HealthCard() {
  const { data, isPending, isError, refetch, isFetching } = useHealth();

  let body: ReactNode;
  if (isPending) {
    body = (
      <div data-testid="health-loading" style={{ padding: 24, textAlign: "center" }}>
        <Spin description="Checking the portal API…">
          <div style={{ minHeight: 48 }} />
        </Spin>
      </div>
    );
  } else if (isError) {
    body = (
      <Alert
        data-testid="health-error"
        type="error"
        showIcon
        title="The portal API is unreachable"
        description="The status could not be loaded. Check that the portal service is running."
        action={
          <Button size="small" onClick={() => void refetch()} loading={isFetching}>
            Retry
          </Button>
        }
      />
    );
  } else {
    const items: DescriptionsProps["items"] = [
      {
        key: "status",
        label: "Status",
        children: (
          <Tag data-testid="health-status" color={statusColor(data.status)}>
            {data.status}
          </Tag>
        ),
      },
      {
        key: "database",
        label: "Database",
        children: <span data-testid="health-database">{data.database}</span>,
      },
      // The API tells the run mode and the version to a signed-in caller only.
      ...(data.run_mode
        ? [
            {
              key: "run_mode",
              label: "Run mode",
              children: <span data-testid="health-run-mode">{data.run_mode}</span>,
            },
          ]
        : []),
      ...(data.version
        ? [
            {
              key: "version",
              label: "Version",
              children: <span data-testid="health-version">{data.version}</span>,
            },
          ]
        : []),
    ];
    body = <Descriptions column={1} size="small" items={items} />;
  }

  return (
    <Card title="System status" data-testid="health-card">
      {body}
    </Card>
  );
}
