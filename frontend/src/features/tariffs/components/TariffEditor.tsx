import {
  AppstoreAddOutlined,
  ArrowLeftOutlined,
  CheckCircleFilled,
  CloseCircleFilled,
  LoadingOutlined,
  SaveOutlined,
} from "@ant-design/icons";
import { Alert, App, Badge, Button, Card, Dropdown, Flex, Form, Tabs, Tag, Typography } from "antd";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useBlocker, useNavigate } from "react-router";
import { ApiError } from "@/api/client";
import { errorMessage } from "@/api/errors";
import { useQueryClient } from "@tanstack/react-query";
import { tariffQueryKey, useCreateTariff, useReplaceTariff, useTariffValidation } from "../api/tariffs";
import { addVersion } from "../lib/draft-ops";
import { ProblemIndex, problemsOf } from "../lib/problems";
import type { Problem } from "../lib/problems";
import { eskomTouTemplate, flatRateTemplate } from "../lib/templates";
import { draftOf } from "../lib/types";
import type { TariffDraft, VersionDraft } from "../lib/types";
import { HeaderFields } from "./HeaderFields";
import { ProblemsProvider, ProblemText } from "./problems";
import { SiteAssignment } from "./SiteAssignment";
import { VersionEditor } from "./VersionEditor";

export const RATES_PATH = "/settings/rates";

type TariffEditorProps = {
  /** null: a new tariff. */
  tariffId: number | null;
  initial: TariffDraft;
};

function ValidationStatus({ state, count }: { state: "checking" | "valid" | "invalid" | "unknown"; count: number }) {
  const content = {
    checking: { icon: <LoadingOutlined />, color: "processing", text: "Checking…" },
    valid: { icon: <CheckCircleFilled />, color: "success", text: "Valid" },
    invalid: {
      icon: <CloseCircleFilled />,
      color: "error",
      text: count === 1 ? "1 problem" : `${count} problems`,
    },
    unknown: { icon: null, color: "default", text: "Not checked" },
  }[state];
  return (
    <Tag data-testid="tariff-validation" data-state={state} icon={content.icon} color={content.color} style={{ marginInlineEnd: 0 }}>
      {content.text}
    </Tag>
  );
}

function versionLabel(version: VersionDraft): string {
  return version.effective_to ? `${version.effective_from} → ${version.effective_to}` : `From ${version.effective_from}`;
}

/** The tariff editor: header, versions with their week grids, rates and charges; live validation; save. */
export function TariffEditor({ tariffId, initial }: TariffEditorProps) {
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraftState] = useState(initial);
  const [baseline, setBaseline] = useState(() => JSON.stringify(initial));
  const [active, setActive] = useState(0);
  // A new, empty tariff starts with the usual TOU periods on the palette.
  const [extraNames, setExtraNames] = useState(() => {
    const names: Record<number, string[]> = {};
    if (tariffId === null && initial.versions.every((v) => v.periods.length === 0)) {
      names[0] = ["peak", "standard", "off-peak"];
    }
    return names;
  });
  const [saveProblems, setSaveProblems] = useState<Problem[] | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const create = useCreateTariff();
  const replace = useReplaceTariff();
  const saving = create.isPending || replace.isPending;

  const dirty = JSON.stringify(draft) !== baseline;
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  const validation = useTariffValidation(draft, true);
  const liveProblems = validation.data?.problems;
  const problems = useMemo(
    () => new ProblemIndex(saveProblems ?? liveProblems ?? []),
    [saveProblems, liveProblems],
  );
  const state = !validation.data
    ? validation.isError
      ? "unknown"
      : "checking"
    : !validation.settled
      ? "checking"
      : problems.all.length
        ? "invalid"
        : "valid";

  const setDraft = (next: TariffDraft) => {
    setDraftState(next);
    setSaveProblems(null);
    setSaveError(null);
  };
  const setVersion = (v: number, version: VersionDraft) =>
    setDraft({ ...draft, versions: draft.versions.map((x, i) => (i === v ? version : x)) });

  // Leaving with unsaved changes asks first (in the app, and when closing the tab).
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirtyRef.current && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    modal.confirm({
      title: "Leave without saving?",
      content: "The changes to this tariff are not saved.",
      okText: "Leave",
      okButtonProps: { danger: true },
      cancelText: "Stay",
      onOk: () => blocker.proceed(),
      onCancel: () => blocker.reset(),
    });
  }, [blocker, modal]);
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (dirtyRef.current) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  const applyTemplate = (template: TariffDraft) => {
    const apply = () => {
      setDraft(template);
      setActive(0);
      setExtraNames({});
    };
    if (draft.versions.some((v) => v.periods.length > 0)) {
      modal.confirm({
        title: "Replace the tariff with the template?",
        content: "Its versions, windows, rates and charges are replaced.",
        okText: "Replace",
        onOk: apply,
      });
    } else {
      apply();
    }
  };

  const save = async () => {
    setSaveError(null);
    try {
      if (tariffId === null) {
        const saved = await create.mutateAsync(draft);
        queryClient.setQueryData(tariffQueryKey(saved.id), saved);
        dirtyRef.current = false;
        void message.success(`Saved ${saved.name}`);
        void navigate(`${RATES_PATH}/${saved.id}`, { replace: true });
      } else {
        const saved = await replace.mutateAsync({ id: tariffId, draft });
        queryClient.setQueryData(tariffQueryKey(saved.id), saved);
        const next = draftOf(saved);
        setDraftState(next);
        setBaseline(JSON.stringify(next));
        void message.success(`Saved ${saved.name}`);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) {
        const body = error.body as { detail?: unknown } | undefined;
        const found = problemsOf(body?.detail);
        setSaveProblems(found);
        setSaveError(
          found.length === 1 ? "The tariff was not saved: 1 problem." : `The tariff was not saved: ${found.length} problems.`,
        );
      } else {
        setSaveError(errorMessage(error));
      }
    }
  };

  const topProblems = [...problems.at(""), ...problems.at("versions")];

  return (
    <ProblemsProvider value={problems}>
      <Form layout="vertical" component="div" data-testid="tariff-editor">
        <Flex justify="space-between" align="center" wrap gap={12} style={{ marginBottom: 16 }}>
          <Flex align="center" gap={12}>
            <Link to={RATES_PATH} aria-label="Back to the tariffs">
              <ArrowLeftOutlined />
            </Link>
            <Typography.Title level={3} style={{ margin: 0 }} data-testid="tariff-editor-title">
              {tariffId === null ? "New tariff" : initial.name}
            </Typography.Title>
            {dirty && <Tag color="gold" data-testid="tariff-dirty">Unsaved changes</Tag>}
          </Flex>
          <Flex align="center" gap={8} wrap>
            <ValidationStatus state={state} count={problems.all.length} />
            <Dropdown
              trigger={["click"]}
              menu={{
                items: [
                  { key: "eskom", label: <span data-testid="template-eskom">Eskom-style time of use (high/low season)</span> },
                  { key: "flat", label: <span data-testid="template-flat">Flat rate, all day every day</span> },
                ],
                onClick: ({ key }) =>
                  applyTemplate(key === "eskom" ? eskomTouTemplate() : flatRateTemplate(new Date(), draft.timezone)),
              }}
            >
              <Button data-testid="tariff-template" icon={<AppstoreAddOutlined />}>
                Start from template
              </Button>
            </Dropdown>
            <Button
              data-testid="tariff-save"
              type="primary"
              icon={<SaveOutlined />}
              loading={saving}
              disabled={tariffId !== null && !dirty}
              onClick={() => void save()}
            >
              {tariffId === null ? "Create tariff" : "Save"}
            </Button>
          </Flex>
        </Flex>

        {saveError && (
          <Alert data-testid="tariff-save-error" type="error" showIcon title={saveError} style={{ marginBottom: 16 }} />
        )}
        {topProblems.length > 0 && (
          <Alert
            data-testid="tariff-problems"
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title="The tariff has problems"
            description={
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {topProblems.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            }
          />
        )}

        <Card title="Tariff" size="small" style={{ marginBottom: 16 }}>
          <HeaderFields draft={draft} onChange={setDraft} />
        </Card>

        <Card
          title="Versions"
          size="small"
          style={{ marginBottom: 16 }}
          extra={
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              A new version when rates change (e.g. each tariff year); bills use the one in force each day.
            </Typography.Text>
          }
        >
          <Tabs
            data-testid="version-tabs"
            type="editable-card"
            destroyOnHidden
            activeKey={String(Math.min(active, draft.versions.length - 1))}
            onChange={(key) => setActive(Number(key))}
            addIcon={<span data-testid="add-version">+ Version</span>}
            onEdit={(key, action) => {
              if (action === "add") {
                const { draft: next, index } = addVersion(draft);
                setDraft(next);
                setActive(index);
                return;
              }
              const v = Number(key);
              modal.confirm({
                title: `Remove the version ${versionLabel(draft.versions[v]!)}?`,
                okText: "Remove",
                okButtonProps: { danger: true },
                onOk: () => {
                  setDraft({ ...draft, versions: draft.versions.filter((_, i) => i !== v) });
                  setActive(Math.max(0, Math.min(active, draft.versions.length - 2)));
                  setExtraNames({});
                },
              });
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
                    onAddName={(name) => setExtraNames((x) => ({ ...x, [v]: [...(x[v] ?? []), name] }))}
                    onChange={(next) => setVersion(v, next)}
                  />
                </>
              ),
            }))}
          />
        </Card>

        <Card title="Sites and bill preview" size="small" style={{ marginBottom: 16 }}>
          {tariffId === null ? (
            <Typography.Text type="secondary">Create the tariff first, then assign it to sites here.</Typography.Text>
          ) : (
            <SiteAssignment tariffId={tariffId} dirty={dirty} />
          )}
        </Card>
      </Form>
    </ProblemsProvider>
  );
}
