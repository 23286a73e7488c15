import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, InputNumber, Switch, Table, Tag, theme, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import { periodColor } from "@/lib/period-colors";
import { testId } from "@/lib/test-id";
import { rateRows } from "../lib/draft-ops";
import type { RateRow } from "../lib/draft-ops";
import type { BlockDraft, EnergyRateDraft, VersionDraft } from "../lib/types";
import { Field, ProblemText, useProblems } from "./problems";
import { VisuallyHidden } from "@/components/a11y/VisuallyHidden";

type EnergyRatesEditorProps = {
  v: number;
  version: VersionDraft;
  currency: string;
  names: readonly string[];
  onChange: (version: VersionDraft) => void;
};

/** Energy rates per season × period (the combinations the windows use), optionally in blocks. */
export function EnergyRatesEditor({
  v,
  version,
  currency,
  names,
  onChange,
}: EnergyRatesEditorProps) {
  const { token } = theme.useToken();
  const problems = useProblems();
  const rows = rateRows(version);
  // A row keeps its key when its rate is first typed (index null → n): a new key would
  // remount the row and take the focus out of the field after one keystroke. Only a
  // second rate for the same season × period (a problem to fix) gets its index in its key.
  const keys = new Map<RateRow, string>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.season}\u0000${row.period}`;
    keys.set(row, seen.has(key) ? `${key}\u0000${row.index}` : key);
    seen.add(key);
  }
  const rowKey = (row: RateRow) => keys.get(row) ?? `${row.season}\u0000${row.period}`;

  const setRate = (row: RateRow, changes: Partial<EnergyRateDraft>) => {
    if (row.index === null) {
      onChange({
        ...version,
        energy_rates: [
          ...version.energy_rates,
          { season: row.season, period: row.period, rate: null, blocks: null, ...changes },
        ],
      });
    } else {
      onChange({
        ...version,
        energy_rates: version.energy_rates.map((r, i) =>
          i === row.index ? { ...r, ...changes } : r,
        ),
      });
    }
  };
  const rateOf = (row: RateRow) =>
    row.index === null ? undefined : version.energy_rates[row.index];
  const at = (row: RateRow, field?: string) =>
    row.index === null ? "" : `versions.${v}.energy_rates.${row.index}${field ? `.${field}` : ""}`;

  const setBlocks = (row: RateRow, blocks: BlockDraft[] | null) => {
    const rate = rateOf(row);
    setRate(row, {
      blocks,
      ...(blocks?.[0] ? { rate: blocks[0].rate } : { rate: rate?.rate ?? null }),
    });
  };

  const columns: TableColumnsType<RateRow> = [
    {
      key: "season",
      title: "Season",
      dataIndex: "season",
      width: 120,
    },
    {
      key: "period",
      title: "Period",
      width: 170,
      render: (_, row) => (
        <Flex align="center" gap={8}>
          <span
            style={{
              width: 10,
              height: 10,
              borderRadius: 2,
              background: periodColor(row.period, names),
            }}
          />
          {row.period}
          {row.unused && (
            <Tooltip title="No window of this season uses this period">
              <Tag>not used</Tag>
            </Tooltip>
          )}
        </Flex>
      ),
    },
    {
      key: "rate",
      title: `Rate (${currency || "—"} / kWh, before VAT)`,
      render: (_, row) => {
        const rate = rateOf(row);
        const slug = `${row.season}-${row.period}`;
        if (rate?.blocks) {
          const blocks = rate.blocks;
          const update = (k: number, changes: Partial<BlockDraft>) =>
            setBlocks(
              row,
              blocks.map((b, j) => (j === k ? { ...b, ...changes } : b)),
            );
          return (
            <div data-testid={`blocks-${slug}`}>
              {blocks.map((b, k) => {
                const last = k === blocks.length - 1;
                return (
                  <Flex key={k} gap={8} align="center" style={{ marginBottom: 4 }}>
                    <Typography.Text type="secondary" style={{ width: 56 }}>
                      Block {k + 1}
                    </Typography.Text>
                    {last ? (
                      <Typography.Text type="secondary" style={{ width: 150 }}>
                        the rest of the month
                      </Typography.Text>
                    ) : (
                      <InputNumber<number>
                        data-testid={`block-${slug}-${k}-up-to`}
                        aria-label="Up to kWh per month"
                        value={b.up_to_kwh}
                        min={0}
                        prefix="up to"
                        suffix="kWh"
                        style={{ width: 150 }}
                        onChange={(value) => update(k, { up_to_kwh: value })}
                      />
                    )}
                    <InputNumber<number>
                      data-testid={`block-${slug}-${k}-rate`}
                      aria-label="Block rate"
                      value={b.rate}
                      min={0}
                      step={0.01}
                      style={{ width: 120 }}
                      onChange={(value) => update(k, { rate: value })}
                    />
                    <Button
                      type="text"
                      size="small"
                      aria-label="Remove block"
                      icon={<DeleteOutlined />}
                      disabled={blocks.length <= 2}
                      onClick={() => {
                        const next = blocks.filter((_, j) => j !== k);
                        next[next.length - 1] = { ...next[next.length - 1]!, up_to_kwh: null };
                        setBlocks(row, next);
                      }}
                    />
                  </Flex>
                );
              })}
              <Button
                size="small"
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => {
                  const edges = blocks.map((b) => b.up_to_kwh ?? 0);
                  const top = Math.max(0, ...edges);
                  const next = [...blocks];
                  next.splice(blocks.length - 1, 0, {
                    up_to_kwh: top + 500,
                    rate: blocks.at(-1)?.rate ?? null,
                  });
                  setBlocks(row, next);
                }}
              >
                Block
              </Button>
              <ProblemText at={at(row, "blocks")} />
            </div>
          );
        }
        return (
          <Field at={at(row, "rate")} style={{ marginBottom: 0 }}>
            <InputNumber<number>
              data-testid={`rate-${slug}`}
              aria-label={`Rate ${row.season} ${row.period}`}
              value={rate?.rate ?? null}
              min={0}
              step={0.01}
              placeholder="rate"
              status={problems.missingRate(v, row.season, row.period) ? "error" : undefined}
              style={{ width: 150 }}
              onChange={(value) => setRate(row, { rate: value })}
            />
          </Field>
        );
      },
    },
    {
      key: "blocks",
      title: (
        <Tooltip
          title={
            "Inclining blocks: a rate per band of the month's energy (pro rata in part months)"
          }
        >
          Blocks
        </Tooltip>
      ),
      width: 90,
      render: (_, row) => {
        const rate = rateOf(row);
        return (
          <Switch
            size="small"
            data-testid={`rate-${row.season}-${row.period}-blocks`}
            aria-label={`Blocks ${row.season} ${row.period}`}
            checked={Boolean(rate?.blocks)}
            onChange={(on) =>
              setBlocks(
                row,
                on
                  ? [
                      { up_to_kwh: 500, rate: rate?.rate ?? null },
                      { up_to_kwh: null, rate: rate?.rate ?? null },
                    ]
                  : null,
              )
            }
          />
        );
      },
    },
    {
      key: "actions",
      title: <VisuallyHidden>Actions</VisuallyHidden>,
      width: 50,
      render: (_, row) =>
        row.unused && row.index !== null ? (
          <Button
            type="text"
            aria-label="Remove rate"
            icon={<DeleteOutlined />}
            onClick={() =>
              onChange({
                ...version,
                energy_rates: version.energy_rates.filter((_, i) => i !== row.index),
              })
            }
          />
        ) : null,
    },
  ];

  return (
    <div data-testid="energy-rates">
      <Table<RateRow>
        size="small"
        rowKey={rowKey}
        columns={columns}
        dataSource={rows}
        pagination={false}
        scroll={{ x: "max-content" }}
        locale={{ emptyText: "Paint the week first: each season × period then needs a rate." }}
        onRow={(row) => {
          const missing = problems.missingRate(v, row.season, row.period);
          const rowProblems = row.index === null ? [] : problems.at(at(row));
          return {
            ...(testId(`rate-row-${row.season}-${row.period}`) as HTMLAttributes<HTMLElement>),
            style: missing || rowProblems.length ? { background: token.colorErrorBg } : undefined,
          };
        }}
        expandable={{
          showExpandColumn: false,
          expandedRowKeys: rows
            .filter((row) => row.index !== null && problems.at(at(row)).length > 0)
            .map(rowKey),
          expandedRowRender: (row) => <ProblemText at={at(row)} />,
        }}
      />
      <ProblemText at={`versions.${v}.energy_rates`} style={{ marginTop: 8 }} />
    </div>
  );
}
