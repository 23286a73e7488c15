import { WarningOutlined } from "@ant-design/icons";
import { Flex, Select, Tag, theme, Tooltip, Tree, Typography } from "antd";
import type { TreeDataNode, TreeProps } from "antd";
import { useMemo, useState } from "react";
import type { DragEvent } from "react";
import { formatNumber } from "@/components/data-display/format";
import { buildDeviceTree, ROLE_OPTIONS } from "../lib/tree";
import type { DeviceRole, DeviceTreeNode, TreeDrop } from "../lib/tree";
import type { Device, SiteTreeNode } from "../types";

export const ROLE_TAGS: Record<DeviceRole, { color: string; label: string } | null> = {
  supply: { color: "blue", label: "Supply" },
  generation: { color: "green", label: "Generation" },
  submeter: null,
};

export function RoleTag({ role }: { role: DeviceRole | null | undefined }) {
  const tag = role ? ROLE_TAGS[role] : null;
  return tag ? (
    <Tag color={tag.color} data-testid="role-tag" style={{ marginInlineEnd: 0 }}>
      {tag.label}
    </Tag>
  ) : null;
}

type MeteringTreeProps = {
  devices: Device[];
  /** Energy per device for the chosen range (missing while loading). */
  energy: Map<number, SiteTreeNode>;
  isAdmin: boolean;
  /** Devices with a change on its way. */
  busy: ReadonlySet<number>;
  onDrop: (deviceId: number, drop: TreeDrop | "root") => void;
  onRole: (device: Device, role: DeviceRole) => void;
};

type NodeData = TreeDataNode & { device: Device };

function kwh(value: number | null | undefined): string {
  return value === null || value === undefined ? "no data" : `${formatNumber(value, 1)} kWh`;
}

function NodeTitle({
  device,
  node,
  isAdmin,
  busy,
  onRole,
}: {
  device: Device;
  node: SiteTreeNode | undefined;
  isAdmin: boolean;
  busy: boolean;
  onRole: (role: DeviceRole) => void;
}) {
  const remainder = node?.remainder_kwh ?? null;
  return (
    <Flex gap={8} align="center" wrap data-testid={`tree-node-${device.id}`}>
      <Typography.Text strong data-testid="tree-node-name">
        {device.name}
      </Typography.Text>
      <RoleTag role={device.role} />
      <Typography.Text
        type="secondary"
        data-testid={`tree-energy-${device.id}`}
        data-kwh={node?.energy_import_kwh ?? ""}
      >
        {node ? kwh(node.energy_import_kwh) : "…"}
      </Typography.Text>
      {remainder !== null && (
        <Tooltip title="What the meter measured and no sub-meter below it accounts for: unmetered loads and losses">
          <Typography.Text
            type={remainder < 0 ? "danger" : "secondary"}
            style={{ fontSize: 12 }}
            data-testid={`tree-remainder-${device.id}`}
          >
            {remainder < 0 && <WarningOutlined style={{ marginInlineEnd: 4 }} />}
            unmetered {formatNumber(remainder, 1)} kWh
            {node?.remainder_percent != null && ` (${formatNumber(node.remainder_percent, 1)} %)`}
          </Typography.Text>
        </Tooltip>
      )}
      {isAdmin && (
        <Select<DeviceRole>
          size="small"
          variant="borderless"
          aria-label={`Role of ${device.name}`}
          data-testid={`tree-role-${device.id}`}
          value={device.role}
          disabled={busy}
          options={ROLE_OPTIONS}
          popupMatchSelectWidth={false}
          onChange={onRole}
          onClick={(e) => e.stopPropagation()}
          style={{ minWidth: 120 }}
        />
      )}
    </Flex>
  );
}

/**
 * The site's devices as a tree, with each one's energy and, for parents, the
 * unmetered remainder. Admins drag a meter onto another to put it under it,
 * into the gap beside one to make them siblings, or onto the strip below to
 * make it a top-level meter; and pick each meter's role.
 */
export function MeteringTree({
  devices,
  energy,
  isAdmin,
  busy,
  onDrop,
  onRole,
}: MeteringTreeProps) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const [dragging, setDragging] = useState<number | null>(null);
  const [overRoot, setOverRoot] = useState(false);
  const { token } = theme.useToken();
  const tree = useMemo(() => buildDeviceTree(devices), [devices]);

  const treeData = useMemo(() => {
    const convert = (nodes: DeviceTreeNode<Device>[]): NodeData[] =>
      nodes.map(({ device, children }) => ({
        key: device.id,
        device,
        title: device.name,
        children: convert(children),
        isLeaf: children.length === 0,
      }));
    return convert(tree);
  }, [tree]);

  const parents = useMemo(
    () => devices.filter((d) => devices.some((c) => c.parent_id === d.id)).map((d) => d.id),
    [devices],
  );
  const expandedKeys = parents.filter((id) => !collapsed.has(id));

  const handleDrop: TreeProps<NodeData>["onDrop"] = (info) => {
    setDragging(null);
    onDrop(Number(info.dragNode.key), {
      targetId: Number(info.node.key),
      dropToGap: info.dropToGap,
    });
  };

  const rootDrop = {
    onDragOver: (e: DragEvent) => {
      if (dragging === null) return;
      e.preventDefault();
      setOverRoot(true);
    },
    onDragLeave: () => setOverRoot(false),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      setOverRoot(false);
      if (dragging !== null) onDrop(dragging, "root");
      setDragging(null);
    },
  };

  return (
    <div data-testid="metering-tree">
      <Tree<NodeData>
        blockNode
        showLine
        selectable={false}
        draggable={isAdmin ? { icon: false } : false}
        treeData={treeData}
        expandedKeys={expandedKeys}
        onExpand={(_, { node, expanded }) => {
          const id = Number(node.key);
          setCollapsed((prev) => {
            const next = new Set(prev);
            if (expanded) next.delete(id);
            else next.add(id);
            return next;
          });
        }}
        onDragStart={({ node }) => setDragging(Number(node.key))}
        onDragEnd={() => setDragging(null)}
        onDrop={handleDrop}
        titleRender={(node) => (
          <NodeTitle
            device={node.device}
            node={energy.get(node.device.id)}
            isAdmin={isAdmin}
            busy={busy.has(node.device.id)}
            onRole={(role) => onRole(node.device, role)}
          />
        )}
      />
      {isAdmin && (
        <div
          data-testid="tree-root-drop"
          {...rootDrop}
          style={{
            marginTop: 8,
            padding: "6px 12px",
            border: `1px dashed ${overRoot ? "#1677ff" : "#d9d9d9"}`,
            borderRadius: 6,
            color: token.colorTextDescription,
            fontSize: 12,
            background: overRoot ? "#e6f4ff" : undefined,
          }}
        >
          Drag a meter onto another to put it under it, or here to make it a top-level meter.
        </div>
      )}
    </div>
  );
}
