import { Alert } from "antd";
import { useProblems } from "../problems";
import { topProblems } from "./editor-state";

/** Above the form: why the last save failed, and problems of the tariff as a whole. */
export function EditorAlerts({ saveError }: { saveError: string | null }) {
  const problems = topProblems(useProblems());
  return (
    <>
      {saveError && (
        <Alert
          data-testid="tariff-save-error"
          type="error"
          showIcon
          title={saveError}
          style={{ marginBottom: 16 }}
        />
      )}
      {problems.length > 0 && (
        <Alert
          data-testid="tariff-problems"
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title="The tariff has problems"
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {problems.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          }
        />
      )}
    </>
  );
}
