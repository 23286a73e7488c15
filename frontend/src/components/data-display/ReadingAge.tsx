import { Tag, Tooltip } from "antd";
import { formatDateTimeIn } from "./format";
import { formatAge, readingAgeColors, readingAgeStatus } from "./reading-age";

type ReadingAgeProps = {
  lastReadingAt: string | null | undefined;
  now: number;
  /** Show the absolute time in this zone in the tooltip (the site's). */
  timeZone?: string;
};

/** The age of the last reading as a coloured tag: green < 15 min, orange < 24 h, red older. */
export function ReadingAge({ lastReadingAt, now, timeZone }: ReadingAgeProps) {
  const status = readingAgeStatus(lastReadingAt, now);
  return (
    <Tooltip title={lastReadingAt ? formatDateTimeIn(lastReadingAt, timeZone) : undefined}>
      <Tag color={readingAgeColors[status]} data-testid="reading-age" data-status={status}>
        {formatAge(lastReadingAt, now)}
      </Tag>
    </Tooltip>
  );
}
