import { Card, Typography } from "antd";

export function SettingsRoute() {
  return (
    <>
      <Typography.Title level={2}>Settings</Typography.Title>
      <Card data-testid="settings-placeholder">
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          Settings are coming soon.
        </Typography.Paragraph>
      </Card>
    </>
  );
}
