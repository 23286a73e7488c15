import { Card, Form, Typography } from "antd";
import type { TariffDraft } from "../lib/types";
import { HeaderFields } from "./HeaderFields";
import { ProblemsProvider } from "./problems";
import { SiteAssignment } from "./SiteAssignment";
import { EditorAlerts } from "./tariff-editor/EditorAlerts";
import { EditorToolbar } from "./tariff-editor/EditorToolbar";
import { TemplateMenu } from "./tariff-editor/TemplateMenu";
import { useLeaveGuard } from "./tariff-editor/useLeaveGuard";
import { useSaveTariff } from "./tariff-editor/useSaveTariff";
import { useTariffDraft } from "./tariff-editor/useTariffDraft";
import { ValidationStatus } from "./tariff-editor/ValidationStatus";
import { VersionTabs } from "./tariff-editor/VersionTabs";

export { RATES_PATH } from "../lib/paths";

type TariffEditorProps = {
  /** null: a new tariff. */
  tariffId: number | null;
  initial: TariffDraft;
};

/**
 * The tariff editor: header, versions with their week grids, rates and charges;
 * live validation; save.
 */
export function TariffEditor({ tariffId, initial }: TariffEditorProps) {
  const editor = useTariffDraft(tariffId, initial);
  const { draft, dirty, problems } = editor;
  useLeaveGuard(editor.dirtyRef);
  const { save, saving } = useSaveTariff(tariffId, editor);
  const isNew = tariffId === null;

  return (
    <ProblemsProvider value={problems}>
      <Form layout="vertical" component="div" data-testid="tariff-editor">
        <EditorToolbar
          title={isNew ? "New tariff" : initial.name}
          isNew={isNew}
          dirty={dirty}
          saving={saving}
          onSave={() => void save()}
        >
          <ValidationStatus state={editor.state} count={problems.all.length} />
          <TemplateMenu timezone={draft.timezone} onPick={editor.applyTemplate} />
        </EditorToolbar>
        <EditorAlerts saveError={editor.saveError} />

        <Card title="Tariff" size="small" style={{ marginBottom: 16 }}>
          <HeaderFields draft={draft} onChange={editor.setDraft} />
        </Card>
        <VersionTabs editor={editor} />
        <Card title="Sites and bill preview" size="small" style={{ marginBottom: 16 }}>
          {tariffId === null ? (
            <Typography.Text type="secondary">
              Create the tariff first, then assign it to sites here.
            </Typography.Text>
          ) : (
            <SiteAssignment tariffId={tariffId} dirty={dirty} />
          )}
        </Card>
      </Form>
    </ProblemsProvider>
  );
}
