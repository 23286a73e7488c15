import { App, Badge, Card, Tabs, Typography } from "antd";
import { addVersion } from "../../lib/draft-ops";
import { ProblemText, useProblems } from "../problems";
import { VersionEditor } from "../VersionEditor";
import { removeVersion, shownVersion, versionLabel } from "./editor-state";
import type { TariffDraftState } from "./useTariffDraft";

/** The versions card: a tab per version (its problem count on it), add and remove. */
export function VersionTabs({ editor }: { editor: TariffDraftState }) {
  const { modal } = App.useApp();
  const problems = useProblems();
  const { draft, active, extraNames, setDraft, setActive, setExtraNames } = editor;

  const add = () => {
    const { draft: next, index } = addVersion(draft);
    setDraft(next);
    setActive(index);
  };
  const remove = (v: number) => {
    modal.confirm({
      title: `Remove the version ${versionLabel(draft.versions[v]!)}?`,
      okText: "Remove",
      okButtonProps: { danger: true },
      onOk: () => {
        const next = removeVersion(draft, v, active);
        setDraft(next.draft);
        setActive(next.active);
        setExtraNames({});
      },
    });
  };
  const addName = (v: number, name: string) =>
    setExtraNames((x) => ({ ...x, [v]: [...(x[v] ?? []), name] }));

  return (
    <Card
      title="Versions"
      size="small"
      style={{ marginBottom: 16 }}
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          A new version when rates change (e.g. each tariff year); bills use the one in force each
          day.
        </Typography.Text>
      }
    >
      <Tabs
        data-testid="version-tabs"
        type="editable-card"
        destroyOnHidden
        activeKey={String(shownVersion(draft, active))}
        onChange={(key) => setActive(Number(key))}
        addIcon={<span data-testid="add-version">+ Version</span>}
        onEdit={(key, action) => {
          if (action === "add") add();
          else remove(Number(key));
        }}
        items={draft.versions.map((version, v) => ({
          key: String(v),
          closable: draft.versions.length > 1,
          label: (
            <span data-testid={`version-tab-${v}`}>
              <Badge count={problems.countUnder(`versions.${v}`)} size="small" offset={[8, -2]}>
                <span>{versionLabel(version)}</span>
              </Badge>
            </span>
          ),
          children: (
            <>
              <ProblemText at={`versions.${v}`} style={{ marginBottom: 8 }} />
              <VersionEditor
                v={v}
                version={version}
                currency={draft.currency}
                extraNames={extraNames[v] ?? []}
                onAddName={(name) => addName(v, name)}
                onChange={(next) => editor.setVersion(v, next)}
              />
            </>
          ),
        }))}
      />
    </Card>
  );
}
