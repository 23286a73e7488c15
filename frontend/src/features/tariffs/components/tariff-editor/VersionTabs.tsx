import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Badge, Button, Card, Flex, Tabs, Typography } from "antd";
import { addVersion } from "../../lib/draft-ops";
import { ProblemText, useProblems } from "../problems";
import { VersionEditor } from "../VersionEditor";
import { removeVersion, shownVersion, versionLabel } from "./editor-state";
import type { TariffDraftState } from "./useTariffDraft";

/**
 * The versions card: a tab per version (its problem count on it), add and remove.
 * Add and remove are buttons outside the tab list (a tab list may hold only tabs).
 */
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
        <Flex align="center" gap={12}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            A new version when rates change (e.g. each tariff year); bills use the one in force each
            day.
          </Typography.Text>
          <Button data-testid="add-version" size="small" icon={<PlusOutlined />} onClick={add}>
            Version
          </Button>
        </Flex>
      }
    >
      <Tabs
        data-testid="version-tabs"
        type="card"
        destroyOnHidden
        activeKey={String(shownVersion(draft, active))}
        onChange={(key) => setActive(Number(key))}
        items={draft.versions.map((version, v) => ({
          key: String(v),
          label: (
            <span data-testid={`version-tab-${v}`}>
              <Badge count={problems.countUnder(`versions.${v}`)} size="small" offset={[8, -2]}>
                <span>{versionLabel(version)}</span>
              </Badge>
            </span>
          ),
          children: (
            <>
              {draft.versions.length > 1 && (
                <Flex justify="flex-end">
                  <Button
                    data-testid={`version-${v}-remove`}
                    size="small"
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    onClick={() => remove(v)}
                  >
                    Remove this version
                  </Button>
                </Flex>
              )}
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
