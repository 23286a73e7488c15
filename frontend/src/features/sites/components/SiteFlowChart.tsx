import { Collapse, Table, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { useMemo } from "react";
import { ChartCard } from "@/components/charts/ChartCard";
import type { ChartState } from "@/components/charts/ChartCard";
import { csvFileName } from "@/components/charts/csv";
import type { ChartOption } from "@/components/charts/echarts";
import { formatNumber } from "@/components/data-display/format";
import { brand } from "@/config/brand";
import { testId } from "@/lib/test-id";
import type { Flow, FlowNodeKind, SiteFlow } from "../lib/sankey";
import type { PlainRange } from "../lib/dates";

const KIND_COLORS: Record<FlowNodeKind, string> = {
  supply: brand.primaryColor,
  generation: "#52c41a",
  submeter: "#13a8a8",
  remainder: "#bfbfbf",
};

function flowOption(flow: SiteFlow): ChartOption {
  const labels = new Map(flow.nodes.map((n) => [n.key, n.label]));
  return {
    animationDuration: 300,
    tooltip: {
      trigger: "item",
      formatter: (raw: unknown) => {
        const p = raw as { dataType?: string; name?: string; value?: number; data?: Flow };
        if (p.dataType === "edge" && p.data) {
          const f = p.data;
          return `${labels.get(f.source) ?? ""} → ${labels.get(f.target) ?? ""}<br/><b>${formatNumber(f.kwh, 1)} kWh</b>`;
        }
        return `${labels.get(p.name ?? "") ?? ""}<br/><b>${formatNumber(p.value, 1)} kWh</b>`;
      },
    },
    series: [
      {
        type: "sankey",
        left: 8,
        right: 140,
        top: 8,
        bottom: 8,
        nodeAlign: "left",
        emphasis: { focus: "adjacency" },
        lineStyle: { color: "gradient", opacity: 0.35 },
        label: {
          fontSize: 12,
          formatter: (p: { name: string }) => labels.get(p.name) ?? p.name,
        },
        data: flow.nodes.map((n) => ({ name: n.key, itemStyle: { color: KIND_COLORS[n.kind] } })),
        links: flow.flows.map((f) => ({ ...f, value: f.kwh })),
      },
    ],
  };
}

const columns: TableColumnsType<Flow> = [
  { key: "from", title: "From", dataIndex: "sourceLabel" },
  { key: "to", title: "To", dataIndex: "targetLabel" },
  {
    key: "kwh",
    title: "kWh",
    dataIndex: "kwh",
    align: "right",
    render: (kwh: number) => formatNumber(kwh, 1),
  },
];

type SiteFlowChartProps = {
  siteName: string;
  range: PlainRange;
  flow: SiteFlow | null;
  state: Exclude<ChartState, "empty" | "ready"> | "data";
  error?: unknown;
};

/** The Sankey of the site's energy: supply → sub-meters → unmetered remainders, and its table. */
export function SiteFlowChart({ siteName, range, flow, state, error }: SiteFlowChartProps) {
  const option = useMemo(() => (flow && flow.flows.length > 0 ? flowOption(flow) : null), [flow]);
  const leaves = flow ? new Set(flow.flows.map((f) => f.target)).size : 0;
  const height = Math.max(260, Math.min(900, leaves * 26));
  const chartState: ChartState = state === "data" ? (option ? "ready" : "empty") : state;

  return (
    <>
      <ChartCard
        title="Energy flow"
        subtitle="kWh from the supply points to the sub-meters, and what no meter below accounts for"
        testId="sankey-chart"
        exportId="sankey"
        state={chartState}
        error={error}
        emptyText="No flow to show: put meters under a parent, and let them send readings"
        points={flow?.flows.length ?? 0}
        option={option}
        height={height}
        csv={
          flow
            ? {
                header: ["from", "to", "kwh"],
                rows: flow.flows.map((f) => [f.sourceLabel, f.targetLabel, f.kwh]),
              }
            : null
        }
        csvFileName={csvFileName(siteName, "energy-flow", range.start, range.end)}
      />
      {flow && flow.flows.length > 0 && (
        <Collapse
          size="small"
          ghost
          items={[
            {
              key: "flows",
              label: (
                <Typography.Text type="secondary" data-testid="sankey-flows-toggle">
                  The flows as a table ({flow.flows.length})
                </Typography.Text>
              ),
              children: (
                <Table<Flow>
                  data-testid="sankey-flows"
                  size="small"
                  rowKey={(f) => `${f.source}>${f.target}`}
                  columns={columns}
                  dataSource={flow.flows}
                  pagination={false}
                  onRow={(f) =>
                    testId(`flow-${f.source}-${f.target}`) as HTMLAttributes<HTMLElement>
                  }
                />
              ),
            },
          ]}
        />
      )}
    </>
  );
}
