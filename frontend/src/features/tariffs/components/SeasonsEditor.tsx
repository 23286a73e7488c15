import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Checkbox, Flex, Input, Tooltip, Typography } from "antd";
import { removeSeason, renameSeason } from "../lib/draft-ops";
import { MONTH_LABELS } from "../lib/types";
import type { VersionDraft } from "../lib/types";
import { Field, ProblemText } from "./problems";

type SeasonsEditorProps = {
  v: number;
  version: VersionDraft;
  onChange: (version: VersionDraft) => void;
};

/** Seasons: a name and the months it covers (each month in exactly one season). */
export function SeasonsEditor({ v, version, onChange }: SeasonsEditorProps) {
  const taken = new Set(version.seasons.flatMap((s) => s.months));
  const free = Array.from({ length: 12 }, (_, i) => i + 1).filter((m) => !taken.has(m));
  return (
    <div data-testid="seasons">
      {version.seasons.map((season, j) => (
        <Flex key={j} wrap gap={12} align="flex-start" style={{ marginBottom: 4 }}>
          <Field at={`versions.${v}.seasons.${j}.name`} style={{ marginBottom: 8 }}>
            <Input
              data-testid={`season-${j}-name`}
              aria-label="Season name"
              value={season.name}
              placeholder="season"
              style={{ width: 150 }}
              onChange={(e) => onChange(renameSeason(version, season.name, e.target.value))}
            />
          </Field>
          <Field at={`versions.${v}.seasons.${j}.months`} style={{ marginBottom: 8 }}>
            <Checkbox.Group
              data-testid={`season-${j}-months`}
              value={season.months}
              onChange={(months) =>
                onChange({
                  ...version,
                  seasons: version.seasons.map((s, k) =>
                    k === j ? { ...s, months: [...months].sort((a, b) => a - b) } : s,
                  ),
                })
              }
              options={MONTH_LABELS.map((label, m) => ({
                label,
                value: m + 1,
              }))}
              style={{ paddingTop: 5 }}
            />
          </Field>
          <Tooltip title="Remove the season (and its windows and rates)">
            <Button
              data-testid={`season-${j}-remove`}
              aria-label="Remove season"
              type="text"
              icon={<DeleteOutlined />}
              disabled={version.seasons.length <= 1}
              onClick={() => onChange(removeSeason(version, j))}
            />
          </Tooltip>
          <ProblemText at={`versions.${v}.seasons.${j}`} />
        </Flex>
      ))}
      <ProblemText at={`versions.${v}.seasons`} style={{ marginBottom: 8 }} />
      <Flex gap={12} align="center">
        <Button
          data-testid="add-season"
          type="dashed"
          size="small"
          icon={<PlusOutlined />}
          onClick={() => {
            let name = "season";
            for (let n = 2; version.seasons.some((s) => s.name === name); n += 1)
              name = `season ${n}`;
            onChange({
              ...version,
              seasons: [...version.seasons, { name, months: free.length ? free : [] }],
            });
          }}
        >
          Add season
        </Button>
        {free.length > 0 && (
          <Typography.Text type="warning" style={{ fontSize: 12 }}>
            Not in any season yet: {free.map((m) => MONTH_LABELS[m - 1]).join(", ")}
          </Typography.Text>
        )}
      </Flex>
    </div>
  );
}
