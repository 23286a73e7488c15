/** Saving the draft: POST a new tariff (then open its page), or PUT over the tariff. */
import { useQueryClient } from "@tanstack/react-query";
import { App } from "antd";
import { useNavigate } from "react-router";
import { errorMessage } from "@/api/errors";
import { tariffKeys } from "../../api/keys";
import { useCreateTariff, useReplaceTariff } from "../../api/tariffs";
import { RATES_PATH } from "../../lib/paths";
import { draftOf } from "../../lib/types";
import { notSavedText, rejectedProblems } from "./editor-state";
import type { TariffDraftState } from "./useTariffDraft";

export function useSaveTariff(tariffId: number | null, editor: TariffDraftState) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useCreateTariff();
  const replace = useReplaceTariff();
  const saving = create.isPending || replace.isPending;

  const save = async () => {
    const { draft } = editor;
    editor.setSaveError(null);
    try {
      if (tariffId === null) {
        const saved = await create.mutateAsync(draft);
        queryClient.setQueryData(tariffKeys.detail(saved.id), saved);
        editor.allowLeaving();
        void message.success(`Saved ${saved.name}`);
        void navigate(`${RATES_PATH}/${saved.id}`, { replace: true });
      } else {
        const saved = await replace.mutateAsync({ id: tariffId, draft });
        queryClient.setQueryData(tariffKeys.detail(saved.id), saved);
        editor.markSaved(draftOf(saved));
        void message.success(`Saved ${saved.name}`);
      }
    } catch (error) {
      const found = rejectedProblems(error);
      if (found) editor.saveFailed(notSavedText(found.length), found);
      else editor.saveFailed(errorMessage(error));
    }
  };

  return { save, saving };
}
