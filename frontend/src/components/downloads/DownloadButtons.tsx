import { FileExcelOutlined, FilePdfOutlined, FileTextOutlined } from "@ant-design/icons";
import { Button, Space } from "antd";
import type { ReactNode } from "react";

/** The kinds of file the API serves. */
export type DownloadFormat = "csv" | "pdf" | "xlsx";

const LABELS: Record<DownloadFormat, string> = { csv: "CSV", pdf: "PDF", xlsx: "Excel" };
const ICONS: Record<DownloadFormat, ReactNode> = {
  csv: <FileTextOutlined />,
  pdf: <FilePdfOutlined />,
  xlsx: <FileExcelOutlined />,
};

/** One file to offer: its format, its URL (see `downloadUrl`), its `data-testid`. */
export type Download = { format: DownloadFormat; href: string; testId: string };

type Props = {
  downloads: readonly Download[];
  /** Nothing to download yet (the figures are loading, or cannot be calculated). */
  disabled?: boolean;
  size?: "small" | "middle";
  /** What the files are, for their titles: "the bill" → "Download the bill as PDF". */
  what?: string;
};

/**
 * Download links as one group of buttons ("CSV", "PDF", "Excel"), the same everywhere a
 * document can be downloaded. Each is a plain link: the browser fetches the server's
 * attachment with the session cookie.
 */
export function DownloadButtons({ downloads, disabled, size = "middle", what }: Props) {
  return (
    <Space.Compact size={size}>
      {downloads.map((d) => (
        <Button
          key={d.format}
          data-testid={d.testId}
          data-format={d.format}
          icon={ICONS[d.format]}
          href={disabled ? undefined : d.href}
          download
          disabled={disabled}
          title={`Download ${what ?? "it"} as ${LABELS[d.format]}`}
        >
          {LABELS[d.format]}
        </Button>
      ))}
    </Space.Compact>
  );
}
