import { DownloadOutlined, ReloadOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Col, DatePicker, Empty, Flex, Row, Statistic } from "antd";
import dayjs from "dayjs";
import type { Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { formatEnergy } from "@/components/data-display/format";
import { useNow } from "@/components/data-display/use-now";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { useUpdateDevice } from "../api/devices";
import { treeCsvHref, useSiteTree } from "../api/tree";
import { fromInclusive, lastDays, localToday, shiftDays } from "../lib/dates";
import type { PlainRange } from "../lib/dates";
import { refusal } from "../lib/problems";
import { buildSiteFlow } from "../lib/sankey";
import { moveProblem, parentAfterDrop } from "../lib/tree";
import type { DeviceRole, TreeDrop } from "../lib/tree";
import type { Device, Site, SiteTreeNode } from "../types";
import { MeteringTree } from "./MeteringTree";
import { SiteFlowChart } from "./SiteFlowChart";

const DAY = "YYYY-MM-DD";

function rangePresets(today: string): { label: string; value: [Dayjs, Dayjs] }[] {
  const t = dayjs(today);
  return [
    { label: "Last 7 days", value: [t.subtract(6, "day"), t] },
    { label: "Last 30 days", value: [t.subtract(29, "day"), t] },
    { label: "This month", value: [t.startOf("month"), t] },
    {
      label: "Last month",
      value: [t.subtract(1, "month").startOf("month"), t.subtract(1, "month").endOf("month")],
    },
    { label: "This year", value: [t.startOf("year"), t] },
  ];
}

type MeteringTreeSectionProps = {
  site: Site;
  devices: Device[] | undefined;
  isAdmin: boolean;
};

/**
 * The site's metering tree: who is under whom (drag to change), the supply
 * points, energy per meter and the unmetered remainder for a range, the flow
 * as a Sankey, and the warnings when sub-meters add up to more than their parent.
 */
export function MeteringTreeSection({ site, devices, isAdmin }: MeteringTreeSectionProps) {
  const { message } = App.useApp();
  const now = useNow(60_000);
  const today = localToday(site.timezone, now);
  const [range, setRange] = useState<PlainRange>(() => lastDays(today, 30));
  const tree = useSiteTree(site.id, range);
  const updateDevice = useUpdateDevice();
  const [busy, setBusy] = useState<ReadonlySet<number>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);

  const energy = useMemo(
    () => new Map<number, SiteTreeNode>((tree.data?.nodes ?? []).map((n) => [n.id, n])),
    [tree.data],
  );
  const flow = useMemo(() => (tree.data ? buildSiteFlow(tree.data.nodes) : null), [tree.data]);
  const list = devices ?? [];
  const metering = tree.data?.metering ?? site.metering;

  const change = (
    device: Device,
    body: { parent_id?: number | null; role?: DeviceRole },
    done: string,
  ) => {
    setProblem(null);
    setBusy((prev) => new Set(prev).add(device.id));
    updateDevice
      .mutateAsync({ id: device.id, ...body })
      .then(
        () => void message.success(done),
        (error: unknown) => setProblem(refusal(error)),
      )
      .finally(() =>
        setBusy((prev) => {
          const next = new Set(prev);
          next.delete(device.id);
          return next;
        }),
      );
  };

  const onDrop = (deviceId: number, drop: TreeDrop | "root") => {
    const device = list.find((d) => d.id === deviceId);
    if (!device) return;
    const parentId = drop === "root" ? null : parentAfterDrop(list, drop);
    if ((device.parent_id ?? null) === parentId) return;
    const local = moveProblem(list, deviceId, parentId);
    if (local) {
      setProblem(local);
      return;
    }
    const parent = list.find((d) => d.id === parentId);
    change(
      device,
      { parent_id: parentId },
      parent
        ? `${device.name} is now under ${parent.name}`
        : `${device.name} is now a top-level meter`,
    );
  };

  const onRole = (device: Device, role: DeviceRole) => {
    // A supply point is a root: marking one takes it out from under its parent.
    const body =
      role === "supply" && device.parent_id != null ? { role, parent_id: null } : { role };
    change(
      device,
      body,
      `${device.name} is now a ${role === "submeter" ? "sub-meter" : role === "supply" ? "supply point" : "generation meter"}`,
    );
  };

  const total = formatEnergy(tree.data?.site_energy_import_kwh);
  const lastDay = shiftDays(range.end, -1);

  return (
    <Card
      title="Metering tree"
      style={{ marginBottom: 16 }}
      data-testid="metering-tree-section"
      extra={
        <Flex gap={8} wrap align="center">
          <DatePicker.RangePicker
            size="small"
            data-testid="tree-range"
            allowClear={false}
            value={[dayjs(range.start), dayjs(lastDay)]}
            presets={rangePresets(today)}
            onChange={(dates) => {
              const [from, to] = dates ?? [];
              if (from && to) setRange(fromInclusive(from.format(DAY), to.format(DAY)));
            }}
          />
          <Button
            size="small"
            icon={<ReloadOutlined />}
            data-testid="tree-refresh"
            loading={tree.isFetching && !tree.isPending}
            onClick={() => void tree.refetch()}
          >
            Reload
          </Button>
          <Button
            size="small"
            icon={<DownloadOutlined />}
            href={treeCsvHref(site.id, range, "day")}
            data-testid="tree-csv"
          >
            CSV per day
          </Button>
          <Button
            size="small"
            icon={<DownloadOutlined />}
            href={treeCsvHref(site.id, range, "month")}
            data-testid="tree-csv-month"
          >
            per month
          </Button>
        </Flex>
      }
    >
      {list.length === 0 ? (
        <Empty
          data-testid="tree-empty"
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={
            isAdmin
              ? "No devices yet: add the site's meters, then drag each sub-meter under the meter that feeds it."
              : "No devices yet."
          }
        />
      ) : (
        <Flex vertical gap={12}>
          {metering === "all_devices" && (
            <Alert
              type="info"
              showIcon
              data-testid="metering-all-devices"
              title="This site has no supply point: totals add all devices"
              description={
                isAdmin
                  ? "Mark the meter on the utility's supply (the incomer) as a supply point: site totals, demand and bills then count it alone, not every sub-meter below it again."
                  : "An administrator can mark the meter on the utility's supply as a supply point."
              }
            />
          )}
          {tree.data?.discrepancies.map((d) => (
            <Alert
              key={`${d.parent_id}-${d.first_day}`}
              type="warning"
              showIcon
              data-testid="discrepancy-warning"
              title={`Metering discrepancy below ${d.parent_name}`}
              description={d.message}
            />
          ))}
          {problem && (
            <Alert
              type="error"
              showIcon
              closable={{ onClose: () => setProblem(null) }}
              data-testid="tree-problem"
              title="Not changed"
              description={problem}
            />
          )}
          <QueryError query={tree} title="The energy per meter could not be loaded" />
          <Flex gap={32} wrap>
            <Statistic
              title={
                metering === "all_devices"
                  ? "Site total (all devices)"
                  : "Site total (supply points)"
              }
              value={total.value}
              suffix={total.unit}
              loading={tree.isPending}
              valueRender={(node) => (
                <span
                  data-testid="tree-site-total"
                  data-kwh={tree.data?.site_energy_import_kwh ?? ""}
                >
                  {node}
                </span>
              )}
            />
          </Flex>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={10}>
              <MeteringTree
                devices={list}
                energy={energy}
                isAdmin={isAdmin}
                busy={busy}
                onDrop={onDrop}
                onRole={onRole}
              />
            </Col>
            <Col xs={24} xl={14}>
              <SiteFlowChart
                siteName={site.name}
                range={range}
                flow={flow}
                state={tree.isError ? "error" : tree.data ? "data" : "loading"}
                error={tree.error}
              />
            </Col>
          </Row>
        </Flex>
      )}
    </Card>
  );
}
