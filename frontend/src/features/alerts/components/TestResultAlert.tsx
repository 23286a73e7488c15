import { Alert } from "antd";
import type { ChannelTestResult } from "../types";

/** A channel test's answer: green with the server's detail when it worked, red otherwise. */
export function TestResultAlert({ result, testId }: { result: ChannelTestResult; testId: string }) {
  const status = result.status != null ? ` (HTTP ${result.status})` : "";
  return (
    <Alert
      data-testid={testId}
      data-ok={String(result.ok)}
      type={result.ok ? "success" : "error"}
      showIcon
      title={result.ok ? `It worked${status}` : `It failed${status}`}
      description={result.detail || undefined}
      style={{ marginBottom: 16, wordBreak: "break-word" }}
    />
  );
}
