import { Card, Descriptions, Tag, Typography } from "antd";
import type { ConfigGroup, ConfigValue } from "../lib/groups";

function Value({ value }: { value: ConfigValue }) {
  if (value.kind === "flag") {
    return (
      <Tag color={value.value ? "success" : "default"}>{value.value ? value.on : value.off}</Tag>
    );
  }
  if (value.value === null || value.value === "") {
    return <Typography.Text type="secondary">not set</Typography.Text>;
  }
  return value.mono ? (
    <Typography.Text code copyable={{ text: String(value.value) }}>
      {value.value}
    </Typography.Text>
  ) : (
    <>{value.value}</>
  );
}

export function ConfigGroupCard({ group }: { group: ConfigGroup }) {
  return (
    <Card title={group.title} data-testid={`config-group-${group.key}`} size="small">
      {group.items.length === 0 ? (
        <Typography.Text type="secondary">None</Typography.Text>
      ) : (
        <Descriptions
          column={1}
          size="small"
          bordered
          styles={{ label: { width: "45%" } }}
          items={group.items.map((item) => ({
            key: item.key,
            label: item.label,
            children: (
              <span data-testid={`config-${group.key}-${item.key}`}>
                <Value value={item.value} />
              </span>
            ),
          }))}
        />
      )}
    </Card>
  );
}
