/** The tariff editor's state: the draft, what is unsaved, live validation and problems. */
import { App } from "antd";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTariffValidation } from "../../api/tariffs";
import { ProblemIndex } from "../../lib/problems";
import type { Problem } from "../../lib/problems";
import type { TariffDraft, VersionDraft } from "../../lib/types";
import {
  initialPaletteNames,
  replaceVersion,
  templateNeedsConfirm,
  validationState,
} from "./editor-state";

export function useTariffDraft(tariffId: number | null, initial: TariffDraft) {
  const { modal } = App.useApp();
  const [draft, setDraftState] = useState(initial);
  const [baseline, setBaseline] = useState(() => JSON.stringify(initial));
  const [active, setActive] = useState(0);
  const [extraNames, setExtraNames] = useState(() => initialPaletteNames(tariffId, initial));
  const [saveProblems, setSaveProblems] = useState<Problem[] | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);

  const dirty = JSON.stringify(draft) !== baseline;
  // Read when leaving (not while rendering); a create clears it before going to the new page.
  const dirtyRef = useRef(dirty);
  useEffect(() => {
    dirtyRef.current = dirty;
  }, [dirty]);

  const validation = useTariffValidation(draft, true);
  const liveProblems = validation.data?.problems;
  const problems = useMemo(
    () => new ProblemIndex(saveProblems ?? liveProblems ?? []),
    [saveProblems, liveProblems],
  );
  const state = validationState({
    hasAnswer: validation.data !== undefined,
    failed: validation.isError,
    settled: validation.settled,
    problemCount: problems.all.length,
  });

  /** Every edit: the problems of the last save no longer apply. */
  const setDraft = (next: TariffDraft) => {
    setDraftState(next);
    setSaveProblems(null);
    setSaveError(null);
  };
  const setVersion = (v: number, version: VersionDraft) =>
    setDraft(replaceVersion(draft, v, version));

  /** The saved tariff as the server returned it: nothing is unsaved any more. */
  const markSaved = (saved: TariffDraft) => {
    setDraftState(saved);
    setBaseline(JSON.stringify(saved));
  };
  /** Saved as a new tariff: going to its page asks nothing. */
  const allowLeaving = () => {
    dirtyRef.current = false;
  };
  /** A failed save: its message, and the problems the server named (a 422). */
  const saveFailed = (message: string, found?: Problem[]) => {
    if (found) setSaveProblems(found);
    setSaveError(message);
  };

  const applyTemplate = (template: TariffDraft) => {
    const apply = () => {
      setDraft(template);
      setActive(0);
      setExtraNames({});
    };
    if (templateNeedsConfirm(draft)) {
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

  return {
    draft,
    dirty,
    dirtyRef,
    active,
    extraNames,
    problems,
    state,
    saveError,
    setDraft,
    setVersion,
    setActive,
    setExtraNames,
    setSaveError,
    markSaved,
    allowLeaving,
    saveFailed,
    applyTemplate,
  };
}

export type TariffDraftState = ReturnType<typeof useTariffDraft>;
