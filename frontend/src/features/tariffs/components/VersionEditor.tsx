import { Alert, Collapse, DatePicker, Flex, InputNumber, theme, Typography } from "antd";
import dayjs from "dayjs";
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { CSSProperties, ReactNode } from "react";
import { paint } from "../lib/grid";
import { periodNames } from "../lib/draft-ops";
import { gridCellOf } from "../lib/problems";
import type { Day, VersionDraft } from "../lib/types";
import { DemandChargesEditor, FixedChargesEditor, ReactiveChargeEditor } from "./ChargesEditor";
import { EnergyRatesEditor } from "./EnergyRatesEditor";
import { PeriodPalette } from "./PeriodPalette";
import { Field, fieldId, useProblems } from "./problems";
import { SeasonsEditor } from "./SeasonsEditor";
import { HATCH, WeekGrid } from "./WeekGrid";
import { WindowsList } from "./WindowsList";

type VersionEditorProps = {
  v: number;
  version: VersionDraft;
  currency: string;
  /** Period names added on the palette but not painted yet. */
  extraNames: readonly string[];
  onAddName: (name: string) => void;
  onChange: (version: VersionDraft) => void;
};

function Section({
  title,
  hint,
  children,
  testId,
}: {
  title: string;
  hint?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  const { token } = theme.useToken();
  return (
    <section
      data-testid={testId}
      style={{
        borderTop: `1px solid ${token.colorBorderSecondary}`,
        paddingTop: 14,
        marginTop: 6,
        marginBottom: 14,
      }}
    >
      <Typography.Text strong style={{ fontSize: 15, display: "block" }}>
        {title}
      </Typography.Text>
      {hint && (
        <Typography.Paragraph type="secondary" style={{ margin: "2px 0 10px", fontSize: 13 }}>
          {hint}
        </Typography.Paragraph>
      )}
      {!hint && <div style={{ height: 8 }} />}
      {children}
    </section>
  );
}

function Legend() {
  const { token } = theme.useToken();
  const swatch = (style: CSSProperties) => (
    <span
      style={{
        display: "inline-block",
        width: 14,
        height: 12,
        borderRadius: 2,
        verticalAlign: -1,
        ...style,
      }}
    />
  );
  return (
    <Flex gap={16} wrap style={{ fontSize: 12, color: token.colorTextSecondary, marginBottom: 8 }}>
      <span>
        {swatch({
          background: token.colorFillQuaternary,
          outline: `1px dashed ${token.colorBorder}`,
          outlineOffset: -1,
        })}{" "}
        no period
      </span>
      <span>{swatch({ background: "#999", backgroundImage: HATCH })} two periods overlap</span>
      <span>
        {swatch({
          background: token.colorFillQuaternary,
          boxShadow: `0 0 0 1px #fff, 0 0 0 3px ${token.colorError}`,
          marginInline: 3,
        })}{" "}
        where a problem was found
      </span>
    </Flex>
  );
}

const DATE = "YYYY-MM-DD";

/** One version of a tariff: dates and VAT, seasons, the week of each season, rates and charges. */
export function VersionEditor({
  v,
  version,
  currency,
  extraNames,
  onAddName,
  onChange,
}: VersionEditorProps) {
  const problems = useProblems();
  const names = useMemo(() => periodNames(version, extraNames), [version, extraNames]);
  const [chosen, setChosen] = useState<string | null | undefined>(undefined);
  const brush =
    chosen === undefined || (chosen !== null && !names.includes(chosen))
      ? (names[0] ?? null)
      : chosen;
  const [openLists, setOpenLists] = useState<string[]>([]);

  const gridProblems = useMemo(() => problems.grid(v), [problems, v]);
  const errorCells = useMemo(() => {
    const bySeason = new Map<string, Set<string>>();
    for (const p of gridProblems) {
      const cell = gridCellOf(p.msg);
      if (!cell) continue;
      const set = bySeason.get(cell.season) ?? new Set<string>();
      set.add(`${cell.day}|${cell.time}`);
      bySeason.set(cell.season, set);
    }
    return bySeason;
  }, [gridProblems]);

  const periods = version.periods;
  // Stable for the memoised grids: reads the latest version and brush when a drag ends.
  const latest = useRef({ version, brush, onChange });
  useLayoutEffect(() => {
    latest.current = { version, brush, onChange };
  });
  // A number key paints with that period of the palette, and chooses it as the brush.
  const onPaint = useCallback(
    (season: string, days: Day[], from: number, to: number, name?: string | null) => {
      const { version: current, brush, onChange: change } = latest.current;
      const with_ = name === undefined ? brush : name;
      if (typeof name === "string") setChosen(name);
      change({ ...current, periods: paint(current.periods, season, days, from, to, with_) });
    },
    [],
  );
  const empty = useMemo(() => new Set<string>(), []);

  const rowsWithProblems = (season: string) =>
    periods.some(
      (p, i) => p.season === season && problems.countUnder(`versions.${v}.periods.${i}`) > 0,
    );

  return (
    <div data-testid={`version-${v}`}>
      <Flex wrap gap={16}>
        <Field label="In force from" at={`versions.${v}.effective_from`}>
          <DatePicker
            data-testid={`version-${v}-effective-from`}
            id={fieldId(`versions.${v}.effective_from`)}
            allowClear={false}
            format={DATE}
            value={version.effective_from ? dayjs(version.effective_from) : null}
            onChange={(d) => d && onChange({ ...version, effective_from: d.format(DATE) })}
          />
        </Field>
        <Field label="Until (exclusive)" at={`versions.${v}.effective_to`}>
          <DatePicker
            data-testid={`version-${v}-effective-to`}
            id={fieldId(`versions.${v}.effective_to`)}
            format={DATE}
            placeholder="open-ended"
            value={version.effective_to ? dayjs(version.effective_to) : null}
            onChange={(d) => onChange({ ...version, effective_to: d ? d.format(DATE) : null })}
          />
        </Field>
        <Field label="VAT" at={`versions.${v}.vat_percent`}>
          <InputNumber<number>
            data-testid={`version-${v}-vat`}
            id={fieldId(`versions.${v}.vat_percent`)}
            min={0}
            max={100}
            step={0.5}
            suffix="%"
            value={version.vat_percent}
            onChange={(value) => onChange({ ...version, vat_percent: value })}
            style={{ width: 110 }}
          />
        </Field>
      </Flex>

      <Section title="Seasons" hint="Every month belongs to exactly one season.">
        <SeasonsEditor v={v} version={version} onChange={onChange} />
      </Section>

      <Section
        title="Time-of-use periods"
        testId="tou-periods"
        hint={
          "Pick a period, then press on the grid and drag across days and hours to paint. " +
          "With the keyboard: Tab to the grid, move with the arrow keys, hold Shift to " +
          "select, press Space or Enter to paint (or 1–9 for that period, Delete to erase). " +
          "Public holidays are billed as the day type set above."
        }
      >
        <div style={{ marginBottom: 8 }}>
          <PeriodPalette
            names={names}
            brush={brush}
            onBrush={setChosen}
            onAdd={(name) => {
              onAddName(name);
              setChosen(name);
            }}
          />
        </div>
        <Legend />
        {version.seasons.map((season) => {
          const forced = rowsWithProblems(season.name);
          const count = periods.filter((p) => p.season === season.name).length;
          return (
            <div
              key={season.name}
              style={{ marginBottom: 16 }}
              data-testid={`season-grid-${season.name}`}
            >
              <Typography.Text strong style={{ display: "block", marginBottom: 4 }}>
                Season {season.name || "(unnamed)"}
              </Typography.Text>
              <div style={{ overflowX: "auto", paddingBottom: 4 }}>
                <WeekGrid
                  season={season.name}
                  periods={periods}
                  names={names}
                  brush={brush}
                  errorCells={errorCells.get(season.name) ?? empty}
                  onPaint={onPaint}
                />
              </div>
              <Collapse
                size="small"
                ghost
                activeKey={forced || openLists.includes(season.name) ? ["list"] : []}
                onChange={(keys) =>
                  setOpenLists((open) =>
                    (Array.isArray(keys) ? keys : [keys]).includes("list")
                      ? [...open, season.name]
                      : open.filter((s) => s !== season.name),
                  )
                }
                items={[
                  {
                    key: "list",
                    label: (
                      <span data-testid={`windows-toggle-${season.name}`}>
                        Edit as a list ({count} window{count === 1 ? "" : "s"})
                      </span>
                    ),
                    children: (
                      <WindowsList
                        v={v}
                        season={season.name}
                        periods={periods}
                        names={names}
                        defaultName={brush ?? names[0] ?? "peak"}
                        onChange={(next) => onChange({ ...version, periods: next })}
                      />
                    ),
                  },
                ]}
              />
            </div>
          );
        })}
        {gridProblems.length > 0 && (
          <Alert
            data-testid="grid-problems"
            type="error"
            showIcon
            title={
              gridProblems.length === 1
                ? "The week has a problem"
                : `The week has ${gridProblems.length} problems`
            }
            description={
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {gridProblems.map((p) => (
                  <li key={`${p.path}:${p.msg}`}>{p.msg}</li>
                ))}
              </ul>
            }
          />
        )}
      </Section>

      <Section title="Energy rates">
        <EnergyRatesEditor
          v={v}
          version={version}
          currency={currency}
          names={names}
          onChange={onChange}
        />
      </Section>
      <Section title="Fixed charges">
        <FixedChargesEditor
          v={v}
          version={version}
          currency={currency}
          names={names}
          onChange={onChange}
        />
      </Section>
      <Section title="Demand charges">
        <DemandChargesEditor
          v={v}
          version={version}
          currency={currency}
          names={names}
          onChange={onChange}
        />
      </Section>
      <Section title="Reactive energy">
        <ReactiveChargeEditor
          v={v}
          version={version}
          currency={currency}
          names={names}
          onChange={onChange}
        />
      </Section>
    </div>
  );
}
